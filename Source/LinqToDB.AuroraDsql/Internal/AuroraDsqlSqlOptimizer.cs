using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.PostgreSQL;
using LinqToDB.Internal.SqlProvider;
using LinqToDB.Internal.SqlQuery;
using LinqToDB.Mapping;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>
/// linq2db's PostgreSQL optimizer, with the statement shapes PostgreSQL (and so DSQL) has no syntax for rewritten into
/// ones it has. linq2db emits <c>Delete()</c> after <c>Take</c>/<c>Skip</c> as <c>DELETE … ORDER BY … LIMIT</c>, which
/// PostgreSQL refuses; here it becomes <c>DELETE FROM t WHERE key IN (SELECT key FROM t … ORDER BY … LIMIT n)</c>, the
/// way updates with <c>Take</c> already select their rows through the key. A delete that reads its table through a
/// subquery (<c>table.Take(n).Delete(predicate)</c>, emitted as <c>DELETE FROM (SELECT …)</c>) is rewritten the same way.
/// </summary>
sealed class AuroraDsqlSqlOptimizer(SqlProviderFlags sqlProviderFlags) : PostgreSQLSqlOptimizer(sqlProviderFlags)
{
	public override SqlStatement TransformStatement(SqlStatement statement, DataOptions dataOptions, MappingSchema mappingSchema)
	{
		if (statement is SqlDeleteStatement delete && (LimitsRows(delete.SelectQuery) || ReadsThroughSubquery(delete)))
			DeleteThroughKeys(delete);

		return base.TransformStatement(statement, dataOptions, mappingSchema);
	}

	/// <summary>
	/// linq2db counts a query whose <c>LIMIT</c> or <c>OFFSET</c> is a literal (the <c>LIMIT 1</c> of <c>First</c>, the
	/// <c>LIMIT 2</c> of <c>Single</c>) as depending on its parameter values, and so builds its SQL again at every run
	/// instead of keeping the command text. A literal renders the same text at every run; a query whose limits are all
	/// literals is judged by its other parts only.
	/// </summary>
	public override bool IsParameterDependedQuery(SelectQuery query) =>
		(query.Select.TakeValue is not (null or SqlValue) || query.Select.SkipValue is not (null or SqlValue)) && base.IsParameterDependedQuery(query);

	static bool LimitsRows(SelectQuery query) => query.Select.TakeValue != null || query.Select.SkipValue != null;

	/// <summary>
	/// The table to delete from is not a source of the statement's query but is read through a subquery, as in
	/// <c>table.Take(n).Delete(predicate)</c>: linq2db would emit <c>DELETE FROM (SELECT …)</c>, which no PostgreSQL runs.
	/// </summary>
	static bool ReadsThroughSubquery(SqlDeleteStatement delete) =>
		delete.Table is SqlTable table && !Sources(delete.SelectQuery).Any(s => ReferenceEquals(s.Source, table)) && QueryHelper.HasTableInQuery(delete.SelectQuery, table);

	/// <summary>The tables and subqueries <paramref name="query"/> reads: its FROM list and joins.</summary>
	static IEnumerable<SqlTableSource> Sources(SelectQuery query) =>
		query.From.Tables.SelectMany(t => t.Joins.Select(j => j.Table).Prepend(t));

	/// <summary>
	/// <paramref name="keys"/> of <paramref name="table"/> as expressions of <paramref name="query"/>: the keys themselves
	/// where the table is one of its sources, or columns added to the subqueries it is read through.
	/// <see langword="null"/> when it is read in no other way (a CTE, for example).
	/// </summary>
	static IList<ISqlExpression>? KeysAt(SelectQuery query, SqlTable table, IList<ISqlExpression> keys)
	{
		if (Sources(query).Any(s => ReferenceEquals(s.Source, table)))
			return keys;

		foreach (var source in Sources(query))
		{
			if (source.Source is SelectQuery subquery && KeysAt(subquery, table, keys) is { } inner)
				return inner.Select(key => (ISqlExpression)subquery.Select.AddNewColumn(key)).ToList();
		}

		return null;
	}

	/// <summary>
	/// Turns the statement's query (with its filter, joins, order, skip and take) into a subquery that selects the keys
	/// of the rows to delete, and deletes the rows of a fresh reference to the table whose keys it returns. OUTPUT
	/// (RETURNING) is moved to that reference.
	/// </summary>
	static void DeleteThroughKeys(SqlDeleteStatement delete)
	{
		var query    = delete.SelectQuery;
		var table    = delete.Table as SqlTable ?? (query.From.Tables is [{ Source: SqlTable first }] ? first : null);
		var keys     = table?.GetKeys(false);
		var selected = table != null && keys is { Count: > 0 } ? KeysAt(query, table, keys) : null;

		if (table != null && keys is not { Count: > 0 })
			throw new AuroraDsqlNotSupportedException(
				$"Delete() with Take/Skip deletes through the primary key on Aurora DSQL (there is no DELETE … LIMIT), but table '{table.TableName.Name}' " +
				"has none mapped. Nothing was sent. Map its primary key ([PrimaryKey]), or delete by a condition that selects exactly the rows.");

		if (table is null || keys is null || selected is null)
			throw new AuroraDsqlNotSupportedException(
				"This Delete() limits its rows with Take/Skip in a shape Aurora DSQL (like PostgreSQL) cannot run: there is no DELETE … LIMIT, " +
				"and the table is read through a CTE or another source the provider cannot select its keys from. Nothing was sent. " +
				"Filter first and limit last, for example table.Where(predicate).OrderBy(key).Take(n).Delete().");

		var target = new SqlTable(table) { Alias = null };
		var map    = new Dictionary<IQueryElement, IQueryElement> { [table] = target, [table.All] = target.All };

		for (var i = 0; i < table.Fields.Count; i++)
			map[table.Fields[i]] = target.Fields[i];

		query.Select.Columns.Clear();
		foreach (var key in selected)
			query.Select.AddNew(key);

		var targetKeys = keys.Select(k => (ISqlExpression)map[k]).ToArray();
		var outer      = new SelectQuery { IsParameterDependent = query.IsParameterDependent };

		outer.From.Table(target);
		outer.Where.SearchCondition.Add(new SqlPredicate.InSubQuery(
			targetKeys.Length == 1 ? targetKeys[0] : new SqlRowExpression(targetKeys),
			isNot       : false,
			subQuery    : query,
			doNotConvert: true));

		delete.SelectQuery = outer;
		delete.Table       = target;

		if (delete.Output != null)
			delete.Output = RemapCloned(delete.Output, map);
	}
}
