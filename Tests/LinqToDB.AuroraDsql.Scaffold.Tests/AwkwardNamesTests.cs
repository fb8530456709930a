using LinqToDB.AuroraDsql.Scaffold.Generation;
using LinqToDB.AuroraDsql.Scaffold.Naming;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>
/// Names that collide with what every generated class sees: a column called <c>data_type</c> (a property <c>DataType</c>
/// would capture <c>DataType.Text</c> in the class's attributes) and tables named like <see cref="object"/>'s members
/// (<c>nameof(Equals.Id)</c> would bind to the method). The model must still compile without warnings. The schema lives
/// only while this fixture runs.
/// </summary>
public sealed class AwkwardNamesTests
{
	static readonly string[] _tables = ["odd.item", "odd.get_type", "odd.equals"];

	static readonly GenerationOptions _options = new()
	{
		Namespace              = "Odd.Model",
		ContextName            = "OddDb",
		ClassNaming            = ClassNaming.Pascal,
		Singularize            = true,
		Pluralize              = true,
		IncludeSchemas         = ["odd"],
		NullableReferenceTypes = true,
	};

	[OneTimeSetUp]
	public async Task CreateSchemaAsync()
	{
		await TestDatabase.ExecuteAsAdminAsync("CREATE SCHEMA odd");
		await TestDatabase.ExecuteAsAdminAsync($"GRANT USAGE, CREATE ON SCHEMA odd TO {TestDatabase.User}");
		await TestDatabase.ExecuteAsync("CREATE TABLE odd.equals (id int PRIMARY KEY, name text)");
		await TestDatabase.ExecuteAsync("CREATE TABLE odd.get_type (id int PRIMARY KEY, parent_id int REFERENCES odd.get_type (id))");
		await TestDatabase.ExecuteAsync("CREATE TABLE odd.item (id int PRIMARY KEY, data_type text NOT NULL, equals_id int REFERENCES odd.equals (id))");
	}

	[OneTimeTearDown]
	public async Task DropSchemaAsync()
	{
		foreach (var table in _tables)
			await TestDatabase.ExecuteAsync($"DROP TABLE IF EXISTS {table}");

		await TestDatabase.ExecuteAsAdminAsync("DROP SCHEMA IF EXISTS odd");
	}

	[Test]
	public void TheModelCompilesCleanly()
	{
		using var output = new TempDirectory();
		Cases.Generate(_options, output.Path);

		ModelCompiler.Compile("OddModel", Cases.Sources(output.Path));

		var item = File.ReadAllText(output.File("Item.cs"));
		item.Should().Contain("public string DataType { get; set; } = null!;")
			.And.Contain("DataType = global::LinqToDB.DataType.")
			.And.NotContain("DataType = DataType.");

		Directory.EnumerateFiles(output.Path, "*.cs").Select(Path.GetFileName)
			.Should().NotContain(["Equals.cs", "GetType.cs"], "classes of those names would be hidden by object's members");
	}
}
