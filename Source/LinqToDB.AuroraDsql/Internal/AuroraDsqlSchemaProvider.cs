using System.Data.Common;
using System.Globalization;
using System.Text;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Schema;
using LinqToDB.Internal.SchemaProvider;
using LinqToDB.SchemaProvider;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>
/// Schema reader for Aurora DSQL. linq2db's PostgreSQL schema provider reads catalogs DSQL lacks (pg_inherits, pg_statio_*,
/// pg_matviews, pg_rewrite, pg_collation, <c>information_schema._pg_*</c> helpers), asks for the server version, and executes
/// table functions to learn their result sets. This one derives from <see cref="SchemaProviderBase"/> directly and runs only
/// queries over the catalogs DSQL documents (pg_class, pg_namespace, pg_attribute, pg_type, pg_index, pg_constraint, pg_attrdef,
/// pg_depend, pg_description, pg_proc, pg_sequence) and the functions <c>pg_get_expr</c>, <c>pg_get_indexdef</c> and
/// <c>pg_get_viewdef</c>, with no json-typed expression and no array type in any result. It never executes a function or procedure:
/// procedure metadata comes from pg_proc alone, table-function result columns from their declared OUT/TABLE arguments.
/// This file holds the entry points, types and the result; the catalog reads are in the partial files beside it
/// (<c>.Tables</c>, <c>.Keys</c>, <c>.Indexes</c>, <c>.Procedures</c>).
/// </summary>
sealed partial class AuroraDsqlSchemaProvider : SchemaProviderBase
{
	/// <summary>Schemas never read unless explicitly included (and any schema whose name starts with <c>pg_</c>).</summary>
	internal static readonly IReadOnlyList<string> SystemSchemas = ["information_schema", "pg_catalog", "pg_toast", "sys"];

	// The oid of pg_class / pg_proc as catalogs (pg_description.classoid, pg_depend.classid), looked up rather than hard-coded.
	const string PgClassOid = "(SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog' AND c.relname = 'pg_class')";
	const string PgProcOid  = "(SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog' AND c.relname = 'pg_proc')";

	DataConnection?    _connection;
	GetSchemaOptions   _options = new();
	string             _defaultSchema = "public";
	string             _schemaFilter = "true";
	DataParameter[]    _filterParameters = [];

	// per read: what the catalog queries returned beyond linq2db's model
	readonly Dictionary<string, TableRow>     _tables      = new(StringComparer.Ordinal);
	readonly Dictionary<long, TableRow>       _tablesByOid = [];
	List<ColumnRow>?                          _columns;
	readonly Dictionary<long, List<ColumnRow>> _columnsByTable = [];
	readonly Dictionary<string, string>       _primaryKeyNames = new(StringComparer.Ordinal);

	sealed record TableRow(string Id, long Oid, string Catalog, string Schema, string Name, string Kind, string? Description, string? ViewDefinition);

	sealed record ColumnRow(
		long    TableOid,
		string  Name,
		int     Ordinal,
		bool    NotNull,
		string  BaseTypeName,
		string  TypeName,
		int?    Length,
		int?    Precision,
		int?    Scale,
		string  Identity,
		string  Generated,
		string? Default,
		string? Description,
		long?   IdentityCache,
		string  TableKind);

	#region Entry points

	public override DatabaseSchema GetSchema(DataConnection dataConnection, GetSchemaOptions? options = null)
	{
		ArgumentNullException.ThrowIfNull(dataConnection);

		options ??= new GetSchemaOptions();

		_tables.Clear();
		_tablesByOid.Clear();
		_columnsByTable.Clear();
		_primaryKeyNames.Clear();
		_columns = null;
		_connection = dataConnection;

		try
		{
			return base.GetSchema(dataConnection, options);
		}
		finally
		{
			_connection = null;
		}
	}

	protected override void InitProvider(DataConnection dataConnection, GetSchemaOptions options)
	{
		_options       = options;
		_defaultSchema = string.IsNullOrEmpty(options.DefaultSchema) ? "public" : options.DefaultSchema;
		BuildSchemaFilter(options);
	}

