using LinqToDB.DataProvider.AuroraDsql;

using Npgsql;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary><c>linq2db-dsql scaffold …</c> as a user runs it (in process): options, errors, exit codes, and no secret in any output.</summary>
[NonParallelizable]
public sealed class CommandLineTests
{
	string? _savedVariable;

	[SetUp]
	public void ClearEnvironment()
	{
		_savedVariable = Environment.GetEnvironmentVariable(ConnectionSettings.ConnectionStringVariable);
		Environment.SetEnvironmentVariable(ConnectionSettings.ConnectionStringVariable, null);
	}

	[TearDown]
	public void RestoreEnvironment() => Environment.SetEnvironmentVariable(ConnectionSettings.ConnectionStringVariable, _savedVariable);

	static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
	{
		var output = new StringWriter();
		var error  = new StringWriter();
		var code   = await CommandLine.RunAsync(args, output, error);
		return (code, output.ToString(), error.ToString());
	}

	[Test]
	public async Task ScaffoldsFromAConnectionStringWithoutPrintingIt()
	{
		using var folder = new TempDirectory();

		var (code, output, error) = await RunAsync(["scaffold", "--connection-string", TestDatabase.ConnectionString, "--output", folder.Path, .. Cases.PascalArguments]);

		error.Should().BeEmpty();
		code.Should().Be(0);
		output.Should().Contain($"Connecting to localhost:").And.Contain($"as {TestDatabase.User}")
			.And.Contain("Read 12 tables and 1 view").And.Contain("[14/14] ShopDb.cs: created").And.Contain("Done: 14 created");
		output.Should().NotContain(TestDatabase.Password).And.NotContain(TestDatabase.ConnectionString);

		GoldenFiles.AssertMatches("Pascal", folder.Path);
	}

	[Test]
	public async Task ReadsTheConnectionStringFromTheEnvironment()
	{
		using var folder = new TempDirectory();
		Environment.SetEnvironmentVariable(ConnectionSettings.ConnectionStringVariable, TestDatabase.ConnectionString);

		var (code, output, error) = await RunAsync("scaffold", "--output", folder.Path, "--include-schemas", "extra", "--quiet");

		(code, error).Should().Be((0, ""));
		output.Should().BeEmpty("--quiet prints nothing but warnings and errors");
		Directory.EnumerateFiles(folder.Path).Select(Path.GetFileName).Should().BeEquivalentTo(["AuditLog.cs", "Owner.cs", "DsqlDb.cs", "linq2db-dsql.manifest"]);
		File.ReadAllText(folder.File("Owner.cs")).Should().Contain("namespace DataModel;").And.Contain("#nullable disable");
	}

	[Test]
	public async Task TablesAreIncludedAndExcludedByPattern()
	{
		using var folder = new TempDirectory();

		var (code, _, error) = await RunAsync(
			"scaffold", "--connection-string", TestDatabase.ConnectionString, "--output", folder.Path, "--quiet",
			"--include-tables", "shop.pet*,audit_log", "--include-tables", "owner", "--exclude-tables", "pet_owner_view,extra.*");

		(code, error).Should().Be((0, ""));
		Directory.EnumerateFiles(folder.Path).Select(Path.GetFileName).Should().BeEquivalentTo(["Pet.cs", "Owner.cs", "DsqlDb.cs", "linq2db-dsql.manifest"]);
		File.ReadAllText(folder.File("Owner.cs")).Should().Contain("Schema = \"shop\"");
	}

	[Test]
	public async Task ATemplateWarningIsPrinted()
	{
		using var folder = new TempDirectory();
		File.WriteAllText(folder.File("warn.tt"), "<#@ template language=\"C#\" #>\n<# BeginFile(\"A.cs\"); Warning(\"no views here\"); #>\n// a\n");

		var (code, output, _) = await RunAsync("scaffold", "--connection-string", TestDatabase.ConnectionString, "--output", folder.File("out"), "--include-schemas", "extra", "--customize", folder.File("warn.tt"));

		code.Should().Be(0);
		output.Should().Contain("warning: no views here");
		File.ReadAllText(Path.Combine(folder.File("out"), "A.cs")).Should().Be("// a\n");
	}

	[Test]
	public async Task AFailedConnectionIsReportedWithoutThePassword()
	{
		using var folder = new TempDirectory();
		var wrong = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { Password = "wrong-secret-4711" }.ConnectionString;

		var (code, output, error) = await RunAsync("scaffold", "--connection-string", wrong, "--output", folder.Path);

		code.Should().Be(CommandLine.Failed);
		error.Should().Contain("error:").And.Contain("IAM authentication failed");
		(output + error).Should().NotContain("wrong-secret-4711");
	}

