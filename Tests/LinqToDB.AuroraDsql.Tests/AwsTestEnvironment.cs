namespace LinqToDB.DataProvider.AuroraDsql.Tests;

/// <summary>
/// The AWS SDK settings of the whole test run (in the tests' root namespace, so that NUnit sets it up before the fixtures
/// of every namespace): shared config and credentials files of the run, empty unless a test writes them
/// (<see cref="Infrastructure.AwsEnvironment"/>), and no keys, profile or region from the machine. The SDK takes the files' paths from the environment once per process,
/// so they are set here, before anything asks the SDK. Against a cluster (<c>DSQL_ENDPOINT</c>) the run keeps the machine's
/// settings, which sign its tokens: its variables, and its shared files copied into the run's; a test that isolates itself
/// (and may write profiles of its own) gets them back when it ends.
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
	static string _machineConfig      = "";
	static string _machineCredentials = "";
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
		if (KeepsMachineSettings)
		{
			_machineConfig      = MachineFile("AWS_CONFIG_FILE", "config");
			_machineCredentials = MachineFile("AWS_SHARED_CREDENTIALS_FILE", "credentials");
			RestoreMachineSettingsForTheRun();
		}
		else
			Infrastructure.AwsEnvironment.Reset();
	}

	/// <summary>The text of one of the machine's shared AWS files (where its variable, else the SDK's default, says), or nothing.</summary>
	static string MachineFile(string variable, string name)
	{
		var path = Machine[variable] ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", name);
		return File.Exists(path) ? File.ReadAllText(path) : "";
	}

	/// <summary>
	/// Puts the machine's AWS settings back for the rest of the run: its variables, and its shared files' text in the run's
	/// files (which the SDK keeps reading, so that tests may write profiles of their own there).
	/// </summary>
	internal static void RestoreMachineSettingsForTheRun()
	{
		RestoreMachineSettings();
		File.WriteAllText(ConfigFile, _machineConfig);
		File.WriteAllText(CredentialsFile, _machineCredentials);
		Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", ConfigFile);
		Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", CredentialsFile);
	}

	/// <summary>Puts the machine's AWS variables back as they were when the run started.</summary>
	static void RestoreMachineSettings()
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
