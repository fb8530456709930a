using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

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

	#region Tables and columns

	protected override List<TableInfo> GetTables(DataConnection dataConnection, GetSchemaOptions options)
	{
		var rows = dataConnection.Query(
			rd => new TableRow(
				Id:             MakeId(rd.GetString(0), rd.GetString(1), rd.GetString(2)),
				Oid:            rd.GetInt64(3),
				Catalog:        rd.GetString(0),
				Schema:         rd.GetString(1),
				Name:           rd.GetString(2),
				Kind:           rd.GetString(4),
				Description:    GetStringOrNull(rd, 5),
				ViewDefinition: GetStringOrNull(rd, 6)),
			$"""
			SELECT
				current_database(),
				ns.nspname,
				cls.relname,
				cls.oid::bigint,
				cls.relkind::text,
				des.description,
				CASE WHEN cls.relkind = 'v' THEN pg_catalog.pg_get_viewdef(cls.oid, true) END
			FROM pg_catalog.pg_class cls
				JOIN pg_catalog.pg_namespace ns ON ns.oid = cls.relnamespace
				LEFT JOIN pg_catalog.pg_description des ON des.objoid = cls.oid AND des.objsubid = 0 AND des.classoid = {PgClassOid}
			WHERE cls.relkind IN ('r', 'p', 'v', 'm') AND {_schemaFilter}
			ORDER BY ns.nspname, cls.relname
			""",
			_filterParameters)
			.ToList();

		foreach (var row in rows)
		{
			_tables[row.Id]         = row;
			_tablesByOid[row.Oid]   = row;
		}

		return rows
			.Select(r => new TableInfo
			{
				TableID            = r.Id,
				CatalogName        = r.Catalog,
				SchemaName         = r.Schema,
				TableName          = r.Name,
				Description        = r.Description,
				IsDefaultSchema    = string.Equals(r.Schema, _defaultSchema, StringComparison.Ordinal),
				IsView             = r.Kind is "v" or "m",
				IsProviderSpecific = IsSystemSchema(r.Schema),
			})
			.ToList();
	}

	List<ColumnRow> LoadColumns(DataConnection dataConnection)
	{
		if (_columns != null)
			return _columns;

		_columns = dataConnection.Query(
			rd =>
			{
				// IMPORTANT: reader calls in column order (sequential access)
				var tableOid      = rd.GetInt64(0);
				var name          = rd.GetString(1);
				var ordinal       = (int)rd.GetInt16(2);
				var notNull       = rd.GetBoolean(3);
				var typeSchema    = rd.GetString(4);
				var typeName      = rd.GetString(5);
				var typmod        = rd.GetInt32(6);
				var elementSchema = GetStringOrNull(rd, 7);
				var elementName   = GetStringOrNull(rd, 8);
				var identity      = rd.GetString(9);
				var generated     = rd.GetString(10);
				var defaultValue  = GetStringOrNull(rd, 11);
				var description   = GetStringOrNull(rd, 12);
				var cache         = rd.IsDBNull(13) ? (long?)null : rd.GetInt64(13);
				var tableKind     = rd.GetString(14);

				var (length, precision, scale) = elementName is null ? SchemaTypes.GetFacets(typeSchema, typeName, typmod) : (null, null, null);

				return new ColumnRow(
					TableOid:      tableOid,
					Name:          name,
					Ordinal:       ordinal,
					NotNull:       notNull,
					BaseTypeName:  SchemaTypes.GetBaseName(typeSchema, typeName, elementSchema, elementName),
					TypeName:      SchemaTypes.Format(typeSchema, typeName, typmod, elementSchema, elementName),
					Length:        length,
					Precision:     precision,
					Scale:         scale,
					Identity:      identity,
					Generated:     generated,
					Default:       defaultValue,
					Description:   description,
					IdentityCache: cache,
					TableKind:     tableKind);
			},
			$"""
			SELECT
				cls.oid::bigint,
				attr.attname,
				attr.attnum,
				attr.attnotnull OR (typ.typtype = 'd' AND typ.typnotnull),
				rns.nspname,
				rtyp.typname,
				CASE WHEN typ.typtype = 'd' THEN typ.typtypmod ELSE attr.atttypmod END,
				ens.nspname,
				etyp.typname,
				attr.attidentity::text,
				attr.attgenerated::text,
				pg_catalog.pg_get_expr(def.adbin, def.adrelid),
				des.description,
				seq.seqcache,
				cls.relkind::text
			FROM pg_catalog.pg_class cls
				JOIN pg_catalog.pg_namespace ns ON ns.oid = cls.relnamespace
				JOIN pg_catalog.pg_attribute attr ON attr.attrelid = cls.oid AND attr.attnum > 0 AND NOT attr.attisdropped
				JOIN pg_catalog.pg_type typ ON typ.oid = attr.atttypid
				JOIN pg_catalog.pg_type rtyp ON rtyp.oid = CASE WHEN typ.typtype = 'd' THEN typ.typbasetype ELSE typ.oid END
				JOIN pg_catalog.pg_namespace rns ON rns.oid = rtyp.typnamespace
				LEFT JOIN pg_catalog.pg_type etyp ON rtyp.typcategory = 'A' AND etyp.oid = rtyp.typelem
				LEFT JOIN pg_catalog.pg_namespace ens ON ens.oid = etyp.typnamespace
				LEFT JOIN pg_catalog.pg_attrdef def ON def.adrelid = cls.oid AND def.adnum = attr.attnum
				LEFT JOIN pg_catalog.pg_description des ON des.objoid = cls.oid AND des.objsubid = attr.attnum AND des.classoid = {PgClassOid}
				LEFT JOIN (pg_catalog.pg_depend dep JOIN pg_catalog.pg_sequence seq ON seq.seqrelid = dep.objid)
					ON attr.attidentity <> '' AND dep.refobjid = cls.oid AND dep.refobjsubid = attr.attnum AND dep.deptype = 'i'
					AND dep.classid = {PgClassOid} AND dep.refclassid = {PgClassOid}
			WHERE cls.relkind IN ('r', 'p', 'v', 'm') AND {_schemaFilter}
			ORDER BY ns.nspname, cls.relname, attr.attnum
			""",
			_filterParameters)
			.ToList();

		foreach (var column in _columns)
		{
			if (!_columnsByTable.TryGetValue(column.TableOid, out var list))
				_columnsByTable[column.TableOid] = list = [];
			list.Add(column);
		}

		return _columns;
	}

	string? ColumnName(long tableOid, long attnum) =>
		_columnsByTable.TryGetValue(tableOid, out var columns) ? columns.Find(c => c.Ordinal == attnum)?.Name : null;

	protected override List<ColumnInfo> GetColumns(DataConnection dataConnection, GetSchemaOptions options)
	{
		var columns = LoadColumns(dataConnection);

		// Identity: native identity columns; where a table has none, one column whose default is nextval(…) (the primary-key
		// one if any), as linq2db's PostgreSQL provider does.
		var sequenceDefaults = new Dictionary<long, int>();
		foreach (var group in columns.GroupBy(c => c.TableOid))
		{
			if (group.Any(c => c.Identity.Length > 0))
				continue;

			var candidates = group.Where(c => c.Default != null && NextvalDefault().IsMatch(c.Default)).ToList();
			if (candidates.Count == 0)
				continue;

			var table   = _tablesByOid.GetValueOrDefault(group.Key);
			var pkNames = table != null && _primaryKeyColumns.TryGetValue(table.Id, out var pk) ? pk : [];
			var chosen  = candidates.Find(c => pkNames.Contains(c.Name)) ?? candidates[0];
			sequenceDefaults[group.Key] = chosen.Ordinal;
		}

		return columns
			.Where(c => _tablesByOid.ContainsKey(c.TableOid))
			.Select(c =>
			{
				var isView     = c.TableKind is "v" or "m";
				var isIdentity = c.Identity.Length > 0 || (sequenceDefaults.TryGetValue(c.TableOid, out var ordinal) && ordinal == c.Ordinal);
				var computed   = c.Generated.Length > 0;

				return new ColumnInfo
				{
					TableID      = _tablesByOid[c.TableOid].Id,
					Name         = c.Name,
					IsNullable   = !c.NotNull,
					Ordinal      = c.Ordinal,
					DataType     = c.BaseTypeName,
					ColumnType   = c.TypeName,
					Length       = c.Length,
					Precision    = c.Precision,
					Scale        = c.Scale,
					Description  = c.Description,
					IsIdentity   = isIdentity,
					SkipOnInsert = isView || computed,
					SkipOnUpdate = isView || computed,
				};
			})
			.ToList();
	}

	[GeneratedRegex(@"^\s*nextval\s*\(", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
	private static partial Regex NextvalDefault();

	#endregion

	#region Keys

	readonly Dictionary<string, HashSet<string>> _primaryKeyColumns = new(StringComparer.Ordinal);

	protected override IReadOnlyCollection<PrimaryKeyInfo> GetPrimaryKeys(DataConnection dataConnection, IEnumerable<TableSchema> tables, GetSchemaOptions options)
	{
		LoadColumns(dataConnection);

		var rows = dataConnection.Query(
			rd => (Table: rd.GetInt64(0), Name: rd.GetString(1), Keys: CatalogText.ParseIntegerArray(rd.GetString(2))),
			$"""
			SELECT con.conrelid::bigint, con.conname, con.conkey::text
			FROM pg_catalog.pg_constraint con
				JOIN pg_catalog.pg_class cls ON cls.oid = con.conrelid
				JOIN pg_catalog.pg_namespace ns ON ns.oid = cls.relnamespace
			WHERE con.contype = 'p' AND {_schemaFilter}
			ORDER BY ns.nspname, cls.relname
			""",
			_filterParameters)
			.ToList();

		var result = new List<PrimaryKeyInfo>();

		foreach (var (tableOid, name, keys) in rows)
		{
			if (!_tablesByOid.TryGetValue(tableOid, out var table))
				continue;

			_primaryKeyNames[table.Id] = name;
			var columns = _primaryKeyColumns[table.Id] = new HashSet<string>(StringComparer.Ordinal);

			for (var i = 0; i < keys.Count; i++)
			{
				var column = ColumnName(tableOid, keys[i]);
				if (column is null)
					continue;

				columns.Add(column);
				result.Add(new PrimaryKeyInfo { TableID = table.Id, PrimaryKeyName = name, ColumnName = column, Ordinal = i + 1 });
			}
		}

		return result;
	}

	protected override IReadOnlyCollection<ForeignKeyInfo> GetForeignKeys(DataConnection dataConnection, IEnumerable<TableSchema> tables, GetSchemaOptions options)
	{
		LoadColumns(dataConnection);

		var rows = dataConnection.Query(
			rd => (
				Name:         rd.GetString(0),
				ThisTable:    rd.GetInt64(1),
				OtherTable:   rd.GetInt64(2),
				ThisColumns:  CatalogText.ParseIntegerArray(rd.GetString(3)),
				OtherColumns: CatalogText.ParseIntegerArray(rd.GetString(4))),
			$"""
			SELECT con.conname, con.conrelid::bigint, con.confrelid::bigint, con.conkey::text, con.confkey::text
			FROM pg_catalog.pg_constraint con
				JOIN pg_catalog.pg_class cls ON cls.oid = con.conrelid
				JOIN pg_catalog.pg_namespace ns ON ns.oid = cls.relnamespace
			WHERE con.contype = 'f' AND {_schemaFilter}
			ORDER BY ns.nspname, cls.relname, con.conname
			""",
			_filterParameters)
			.ToList();

		var result = new List<ForeignKeyInfo>();

		foreach (var (name, thisOid, otherOid, thisColumns, otherColumns) in rows)
		{
			if (!_tablesByOid.TryGetValue(thisOid, out var thisTable) || !_tablesByOid.TryGetValue(otherOid, out var otherTable))
				continue;

			for (var i = 0; i < thisColumns.Count && i < otherColumns.Count; i++)
			{
				var thisColumn  = ColumnName(thisOid,  thisColumns[i]);
				var otherColumn = ColumnName(otherOid, otherColumns[i]);

				if (thisColumn is null || otherColumn is null)
					continue;

				result.Add(new ForeignKeyInfo
				{
					Name         = name,
					ThisTableID  = thisTable.Id,
					OtherTableID = otherTable.Id,
					ThisColumn   = thisColumn,
					OtherColumn  = otherColumn,
					Ordinal      = i,
				});
			}
		}

		return result;
	}

	#endregion

	#region Indexes

	sealed record IndexRow(
		long    TableOid,
		long    IndexOid,
		string  Name,
		bool    IsUnique,
		bool    IsPrimary,
		bool    IsValid,
		bool    NullsNotDistinct,
		int     KeyCount,
		IReadOnlyList<long> Columns,
		IReadOnlyList<long> Options,
		string? Predicate,
		string  Definition,
		string? ConstraintName);

	Dictionary<long, List<AuroraDsqlIndexSchema>> LoadIndexes(DataConnection dataConnection)
	{
		var rows = dataConnection.Query(
			rd => new IndexRow(
				TableOid:         rd.GetInt64(0),
				IndexOid:         rd.GetInt64(1),
				Name:             rd.GetString(2),
				IsUnique:         rd.GetBoolean(3),
				IsPrimary:        rd.GetBoolean(4),
				IsValid:          rd.GetBoolean(5),
				NullsNotDistinct: rd.GetBoolean(6),
				KeyCount:         rd.GetInt16(7),
				Columns:          CatalogText.ParseVector(rd.GetString(8)),
				Options:          CatalogText.ParseVector(rd.GetString(9)),
				Predicate:        GetStringOrNull(rd, 10),
				Definition:       rd.GetString(11),
				ConstraintName:   GetStringOrNull(rd, 12)),
			$"""
			SELECT
				idx.indrelid::bigint,
				idx.indexrelid::bigint,
				ic.relname,
				idx.indisunique,
				idx.indisprimary,
				idx.indisvalid,
				idx.indnullsnotdistinct,
				idx.indnkeyatts,
				idx.indkey::text,
				idx.indoption::text,
				pg_catalog.pg_get_expr(idx.indpred, idx.indrelid),
				pg_catalog.pg_get_indexdef(idx.indexrelid),
				con.conname
			FROM pg_catalog.pg_index idx
				JOIN pg_catalog.pg_class ic ON ic.oid = idx.indexrelid
				JOIN pg_catalog.pg_class cls ON cls.oid = idx.indrelid
				JOIN pg_catalog.pg_namespace ns ON ns.oid = cls.relnamespace
				LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = idx.indexrelid AND con.conrelid = idx.indrelid AND con.contype IN ('p', 'u')
			WHERE cls.relkind IN ('r', 'p') AND {_schemaFilter}
			ORDER BY ns.nspname, cls.relname, ic.relname
			""",
			_filterParameters)
			.Where(r => _tablesByOid.ContainsKey(r.TableOid))
			.ToList();

		// Expression keys: their SQL, from pg_get_indexdef(index, position, true), for the positions whose attnum is 0.
		var expressionPositions = rows
			.SelectMany(r => r.Columns.Take(r.KeyCount).Select((attnum, i) => (r.IndexOid, Position: i + 1, attnum)))
			.Where(p => p.attnum == 0)
			.ToList();

		var expressions = new Dictionary<(long, int), string>();

		if (expressionPositions.Count > 0)
		{
			var values = string.Join(", ", expressionPositions.Select(p => string.Create(CultureInfo.InvariantCulture, $"({p.IndexOid}, {p.Position})")));

			foreach (var (oid, position, text) in dataConnection.Query(
				rd => (rd.GetInt64(0), rd.GetInt32(1), rd.GetString(2)),
				$"SELECT v.index_oid, v.position, pg_catalog.pg_get_indexdef(v.index_oid::oid, v.position, true) FROM (VALUES {values}) AS v(index_oid, position)"))
			{
				expressions[(oid, position)] = text;
			}
		}

		var result = new Dictionary<long, List<AuroraDsqlIndexSchema>>();

		foreach (var row in rows)
		{
			var keys = new List<AuroraDsqlIndexKey>();

			for (var i = 0; i < row.KeyCount && i < row.Columns.Count; i++)
			{
				var option = i < row.Options.Count ? row.Options[i] : 0;
				var attnum = row.Columns[i];

				keys.Add(new AuroraDsqlIndexKey
				{
					ColumnName = attnum == 0 ? null : ColumnName(row.TableOid, attnum),
					Expression = attnum == 0 ? expressions.GetValueOrDefault((row.IndexOid, i + 1)) : null,
					// pg_index.indoption: 1 = DESC, 2 = NULLS FIRST
					Descending = (option & 1) != 0,
					NullsFirst = (option & 2) != 0,
				});
			}

			var include = row.Columns
				.Skip(row.KeyCount)
				.Select(attnum => ColumnName(row.TableOid, attnum))
				.OfType<string>()
				.ToList();

			if (!result.TryGetValue(row.TableOid, out var list))
				result[row.TableOid] = list = [];

			list.Add(new AuroraDsqlIndexSchema
			{
				Name             = row.Name,
				Keys             = keys,
				Include          = include,
				IsUnique         = row.IsUnique,
				IsPrimaryKey     = row.IsPrimary,
				ConstraintName   = row.ConstraintName,
				NullsNotDistinct = row.NullsNotDistinct,
				Predicate        = row.Predicate,
				IsValid          = row.IsValid,
				Definition       = row.Definition,
			});
		}

		return result;
	}

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
