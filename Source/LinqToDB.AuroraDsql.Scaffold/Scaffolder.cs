using System.Diagnostics;
using System.Globalization;

using LinqToDB.AuroraDsql.Scaffold.Generation;
using LinqToDB.AuroraDsql.Scaffold.Output;
using LinqToDB.AuroraDsql.Scaffold.Templates;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.SchemaProvider;

namespace LinqToDB.AuroraDsql.Scaffold;

/// <summary>
/// Reads a schema, builds the model, writes the files (itself, or through the T4 template <paramref name="template"/>), and
/// reports progress on the way. Output goes to the given writer; the
/// command line passes a <see cref="MaskingWriter"/>, and nothing printed here contains a password.
/// </summary>
sealed class Scaffolder(TextWriter output, bool quiet, string? template = null)
{
	/// <summary>Connects, reads, generates and writes. Returns the write result.</summary>
	public WriteResult Run(ConnectionSettings connection, GenerationOptions options, string outputDirectory)
	{
		ArgumentNullException.ThrowIfNull(connection);

		Info($"Connecting to {connection.Describe()}.");

		using var db = new DataConnection(connection.CreateDataOptions());
		return Run(db, options, outputDirectory);
	}

	/// <summary>Reads the schema over <paramref name="db"/>, generates and writes.</summary>
	public WriteResult Run(DataConnection db, GenerationOptions options, string outputDirectory)
	{
		ArgumentNullException.ThrowIfNull(db);
		ArgumentNullException.ThrowIfNull(options);

		var stopwatch = Stopwatch.StartNew();
		var schemas   = options.IncludeSchemas.Count > 0 ? string.Join(", ", options.IncludeSchemas) : "all but system schemas";
		Info($"Reading the schema ({schemas}{(options.ExcludeSchemas.Count > 0 ? "; excluding " + string.Join(", ", options.ExcludeSchemas) : "")})...");

		var tablesSeen = 0;
		var schema     = ReadSchema(db, options, () =>
		{
			if (++tablesSeen % 100 == 0)
				Info($"  {tablesSeen} tables and views found...");
		});

		var tables  = schema.Tables.OfType<AuroraDsqlTableSchema>().ToList();
		Info(
			$"Read {Count(tables.Count(t => !t.IsView), "table")} and {Count(tables.Count(t => t.IsView), "view")}: " +
			$"{Count(tables.Sum(t => t.Columns.Count), "column")}, {Count(tables.Sum(t => t.ForeignKeys.Count(k => k.BackReference != null)), "foreign key")}, " +
			$"{Count(tables.Sum(t => t.Indexes.Count(i => !i.IsPrimaryKey)), "index", "indexes")} ({Count(stopwatch.ElapsedMilliseconds, "ms", "ms")}).");

		var model = new ModelBuilder(options).Build(SchemaReader.Read(db, schema));
		IReadOnlyList<GeneratedFile> files;

		if (template is null)
			files = CodeGenerator.Generate(model);
		else
		{
			Info($"Running the template {Path.GetFullPath(template)}...");
			files = TemplateRunner.Run(template, model, text => Print("warning: " + text));
		}

		var fullPath = Path.GetFullPath(outputDirectory);
		Info($"Writing {files.Count} files to {fullPath}");

		var written = 0;
		var result  = OutputWriter.Write(outputDirectory, files, (name, change) =>
		{
			written++;
			Info(change == FileChange.Removed
				? $"  removed {name} (no longer in the schema)"
				: string.Create(CultureInfo.InvariantCulture, $"  [{Math.Min(written, files.Count)}/{files.Count}] {name}: {change.ToString().ToLowerInvariant()}"));
		});

		foreach (var warning in result.Warnings)
			Print("warning: " + warning);

		Info(string.Create(CultureInfo.InvariantCulture,
			$"Done: {result.Count(FileChange.Created)} created, {result.Count(FileChange.Updated)} updated, {result.Count(FileChange.Unchanged)} unchanged, {result.Count(FileChange.Removed)} removed ({stopwatch.ElapsedMilliseconds} ms)."));

		return result;
	}

	/// <summary>The schema the model is built from: tables, views, keys and indexes; no procedures.</summary>
	public static DatabaseSchema ReadSchema(DataConnection db, GenerationOptions options, Action? tableSeen = null)
	{
		ArgumentNullException.ThrowIfNull(db);
		ArgumentNullException.ThrowIfNull(options);

		if (db.DataProvider.Name != AuroraDsqlTools.ProviderName)
			throw new InvalidOperationException($"The connection uses the '{db.DataProvider.Name}' provider; the scaffolder needs '{AuroraDsqlTools.ProviderName}'.");

		return db.DataProvider.GetSchemaProvider().GetSchema(db, new GetSchemaOptions
		{
			GetProcedures   = false,
			GetTables       = true,
			GetForeignKeys  = true,
			DefaultSchema   = options.DefaultSchema,
			IncludedSchemas = [.. options.IncludeSchemas],
			ExcludedSchemas = [.. options.ExcludeSchemas],
			StringComparer  = StringComparer.Ordinal,
			LoadTable       = _ =>
			{
				tableSeen?.Invoke();
				return true;
			},
		});
	}

	static string Count(long count, string singular, string? plural = null) =>
		count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? singular : plural ?? singular + "s");

	void Info(string message)
	{
		if (!quiet)
			Print(message);
	}

	void Print(string message) => output.WriteLine(message);
}
