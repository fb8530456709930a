using Amazon.Runtime;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;

/// <summary>
/// AWS settings for one test: it may write the run's shared config file (<see cref="AwsTestEnvironment"/>) and set keys in
/// the environment; disposing empties the files and clears the variables again. Tests in this assembly run one at a
/// time, so the process environment is theirs meanwhile.
/// </summary>
public sealed class AwsEnvironment : IDisposable
{
	public AwsEnvironment() => Reset();

	/// <summary>Writes the shared config file (<c>[profile name]</c> sections).</summary>
	public static void WriteConfig(string text) => File.WriteAllText(AwsTestEnvironment.ConfigFile, text);

	/// <summary>Sets one of the AWS variables (cleared on dispose) for the rest of the test.</summary>
	public static void Set(string variable, string value)
	{
		if (!AwsTestEnvironment.Variables.Contains(variable, StringComparer.Ordinal))
			throw new ArgumentException($"{variable} is not one of the variables the tests isolate.", nameof(variable));

		Environment.SetEnvironmentVariable(variable, value);
	}

	/// <summary>Empties the settings again, or, in a run against a cluster, gives the machine's settings back.</summary>
	public void Dispose()
	{
		if (AwsTestEnvironment.KeepsMachineSettings)
		{
			AwsTestEnvironment.RestoreMachineSettingsForTheRun();
			FallbackRegionFactory.Reset();
		}
		else
			Reset();
	}

	/// <summary>Empty shared files, no keys, profile or region, no instance metadata service.</summary>
	internal static void Reset()
	{
		foreach (var variable in AwsTestEnvironment.Variables)
			Environment.SetEnvironmentVariable(variable, null);

		File.WriteAllText(AwsTestEnvironment.ConfigFile, "");
		File.WriteAllText(AwsTestEnvironment.CredentialsFile, "");
		Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", AwsTestEnvironment.ConfigFile);
		Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", AwsTestEnvironment.CredentialsFile);
		Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
		FallbackRegionFactory.Reset();
	}
}
