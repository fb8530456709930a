using LinqToDB.AuroraDsql.Scaffold.Model;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.SchemaProvider;

using ColumnInfo = LinqToDB.AuroraDsql.Scaffold.Model.ColumnInfo;
using ForeignKeyInfo = LinqToDB.AuroraDsql.Scaffold.Model.ForeignKeyInfo;
using TableInfo = LinqToDB.AuroraDsql.Scaffold.Model.TableInfo;

namespace LinqToDB.AuroraDsql.Scaffold.Generation;

/// <summary>
/// Turns what the provider's schema reader returns into the tool's <see cref="TableInfo"/> model, and adds what linq2db's schema
/// model has no place for: CHECK constraints and the actions and validation state of foreign keys (one catalog query on
/// <c>pg_constraint</c>).
/// </summary>
static class SchemaReader
{
	/// <summary>A constraint row: table, name, type (<c>c</c> or <c>f</c>), definition, actions, validated.</summary>
	internal sealed record ConstraintRow(string Schema, string Table, string Name, string Type, string Definition, string OnDelete, string OnUpdate, bool Validated);

	/// <summary>Reads the constraints of the tables in <paramref name="schema"/> and converts the whole schema.</summary>
	public static IReadOnlyList<TableInfo> Read(DataConnection db, DatabaseSchema schema)
	{
		ArgumentNullException.ThrowIfNull(db);
		ArgumentNullException.ThrowIfNull(schema);

		var tables      = schema.Tables.OfType<AuroraDsqlTableSchema>().Where(t => !t.IsProcedureResult).ToList();
		var constraints = tables.Exists(t => !t.IsView) ? ReadConstraints(db) : [];

		return Convert(tables, constraints);
	}

	/// <summary>CHECK and FOREIGN KEY constraints of every table the role can see, ordered by table and name.</summary>
	internal static List<ConstraintRow> ReadConstraints(DataConnection db) =>
		db.Query(
			rd => new ConstraintRow(
				rd.GetString(0), rd.GetString(1), rd.GetString(2), rd.GetString(3), rd.GetString(4),
				rd.GetString(5), rd.GetString(6), rd.GetBoolean(7)),
			"""
			SELECT ns.nspname, cls.relname, con.conname, con.contype::text, pg_catalog.pg_get_constraintdef(con.oid),
				con.confdeltype::text, con.confupdtype::text, con.convalidated
			FROM pg_catalog.pg_constraint con
				JOIN pg_catalog.pg_class cls ON cls.oid = con.conrelid
				JOIN pg_catalog.pg_namespace ns ON ns.oid = cls.relnamespace
			WHERE con.contype IN ('c', 'f')
			ORDER BY ns.nspname, cls.relname, con.conname
			""")
			.ToList();

	internal static IReadOnlyList<TableInfo> Convert(IReadOnlyList<AuroraDsqlTableSchema> tables, IReadOnlyList<ConstraintRow> constraints)
	{
		var byTable = constraints.ToLookup(c => (c.Schema, c.Table));
		var result  = new List<TableInfo>(tables.Count);

		foreach (var table in tables)
		{
			var schemaName = table.SchemaName ?? "";
			var tableName  = table.TableName ?? "";
			var rows       = byTable[(schemaName, tableName)].ToList();

			result.Add(new TableInfo
			{
				SchemaName       = schemaName,
				Name             = tableName,
				IsView           = table.IsView,
				Description      = table.Description,
				PrimaryKeyName   = table.PrimaryKeyName,
				ViewDefinition   = table.ViewDefinition,
				Columns          = table.Columns.Cast<AuroraDsqlColumnSchema>().OrderBy(c => c.Ordinal ?? int.MaxValue).Select(ToColumn).ToList(),
				Indexes          = table.Indexes.Select(ToIndex).ToList(),
				ForeignKeys      = ForeignKeys(table, rows),
				CheckConstraints = rows
					.Where(r => r.Type == "c")
					.Select(r => new CheckConstraintInfo { Name = r.Name, Condition = CheckCondition(r.Definition), IsValidated = r.Validated })
					.ToList(),
			});
		}

		return result;
	}

