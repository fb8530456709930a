namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>
/// <c>scaffold --options file.json</c> and <c>--save-options</c>: every command-line option in the file, table, column and type
/// overrides, include/exclude lists, command-line flags over the file, and errors that name the key and the accepted values.
/// </summary>
[NonParallelizable]
public sealed class OptionsFileTests
{
	const string OverridesJson = """
		{
		  // comments and trailing commas are fine
		  "namespace": "Shop.Custom",
		  "contextName": "CustomDb",
		  "includeSchemas": ["shop"],
		  "includeTables": ["pet", "owner*", "shop.order*"],
		  "excludeTables": ["owner_profile"],
		  "singularize": true,
		  "pluralize": true,
		  "nullable": true,
		  "foreignKeyAttributes": true,
		  "checkAttributes": true,
		  "dateType": "datetime",
		  "typeOverrides": { "numeric(6,2)": "double" },
		  "tables": {
		    "shop.pet": {
		      "className": "Animal",
		      "contextPropertyName": "Animals",
		      "columns": { "name": { "propertyName": "CallName" }, "id": { "type": "long" } }
		    },
		    "owner": { "columns": { "email": { "propertyName": "EmailAddress" }, "created_at": { "type": "DateTime" } } },
		  },
		}
		""";

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
	public async Task AnOptionsFileWithOverridesMatchesGoldenFilesAndCompiles()
	{
		using var folder = new TempDirectory();
		File.WriteAllText(folder.File("options.json"), OverridesJson);

		var (code, _, error) = await RunAsync("scaffold", "--options", folder.File("options.json"), "--connection-string", TestDatabase.ConnectionString, "--output", folder.File("out"), "--quiet");

		(code, error).Should().Be((0, ""));
		GoldenFiles.AssertMatches("Overrides", folder.File("out"));
		ModelCompiler.Compile("OverridesModel", Cases.Sources(folder.File("out")));
	}

	[Test]
	public async Task PathsInTheFileAreRelativeToIt()
	{
		using var folder = new TempDirectory();
		Directory.CreateDirectory(folder.File("config"));
		File.WriteAllText(folder.File("config/options.json"), """{ "output": "../model", "includeSchemas": ["extra"], "quiet": true }""");

		var (code, output, error) = await RunAsync("scaffold", "--options", folder.File("config/options.json"), "--connection-string", TestDatabase.ConnectionString);

		(code, output, error).Should().Be((0, "", ""));
		Directory.EnumerateFiles(folder.File("model")).Select(Path.GetFileName).Should().BeEquivalentTo(["AuditLog.cs", "Owner.cs", "DsqlDb.cs", "linq2db-dsql.manifest"]);
	}

	[Test]
	public async Task CommandLineOptionsWinOverTheFile()
	{
		using var folder = new TempDirectory();
		File.WriteAllText(folder.File("options.json"), """
			{ "namespace": "From.File", "contextName": "FileDb", "nullable": true, "includeSchemas": ["shop"], "output": "ignored", "dateType": "datetime" }
			""");

		var (code, _, error) = await RunAsync(
			"scaffold", "--options", folder.File("options.json"), "--connection-string", TestDatabase.ConnectionString, "--quiet",
			"--namespace", "From.CommandLine", "--nullable", "false", "--include-schemas", "extra", "--output", folder.File("out"));

		(code, error).Should().Be((0, ""));
		Directory.Exists(folder.File("ignored")).Should().BeFalse();

		var owner = File.ReadAllText(Path.Combine(folder.File("out"), "Owner.cs"));
		owner.Should().Contain("namespace From.CommandLine;").And.Contain("#nullable disable");
		File.Exists(Path.Combine(folder.File("out"), "FileDb.cs")).Should().BeTrue("what the command line does not give comes from the file");
	}