	/// <summary>
	/// System schemas are filtered in SQL (unless explicitly included); the user's included and excluded schemas are applied by
	/// linq2db with <see cref="GetSchemaOptions.StringComparer"/> (and here for procedures and indexes), so its case rules hold.
	/// </summary>
	void BuildSchemaFilter(GetSchemaOptions options)
	{
		var comparer   = options.StringComparer ?? StringComparer.OrdinalIgnoreCase;
		var included   = (options.IncludedSchemas ?? []).Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToList();
		var parameters = new List<DataParameter>();

		var excludedSystem = SystemSchemas.Where(s => !included.Contains(s, comparer)).ToList();
		var filter         = new StringBuilder();

		filter.Append('(');

		if (excludedSystem.Count > 0)
		{
			filter.Append("ns.nspname NOT IN (").Append(string.Join(", ", excludedSystem.Select(s => "'" + s + "'"))).Append(") AND ");
		}

		filter.Append("(ns.nspname NOT LIKE 'pg!_%' ESCAPE '!'");

		// explicitly included pg_* schemas
		var includedPg = included.Where(s => s.StartsWith("pg_", StringComparison.OrdinalIgnoreCase)).ToList();
		if (includedPg.Count > 0)
		{
			var caseInsensitive = comparer.Equals("A", "a");
			filter.Append(caseInsensitive ? " OR lower(ns.nspname) IN (" : " OR ns.nspname IN (");

			for (var i = 0; i < includedPg.Count; i++)
			{
				var name = "schema" + i.ToString(CultureInfo.InvariantCulture);
				if (i > 0)
					filter.Append(", ");
				filter.Append(':').Append(name);
				parameters.Add(DataParameter.Text(name, caseInsensitive ? includedPg[i].ToLowerInvariant() : includedPg[i]));
			}

			filter.Append(')');
		}

		filter.Append("))");

		_schemaFilter     = filter.ToString();
		_filterParameters = [.. parameters];
	}

	// the same test linq2db applies to tables (its sets use GetSchemaOptions.StringComparer)
	bool IsSchemaSelected(string schema) =>
		(IncludedSchemas.Count == 0 || IncludedSchemas.Contains(schema)) &&
		(ExcludedSchemas.Count == 0 || !ExcludedSchemas.Contains(schema));

	static bool IsSystemSchema(string schema) =>
		SystemSchemas.Contains(schema, StringComparer.Ordinal) || schema.StartsWith("pg_", StringComparison.Ordinal);

	/// <summary>
	/// linq2db's table id: catalog, schema and name joined with dots; a part that itself contains a dot or a double quote is
	/// double-quoted so ids stay unique.
	/// </summary>
	static string MakeId(string catalog, string schema, string name) =>
		IdPart(catalog) + "." + IdPart(schema) + "." + IdPart(name);

	static string IdPart(string part) =>
		part.Contains('.', StringComparison.Ordinal) || part.Contains('"', StringComparison.Ordinal)
			? "\"" + part.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
			: part;

	#endregion

	#region Types

	protected override List<DataTypeInfo> GetDataTypes(DataConnection dataConnection) =>
		SchemaTypes.All
			.Select(t => new DataTypeInfo { TypeName = t.Name, DataType = t.SystemType.AssemblyQualifiedName! })
			.ToList();

	protected override DataType GetDataType(string? dataType, string? columnType, int? length, int? precision, int? scale) =>
		SchemaTypes.FindByName(dataType)?.DataType ?? DataType.Undefined;

	protected override Type? GetSystemType(string? dataType, string? columnType, DataTypeInfo? dataTypeInfo, int? length, int? precision, int? scale, GetSchemaOptions options)
	{
		if (dataType is null)
			return typeof(object);

		if (dataType.EndsWith("[]", StringComparison.Ordinal))
		{
			var element = GetSystemType(dataType[..^2], null, null, null, null, null, options);
			return element is null || element == typeof(object) ? typeof(object) : element.MakeArrayType();
		}

		var mapping = SchemaTypes.FindByName(dataType);
		if (mapping is null)
			return typeof(object);

		// linq2db's convention: character(1) is a char unless GenerateChar1AsString
		if (mapping.Name == "character" && length == 1 && !GenerateChar1AsString)
			return typeof(char);

		return mapping.SystemType;
	}

	protected override string? GetProviderSpecificTypeNamespace() => null;

	#endregion

	#region Result

