using System.Text.RegularExpressions;

using LinqToDB.Data;
using LinqToDB.Internal.DataProvider.AuroraDsql.Schema;
using LinqToDB.Internal.SchemaProvider;
using LinqToDB.SchemaProvider;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

// Tables, views and their columns: pg_class, pg_attribute, pg_type, pg_attrdef, pg_description and, for identity caches,
// pg_depend and pg_sequence. Columns are read once per schema read and kept for keys, indexes and the result.
partial class AuroraDsqlSchemaProvider
{
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
}
