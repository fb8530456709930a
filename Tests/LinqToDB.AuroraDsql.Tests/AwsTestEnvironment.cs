namespace LinqToDB.DataProvider.AuroraDsql.Tests;

/// <summary>
/// The AWS SDK settings of the whole test run (in the tests' root namespace, so that NUnit sets it up before the fixtures
/// of every namespace): shared config and credentials files of the run, empty unless a test writes them
/// (<see cref="Infrastructure.AwsEnvironment"/>), and no keys, profile or region from the machine. The SDK takes the files' paths from the environment once per process,
/// so they are set here, before anything asks the SDK. Against a cluster (<c>DSQL_ENDPOINT</c>) the run keeps the machine's
/// settings, which sign its tokens; a test that isolates itself gets them back when it ends.
/// </summary>
[SetUpFixture]
public sealed class AwsTestEnvironment
{
	internal static readonly string[] Variables =
	[
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION",
		"AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED",
	];

	static readonly Dictionary<string, string?> Machine = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable, StringComparer.Ordinal);
	string? _directory;

	/// <summary>Whether the run keeps the machine's AWS settings (against a cluster) instead of empty ones.</summary>
	internal static bool KeepsMachineSettings { get; private set; }

	/// <summary>The run's shared config file.</summary>
	public static string ConfigFile { get; private set; } = "";

	/// <summary>The run's shared credentials file.</summary>
	public static string CredentialsFile { get; private set; } = "";

	[OneTimeSetUp]
	public void Isolate()
	{
		_directory      = Directory.CreateTempSubdirectory("auroradsql-aws-").FullName;
		ConfigFile      = Path.Combine(_directory, "config");
		CredentialsFile = Path.Combine(_directory, "credentials");
		File.WriteAllText(ConfigFile, "");
		File.WriteAllText(CredentialsFile, "");
		KeepsMachineSettings = global::AuroraDsql.Testing.TestCluster.FromEnvironment() != null;
		if (!KeepsMachineSettings)
			Infrastructure.AwsEnvironment.Reset();
	}

	/// <summary>Puts the machine's AWS variables back as they were when the run started.</summary>
	internal static void RestoreMachineSettings()
	{
		foreach (var (variable, value) in Machine)
			Environment.SetEnvironmentVariable(variable, value);
	}

	[OneTimeTearDown]
	public void Restore()
	{
		RestoreMachineSettings();

		if (_directory != null)
			Directory.Delete(_directory, recursive: true);
	}
}
