namespace LinqToDB.DataProvider.AuroraDsql.Tests;

/// <summary>
/// The AWS SDK settings of the whole test run (in the tests' root namespace, so that NUnit sets it up before the fixtures
/// of every namespace): shared config and credentials files of the run, empty unless a test writes them
/// (<see cref="Infrastructure.AwsEnvironment"/>), and no keys, profile or region from the machine. The SDK takes the files' paths from the environment once per process,
/// so they are set here, before anything asks the SDK.
/// </summary>
[SetUpFixture]
public sealed class AwsTestEnvironment
{
	internal static readonly string[] Variables =
	[
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION",
		"AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED",
	];

	readonly Dictionary<string, string?> _saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable, StringComparer.Ordinal);
	string? _directory;

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
		Infrastructure.AwsEnvironment.Reset();
	}

	[OneTimeTearDown]
	public void Restore()
	{
		foreach (var (variable, value) in _saved)
			Environment.SetEnvironmentVariable(variable, value);

		if (_directory != null)
			Directory.Delete(_directory, recursive: true);
	}
}
