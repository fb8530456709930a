using LinqToDB.AuroraDsql.Scaffold.Generation;
using LinqToDB.AuroraDsql.Scaffold.Naming;
using LinqToDB.AuroraDsql.Scaffold.Output;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>The generation cases the golden files and the compile tests share.</summary>
public static class Cases
{
	/// <summary>Everything on: PascalCase, singular classes, plural collections, nullable reference types, index attributes.</summary>
	internal static readonly GenerationOptions Pascal = new()
	{
		Namespace              = "Shop.Model",
		ContextName            = "ShopDb",
		ClassNaming            = ClassNaming.Pascal,
		Singularize            = true,
		Pluralize              = true,
		IncludeSchemas         = ["shop", "extra"],
		NullableReferenceTypes = true,
		IndexAttributes        = true,
	};

	/// <summary>Database names as they are, no inflection, nullable reference types off, no index attributes, one schema.</summary>
	internal static readonly GenerationOptions Preserve = new()
	{
		Namespace      = "Shop.Raw",
		ContextName    = "RawDb",
		ClassNaming    = ClassNaming.Preserve,
		IncludeSchemas = ["shop"],
	};

	/// <summary>
	/// The Pascal case with every type option switched away from its default and every constraint attribute on: DateTime for
	/// date, TimeSpan for time, DateTime for timestamptz, JsonDocument for json/jsonb, foreign keys and checks declared.
	/// </summary>
	internal static readonly GenerationOptions Everything = Pascal with
	{
		Namespace            = "Shop.Everything",
		ForeignKeyAttributes = true,
		CheckAttributes      = true,
		DateType             = DateMapping.DateTime,
		TimeType             = TimeMapping.TimeSpan,
		TimestampTzType      = TimestampTzMapping.DateTime,
		JsonType             = JsonMapping.JsonDocument,
	};

	/// <summary>The command-line arguments of <see cref="Pascal"/> (without connection and output).</summary>
	public static readonly string[] PascalArguments =
	[
		"--namespace", "Shop.Model", "--context-name", "ShopDb", "--class-naming", "pascal", "--singularize", "--pluralize",
		"--include-schemas", "shop,extra", "--nullable", "--index-attributes",
	];

	/// <summary>Generates a case into a folder, through the same path as the tool (schema read, model, writer).</summary>
	internal static WriteResult Generate(GenerationOptions options, string directory, TextWriter? log = null, string? template = null)
	{
		using var db = TestDatabase.Connect();
		return new Scaffolder(log ?? TextWriter.Null, quiet: log is null, template).Run(db, options, directory);
	}

	/// <summary>The generated C# files of a folder, for compiling.</summary>
	public static IEnumerable<(string Path, string Text)> Sources(string directory) =>
		Directory.EnumerateFiles(directory, "*.cs").Order(StringComparer.Ordinal).Select(p => (p, File.ReadAllText(p)));
}