	[TestCase("""{ "namespaces": "A" }""", "'namespaces' is not an option", "Accepted keys: endpoint, region")]
	[TestCase("""{ "Namespace": "A" }""", "'Namespace' is not an option (did you mean 'namespace'?")]
	[TestCase("""{ "classNaming": "camel" }""", "'classNaming' must be one of: pascal, preserve (got \"camel\")")]
	[TestCase("""{ "dateType": "date" }""", "'dateType' must be one of: dateonly, datetime")]
	[TestCase("""{ "timeType": 1 }""", "'timeType' must be one of: timeonly, timespan (got 1)")]
	[TestCase("""{ "timestamptzType": "utc" }""", "'timestamptzType' must be one of: datetimeoffset, datetime")]
	[TestCase("""{ "jsonType": "object" }""", "'jsonType' must be one of: string, jsondocument")]
	[TestCase("""{ "nullable": "yes" }""", "'nullable' must be true or false (got \"yes\")")]
	[TestCase("""{ "port": 70000 }""", "'port' must be a number between 1 and 65535 (got 70000)")]
	[TestCase("""{ "namespace": "My.1Bad" }""", "'namespace' must be a valid C# namespace")]
	[TestCase("""{ "contextName": "DataOptions" }""", "'contextName' must be a valid C# class name that the generated code does not use")]
	[TestCase("""{ "includeSchemas": [1] }""", "'includeSchemas' must be an array of names")]
	[TestCase("""{ "tables": { "pet": { "classname": "A" } } }""", "'tables.pet.classname' is not an option (did you mean 'className'?", "Accepted keys here: className, contextPropertyName, columns.")]
	[TestCase("""{ "tables": { "pet": { "columns": { "id": { "name": "A" } } } } }""", "'tables.pet.columns.id.name' is not an option", "propertyName, type")]
	[TestCase("""{ "tables": { "pet": { "className": "1st" } } }""", "'tables.pet.className' must be a valid C# identifier")]
	[TestCase("""{ "tables": { "pet": { "className": "DataConnection" } } }""", "'tables.pet.className' is a type name the generated code uses")]
	[TestCase("""{ "typeOverrides": { "numeric": "double?" } }""", "'typeOverrides.numeric' must name a C# type without '?'")]
	[TestCase("""{ "typeOverrides": { "numeric": { "type": "Money", "valueType": "yes" } } }""", "'typeOverrides.numeric.valueType' must be true or false")]
	[TestCase("""{ "namespace": "A", }x""", "is not valid JSON (line 1")]
	[TestCase("""[1]""", "must hold a JSON object")]
	public async Task ProblemsInTheFileNameTheKeyAndTheAcceptedValues(string json, string message, string? more = null)
	{
		using var folder = new TempDirectory();
		File.WriteAllText(folder.File("options.json"), json);

		var (code, output, error) = await RunAsync("scaffold", "--options", folder.File("options.json"), "--connection-string", "Host=x", "--output", folder.File("out"));

		code.Should().Be(CommandLine.UsageError);
		error.Should().Contain(folder.File("options.json")).And.Contain(message);
		if (more != null)
			error.Should().Contain(more);
		output.Should().BeEmpty();
		Directory.Exists(folder.File("out")).Should().BeFalse("nothing is written when the options are wrong");
	}

	[Test]
	public async Task AMissingOptionsFileIsAUsageError()
	{
		var (code, _, error) = await RunAsync("scaffold", "--options", "/no/such/options.json", "--connection-string", "Host=x");

		code.Should().Be(CommandLine.UsageError);
		error.Should().Contain("'/no/such/options.json' does not exist");
	}

