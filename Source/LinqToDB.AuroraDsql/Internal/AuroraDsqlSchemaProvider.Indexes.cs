using System.Globalization;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

// Indexes (AuroraDsqlTableSchema.Indexes) from pg_index: keys with their order and NULLS placement, expression keys through
// pg_get_indexdef, INCLUDE columns, predicates and validity (an index whose async build has not finished is not valid).
partial class AuroraDsqlSchemaProvider
{
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
}