	[Test]
	public async Task AMistypedOptionDoesNotEchoAPasswordWithSpaces()
	{
		var (code, output, error) = await RunAsync("scaffold", "--conection-string", "Host=db;Password=my secret words;Username=u");

		code.Should().Be(CommandLine.UsageError);
		(output + error).Should().NotContain("secret").And.NotContain("words");
	}

	[Test]
	public async Task AMistypedOptionDoesNotEchoAPassword()
	{
		var (code, output, error) = await RunAsync("scaffold", "--conection-string", "Host=db;Username=u;Password=s3cret-value");

		code.Should().Be(CommandLine.UsageError);
		(output + error).Should().Contain("--conection-string").And.NotContain("s3cret-value");
	}

	[TestCase(new string[0], "Give --endpoint")]
	[TestCase(new[] { "--endpoint", "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws", "--connection-string", "Host=x" }, "not both")]
	[TestCase(new[] { "--connection-string", "Host=x", "--region", "us-east-1" }, "go with --endpoint")]
	[TestCase(new[] { "--connection-string", "Host=x", "--class-naming", "camel" }, "camel")]
	[TestCase(new[] { "--connection-string", "Host=x", "--namespace", "My.1Bad" }, "not a valid C# namespace")]
	[TestCase(new[] { "--connection-string", "Host=x", "--context-name", "class" }, "not a valid C# class name")]
	[TestCase(new[] { "--connection-string", "Host=x", "--context-name", "DataOptions" }, "a type name the generated code uses")]
	[TestCase(new[] { "--connection-string" }, "--connection-string")]
	[TestCase(new[] { "--connection-string", "Host=x", "--connection-string", "Host=y" }, "--connection-string")]
	[TestCase(new[] { "--endpoint", "h", "--port", "0" }, "--port must be between 1 and 65535")]
	[TestCase(new[] { "--connection-string", "Nonsense Keyword=1" }, "connection string is not valid")]
	public async Task BadArgumentsAreUsageErrors(string[] args, string message)
	{
		var (code, output, error) = await RunAsync(["scaffold", .. args]);

		code.Should().Be(CommandLine.UsageError);
		(output + error).Should().Contain(message);
	}

	[Test]
	public async Task HelpListsEveryOption()
	{
		var (code, output, _) = await RunAsync("scaffold", "--help");

		code.Should().Be(0);
		output.Should().ContainAll(
			"--endpoint", "--region", "--user", "--profile", "--port", "--root-certificate", "--connection-string",
			"--namespace", "--output", "--context-name", "--class-naming", "--singularize", "--pluralize",
			"--include-schemas", "--exclude-schemas", "--include-tables", "--exclude-tables", "--nullable", "--index-attributes",
			"--foreign-key-attributes", "--check-attributes", "--date-type", "--time-type", "--timestamptz-type", "--json-type",
			"--customize", "--options", "--save-options", "--quiet");
	}

	[Test]
	public void EndpointSettingsBecomeUseAuroraDsqlOptions()
	{
		var settings = new ConnectionSettings
		{
			Endpoint            = "abcdefghijklmnopqrstuvwxyz.dsql.eu-west-1.on.aws",
			User                = "reader",
			Profile             = "dev",
			Port                = 6543,
			Region              = "eu-west-1",
			RootCertificatePath = "/etc/ssl/root.pem",
		};

		var options = settings.ApplyEndpointSettings(new AuroraDsqlConnectionOptions(settings.Endpoint));

		(options.Host, options.User, options.ProfileName, options.Port, options.Region, options.RootCertificatePath)
			.Should().Be((settings.Endpoint, "reader", "dev", 6543, "eu-west-1", "/etc/ssl/root.pem"));

		settings.Describe().Should().Be("abcdefghijklmnopqrstuvwxyz.dsql.eu-west-1.on.aws:6543 as reader, region eu-west-1, IAM authentication with profile dev");

		var defaults = new ConnectionSettings { Endpoint = "abcdefghijklmnopqrstuvwxyz.dsql.us-east-2.on.aws" };
		defaults.Describe().Should().Be("abcdefghijklmnopqrstuvwxyz.dsql.us-east-2.on.aws:5432 as admin, region us-east-2, IAM authentication");
		defaults.Secrets().Should().BeEmpty();
	}

	[Test]
	public void MaskingWriterHidesSecretsAndPasswordPairs()
	{
		var inner = new StringWriter();
		using (var writer = new MaskingWriter(inner))
		{
			writer.AddSecrets(["tok3n"]);
			writer.WriteLine("a tok3n here; Password=abc;Host=h; pwd = 'x y'");
			writer.Write("trailing tok3n");
		}

		inner.ToString().Should().Be("a *** here; Password=***;Host=h; pwd =***\ntrailing ***");

		var spaced = new StringWriter();
		using (var writer = new MaskingWriter(spaced))
			writer.Write("Host=h;Password=two words;Port=1");

		spaced.ToString().Should().Be("Host=h;Password=***;Port=1");
	}
}