	[Test]
	public async Task SavedOptionsReproduceTheRunAndNeverHoldTheConnectionString()
	{
		using var folder = new TempDirectory();
		var saved = folder.File("saved/scaffold.json");

		// without a connection: only the file is written
		var (code, output, error) = await RunAsync(["scaffold", "--save-options", saved, "--output", folder.File("out"), "--date-type", "dateonly", .. Cases.PascalArguments]);

		(code, error).Should().Be((0, ""));
		output.Should().Contain("Options saved to " + saved);
		File.ReadAllText(saved).Should().Be("""
			{
			  "namespace": "Shop.Model",
			  "output": "../out",
			  "contextName": "ShopDb",
			  "classNaming": "pascal",
			  "singularize": true,
			  "pluralize": true,
			  "includeSchemas": [
			    "shop",
			    "extra"
			  ],
			  "nullable": true,
			  "indexAttributes": true,
			  "dateType": "dateonly",
			  "typeOverrides": {},
			  "tables": {}
			}

			""".Replace("\r\n", "\n", StringComparison.Ordinal));

		// the file alone reproduces the run; saving with a connection string leaves it out
		(code, _, error) = await RunAsync("scaffold", "--options", saved, "--connection-string", TestDatabase.ConnectionString, "--save-options", folder.File("again.json"), "--quiet");

		(code, error).Should().Be((0, ""));
		GoldenFiles.AssertMatches("Pascal", folder.File("out"));
		File.ReadAllText(folder.File("again.json")).Should().NotContain(TestDatabase.Password).And.NotContain("connectionString").And.Contain("\"output\": \"out\"");
	}

	[Test]
	public async Task AConnectionStringFromTheFileIsNeverPrinted()
	{
		using var folder = new TempDirectory();
		var wrong = new Npgsql.NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { Password = "file-secret-0815" }.ConnectionString;
		File.WriteAllText(folder.File("options.json"), System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["connectionString"] = wrong }));

		var (code, output, error) = await RunAsync("scaffold", "--options", folder.File("options.json"), "--output", folder.File("out"));

		code.Should().Be(CommandLine.Failed);
		error.Should().Contain("IAM authentication failed");
		(output + error).Should().NotContain("file-secret-0815");
	}

	[Test]
	public async Task TheTemplateCommandWritesTheStarterTemplateAndKeepsAnExistingFile()
	{
		using var folder = new TempDirectory();
		var path = folder.File("Custom.tt");

		var (code, output, error) = await RunAsync("template", "--output", path);
		(code, error).Should().Be((0, ""));
		output.Should().Contain("Wrote " + path);
		File.ReadAllText(path).Should().StartWith("<#@ template language=\"C#\" #>").And.Contain("BeginFile(entity.FileName);");

		File.WriteAllText(path, "mine");
		(code, _, error) = await RunAsync("template", "--output", path, "--sample", "records");
		code.Should().Be(CommandLine.Failed);
		error.Should().Contain("exists; give --force");
		File.ReadAllText(path).Should().Be("mine");

		(code, _, _) = await RunAsync("template", "--output", path, "--sample", "records", "--force");
		code.Should().Be(0);
		File.ReadAllText(path).Should().Contain("entity.TypeKeyword = \"record\";");

		(code, _, error) = await RunAsync("template", "--sample", "fancy");
		code.Should().Be(CommandLine.UsageError);
		error.Should().Contain("fancy");
	}

	[Test]
	public async Task ScaffoldRunsATemplateFromTheCommandLine()
	{
		using var folder = new TempDirectory();
		var template = folder.File("CustomizeScaffolding.tt");
		(await RunAsync("template", "--output", template)).ExitCode.Should().Be(0);

		var (code, output, error) = await RunAsync(["scaffold", "--connection-string", TestDatabase.ConnectionString, "--output", folder.File("out"), "--customize", template, .. Cases.PascalArguments]);

		(code, error).Should().Be((0, ""));
		output.Should().Contain("Running the template " + template);
		GoldenFiles.AssertMatches("Pascal", folder.File("out"));

		File.WriteAllText(template, "<#@ template language=\"C#\" #>\n<# BeginFile(\"A.cs\"); #>\n<#= Model.Nope #>\n");
		(code, _, error) = await RunAsync("scaffold", "--connection-string", TestDatabase.ConnectionString, "--output", folder.File("out"), "--customize", template);
		code.Should().Be(CommandLine.Failed);
		error.Should().Contain("does not compile").And.Contain("CustomizeScaffolding.tt(3,");
	}
}