	protected override DatabaseSchema ProcessSchema(DatabaseSchema databaseSchema, GetSchemaOptions schemaOptions)
	{
		// linq2db creates plain TableSchema / ColumnSchema objects; swap in ours (keeping every reference consistent) before
		// linq2db adds back-references and association names.
		var tables  = new Dictionary<TableSchema, AuroraDsqlTableSchema>(ReferenceEqualityComparer.Instance);
		var columns = new Dictionary<ColumnSchema, AuroraDsqlColumnSchema>(ReferenceEqualityComparer.Instance);

		foreach (var table in databaseSchema.Tables)
			tables[table] = ToDsql(table, columns);

		foreach (var table in databaseSchema.Tables)
		{
			foreach (var key in table.ForeignKeys)
			{
				key.ThisTable    = key.ThisTable is null ? null : tables.TryGetValue(key.ThisTable, out var thisTable) ? thisTable : key.ThisTable;
				key.OtherTable   = tables.TryGetValue(key.OtherTable, out var otherTable) ? otherTable : key.OtherTable;
				key.ThisColumns  = key.ThisColumns .Select(c => columns.TryGetValue(c, out var column) ? column : c).ToList();
				key.OtherColumns = key.OtherColumns.Select(c => columns.TryGetValue(c, out var column) ? column : c).ToList();
			}
		}

		databaseSchema.Tables = databaseSchema.Tables.Select(t => (TableSchema)tables[t]).ToList();

		databaseSchema = base.ProcessSchema(databaseSchema, schemaOptions);

		if (_connection != null && databaseSchema.Tables.Exists(t => !t.IsView))
		{
			var indexes = LoadIndexes(_connection);

			foreach (var table in databaseSchema.Tables.Cast<AuroraDsqlTableSchema>())
			{
				if (table.ID != null && _tables.TryGetValue(table.ID, out var row) && indexes.TryGetValue(row.Oid, out var list))
					table.Indexes = list.OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
			}
		}

		return databaseSchema;
	}

	AuroraDsqlTableSchema ToDsql(TableSchema table, Dictionary<ColumnSchema, AuroraDsqlColumnSchema> columnMap)
	{
		var row = table.ID is null ? null : _tables.GetValueOrDefault(table.ID);

		var result = new AuroraDsqlTableSchema
		{
			ID                 = table.ID,
			CatalogName        = table.CatalogName,
			SchemaName         = table.SchemaName,
			TableName          = table.TableName,
			Description        = table.Description,
			IsDefaultSchema    = table.IsDefaultSchema,
			IsView             = table.IsView,
			IsProcedureResult  = table.IsProcedureResult,
			TypeName           = table.TypeName,
			IsProviderSpecific = table.IsProviderSpecific,
			GroupName          = table.GroupName,
			ForeignKeys        = table.ForeignKeys,
			PrimaryKeyName     = table.ID is null ? null : _primaryKeyNames.GetValueOrDefault(table.ID),
			ViewDefinition     = row?.ViewDefinition,
		};

		var rows = row is null ? null : _columnsByTable.GetValueOrDefault(row.Oid);

		result.Columns = table.Columns
			.Select(c =>
			{
				var columnRow = rows?.Find(r => string.Equals(r.Name, c.ColumnName, StringComparison.Ordinal));
				var column    = new AuroraDsqlColumnSchema
				{
					Table                     = result,
					ColumnName                = c.ColumnName,
					ColumnType                = c.ColumnType,
					IsNullable                = c.IsNullable,
					IsIdentity                = c.IsIdentity,
					IsPrimaryKey              = c.IsPrimaryKey,
					PrimaryKeyOrder           = c.PrimaryKeyOrder,
					Description               = c.Description,
					MemberName                = c.MemberName,
					MemberType                = c.MemberType,
					ProviderSpecificType      = c.ProviderSpecificType,
					SystemType                = c.SystemType,
					DataType                  = c.DataType,
					SkipOnInsert              = c.SkipOnInsert,
					SkipOnUpdate              = c.SkipOnUpdate,
					Length                    = c.Length,
					Precision                 = c.Precision,
					Scale                     = c.Scale,
					Ordinal                   = c.Ordinal,
					DefaultValue              = columnRow?.Generated.Length > 0 ? null : columnRow?.Default,
					GenerationExpression      = columnRow?.Generated.Length > 0 ? columnRow.Default : null,
					IdentityCache             = columnRow?.IdentityCache,
					IsIdentityGeneratedAlways = columnRow?.Identity == "a",
				};

				columnMap[c] = column;
				return (ColumnSchema)column;
			})
			.ToList();

		return result;
	}

	#endregion

	static string? GetStringOrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