	static ColumnInfo ToColumn(AuroraDsqlColumnSchema column) => new()
	{
		Name                      = column.ColumnName,
		Ordinal                   = column.Ordinal ?? 0,
		DbType                    = column.ColumnType ?? "",
		DataType                  = column.DataType,
		ProviderType              = column.SystemType ?? typeof(object),
		Length                    = column.Length,
		Precision                 = column.Precision,
		Scale                     = column.Scale,
		IsNullable                = column.IsNullable,
		IsPrimaryKey              = column.IsPrimaryKey,
		PrimaryKeyOrder           = column.IsPrimaryKey ? column.PrimaryKeyOrder : 0,
		IsIdentity                = column.IsIdentity,
		IdentityCache             = column.IdentityCache,
		IsIdentityGeneratedAlways = column.IsIdentityGeneratedAlways,
		DefaultValue              = column.DefaultValue,
		GenerationExpression      = column.GenerationExpression,
		Description               = column.Description,
	};

	static IndexInfo ToIndex(AuroraDsqlIndexSchema index) => new()
	{
		Name             = index.Name,
		Keys             = index.Keys.Select(k => new IndexKeyInfo { ColumnName = k.ColumnName, Expression = k.Expression, Descending = k.Descending, NullsFirst = k.NullsFirst }).ToList(),
		Include          = index.Include,
		IsUnique         = index.IsUnique,
		IsPrimaryKey     = index.IsPrimaryKey,
		ConstraintName   = index.ConstraintName,
		NullsNotDistinct = index.NullsNotDistinct,
		Predicate        = index.Predicate,
		IsValid          = index.IsValid,
		Definition       = index.Definition,
	};

	// linq2db lists a key on both tables; the referencing side's entry has the back reference.
	static List<ForeignKeyInfo> ForeignKeys(AuroraDsqlTableSchema table, List<ConstraintRow> rows) =>
		table.ForeignKeys
			.Where(k => k.BackReference != null)
			.OrderBy(k => k.KeyName, StringComparer.Ordinal)
			.Select(k =>
			{
				var row = rows.Find(r => r.Type == "f" && r.Name == k.KeyName);
				return new ForeignKeyInfo
				{
					Name              = k.KeyName,
					Columns           = k.ThisColumns.Select(c => c.ColumnName).ToList(),
					ReferencedSchema  = k.OtherTable.SchemaName ?? "",
					ReferencedTable   = k.OtherTable.TableName ?? "",
					ReferencedColumns = k.OtherColumns.Select(c => c.ColumnName).ToList(),
					OnDelete          = Action(row?.OnDelete),
					OnUpdate          = Action(row?.OnUpdate),
					IsValidated       = row?.Validated ?? true,
					Definition        = row?.Definition ?? "",
				};
			})
			.ToList();

	static AuroraDsqlReferentialAction Action(string? code) => code switch
	{
		"r" => AuroraDsqlReferentialAction.Restrict,
		"c" => AuroraDsqlReferentialAction.Cascade,
		"n" => AuroraDsqlReferentialAction.SetNull,
		"d" => AuroraDsqlReferentialAction.SetDefault,
		_   => AuroraDsqlReferentialAction.NoAction,
	};

	/// <summary><c>CHECK ((price &gt; 0)) NOT VALID</c> → <c>(price &gt; 0)</c>: the text <c>CHECK ( … )</c> wraps.</summary>
	internal static string CheckCondition(string definition)
	{
		var text = definition.Trim();

		if (text.EndsWith(" NOT VALID", StringComparison.Ordinal))
			text = text[..^" NOT VALID".Length].TrimEnd();

		if (text.EndsWith(" NO INHERIT", StringComparison.Ordinal))
			text = text[..^" NO INHERIT".Length].TrimEnd();

		if (text.StartsWith("CHECK ", StringComparison.Ordinal))
			text = text["CHECK ".Length..].Trim();

		return ModelBuilder.IsParenthesized(text) ? text[1..^1] : text;
	}
}
