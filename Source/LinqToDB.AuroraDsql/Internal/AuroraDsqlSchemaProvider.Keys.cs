using LinqToDB.Data;
using LinqToDB.Internal.DataProvider.AuroraDsql.Schema;
using LinqToDB.Internal.SchemaProvider;
using LinqToDB.SchemaProvider;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

// Primary and foreign keys from pg_constraint; key columns are named through the columns already read.
partial class AuroraDsqlSchemaProvider
{
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
}
