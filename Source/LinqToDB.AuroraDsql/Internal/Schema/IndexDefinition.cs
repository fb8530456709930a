using System.Text;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

/// <summary>An index ready to be rendered as DSQL's <c>CREATE [UNIQUE] INDEX ASYNC …</c>.</summary>
sealed record IndexDefinition(
	string                  QuotedName,
	string                  QuotedTable,
	IReadOnlyList<IndexKey> Keys,
	IReadOnlyList<string>   Include,
	bool                    Unique,
	bool                    NullsNotDistinct,
	string?                 Predicate,
	bool                    IfNotExists)
{
	public string ToSql()
	{
		var sql = new StringBuilder("CREATE ");

		if (Unique)
			sql.Append("UNIQUE ");

		sql.Append("INDEX ASYNC ");

		if (IfNotExists)
			sql.Append("IF NOT EXISTS ");

		sql.Append(QuotedName).Append(" ON ").Append(QuotedTable).Append(" (");
		sql.AppendJoin(", ", Keys.Select(k => k.Nulls is null ? k.Sql : k.Sql + " NULLS " + k.Nulls));
		sql.Append(')');

		if (Include.Count > 0)
			sql.Append(" INCLUDE (").AppendJoin(", ", Include).Append(')');

		if (NullsNotDistinct)
			sql.Append(" NULLS NOT DISTINCT");

		if (Predicate != null)
			sql.Append(" WHERE ").Append(Predicate);

		return sql.ToString();
	}
}
