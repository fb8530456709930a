using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.SqlQuery;
using LinqToDB.Mapping;
using LinqToDB.SqlQuery;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Merge;

/// <summary>
/// How a linq2db <c>Merge()</c> runs on DSQL, which has no MERGE. The shapes that are upserts become
/// <c>INSERT … SELECT … ON CONFLICT (key) DO UPDATE / DO NOTHING</c>; a merge that only updates becomes
/// <c>UPDATE … FROM</c>. Everything else is refused here, before anything is sent, with what to write instead:
/// DELETE branches, <c>NOT MATCHED BY SOURCE</c>, several branches of one kind, an ON condition that is not equality on a
/// key or unique index (for an insert), conditions ON CONFLICT cannot express, and output.
/// </summary>
/// <param name="Insert">The <c>WHEN NOT MATCHED THEN INSERT</c> branch, if any.</param>
/// <param name="Update">The <c>WHEN MATCHED THEN UPDATE</c> branch, if any.</param>
/// <param name="ConflictColumns">The key or unique index the ON condition matches on (empty for an update-only merge).</param>
/// <param name="SourceValues">
/// For <c>DO UPDATE</c>: each source field an insert item copies unchanged into a target column, with that column. The
/// update branch sees the source row only through <c>EXCLUDED</c>, the row proposed for insertion.
/// </param>
sealed record UpsertPlan(
	SqlMergeOperationClause?                Insert,
	SqlMergeOperationClause?                Update,
	IReadOnlyList<SqlField>                 ConflictColumns,
	IReadOnlyDictionary<SqlField, SqlField> SourceValues)
{
	const string Instead =
		"InsertOrUpdate/InsertOrReplace for single rows, or separate Update, Insert and Delete statements in one transaction";

	public static UpsertPlan From(SqlMergeStatement merge, MappingSchema mappingSchema)
	{
		if (merge.Output?.HasOutput == true)
			throw Refusal("MergeWithOutput is not supported: DSQL has no MERGE … RETURNING, and the INSERT … ON CONFLICT the provider runs instead cannot tell inserted rows from updated ones. " +
				"Run the merge without output and read the rows afterwards, or use InsertOrUpdate.");

		SqlMergeOperationClause? insert = null, update = null;

		foreach (var operation in merge.Operations)
		{
			switch (operation.OperationType)
			{
				case MergeOperationType.Insert when insert is null:
					insert = operation;
					break;
				case MergeOperationType.Update when update is null:
					update = operation;
					break;
				case MergeOperationType.Insert or MergeOperationType.Update:
					throw Refusal($"this merge has more than one {(operation.OperationType == MergeOperationType.Insert ? "InsertWhenNotMatched" : "UpdateWhenMatched")} branch, " +
						"and INSERT … ON CONFLICT has one of each. Combine them into one branch (choose values with conditional expressions), or run separate statements.");
				case MergeOperationType.Delete or MergeOperationType.UpdateWithDelete:
					throw Refusal("DELETE branches (DeleteWhenMatched, UpdateWhenMatchedThenDelete) cannot be expressed as INSERT … ON CONFLICT. " +
						"Delete the matching rows with a separate Delete() (or DeleteInBatches) in the same transaction, and merge the rest.");
				default:
					throw Refusal("NOT MATCHED BY SOURCE branches (DeleteWhenNotMatchedBySource, UpdateWhenNotMatchedBySource) cannot be expressed as INSERT … ON CONFLICT. " +
						"Update or delete the target rows missing from the source with a separate statement (for example table.Where(t => !source.Any(s => s.Key == t.Key)).Delete()).");
			}
		}

		if (insert is null && update is null)
			throw Refusal("the merge has no branch the provider can run.");

		if (insert is null)
			return new UpsertPlan(null, update, [], new Dictionary<SqlField, SqlField>());

		var target   = (SqlTable)merge.Target.Source;
		var equality = KeyEquality(merge, target);
		var columns  = equality.Select(e => e.Column).ToList();

		EnsureUniqueTarget(target, columns, mappingSchema);

		foreach (var (column, sourceValue) in equality)
		{
			var item = insert.Items.FirstOrDefault(i => ReferenceEquals(i.Column, column));
			if (item?.Expression is null || !item.Expression.Equals(sourceValue, static (_, _) => true))
				throw Refusal($"the insert branch does not set key column \"{column.PhysicalName}\" to the source value the ON condition compares it with, " +
					"so a conflict on the key would not be the match MERGE finds. Insert the key from the source (an identity key cannot be matched on: match on a unique index of source-given columns instead).");
		}

		if (update != null && insert.Where != null)
			throw Refusal("the insert branch has a condition (InsertWhenNotMatchedAnd) and the merge also updates: INSERT … ON CONFLICT filters the proposed rows before it knows " +
				"which match, so the condition would also stop matching rows from being updated. Filter the source instead (Using(source.Where(…))), or run the insert and the update as separate statements.");

		var sourceValues = new Dictionary<SqlField, SqlField>();

		foreach (var item in insert.Items)
		{
			if (item.Expression is SqlField field && ReferenceEquals(field.Table, merge.Source) && item.Column is SqlField column)
				sourceValues.TryAdd(field, column);
		}

		if (update != null)
			EnsureUpdateSeesOnlyInsertedValues(merge, update, sourceValues);

		return new UpsertPlan(insert, update, columns, sourceValues);
	}

	/// <summary>
	/// The ON condition as pairs <c>Target.column = source value</c>: it must be a conjunction of such equalities and
	/// nothing else, since ON CONFLICT can match on nothing but a key.
	/// </summary>
	static List<(SqlField Column, ISqlExpression Value)> KeyEquality(SqlMergeStatement merge, SqlTable target)
	{
		var pairs = new List<(SqlField, ISqlExpression)>();

		if (!Collect(merge.On, target, pairs) || pairs.Count == 0 || pairs.Select(p => p.Item1).Distinct().Count() != pairs.Count)
			throw Refusal("an insert branch runs as INSERT … ON CONFLICT, which matches on a primary key or unique index only, but the ON condition is not a plain equality " +
				"of target key columns to source values. Match with OnTargetKey() or On(t => new { t.Key }, s => new { s.Key }) on the columns of the primary key or of a unique index, " +
				"and move other conditions to the source (Using(source.Where(…))) or to UpdateWhenMatchedAnd.");

		return pairs;
	}

	static bool Collect(SqlSearchCondition condition, SqlTable target, List<(SqlField, ISqlExpression)> pairs)
	{
		if (condition.IsOr && condition.Predicates.Count > 1)
			return false;

		foreach (var predicate in condition.Predicates)
		{
			switch (predicate)
			{
				case SqlSearchCondition nested:
					if (!Collect(nested, target, pairs))
						return false;
					break;
				case SqlPredicate.ExprExpr { Operator: SqlPredicate.Operator.Equal } equal:
					if (equal.Expr1 is SqlField left && ReferenceEquals(left.Table, target) && !ReadsTable(equal.Expr2, target))
						pairs.Add((left, equal.Expr2));
					else if (equal.Expr2 is SqlField right && ReferenceEquals(right.Table, target) && !ReadsTable(equal.Expr1, target))
						pairs.Add((right, equal.Expr1));
					else
						return false;
					break;
				default:
					return false;
			}
		}

		return true;
	}

	static bool ReadsTable(ISqlExpression expression, ISqlTableSource table) =>
		expression.Find(table, static (t, e) => e is SqlField f && ReferenceEquals(f.Table, t)) != null;

	/// <summary>
	/// The matched columns must be the primary key or a unique index declared in the mapping: anything else would make
	/// the server refuse the ON CONFLICT target (42P10), or, for a partial or NULLS NOT DISTINCT index, match other rows
	/// than MERGE does.
	/// </summary>
	static void EnsureUniqueTarget(SqlTable target, List<SqlField> columns, MappingSchema mappingSchema)
	{
		var names = columns.Select(c => c.PhysicalName).ToHashSet(StringComparer.Ordinal);
		var key   = target.Fields.Where(f => f.IsPrimaryKey).Select(f => f.PhysicalName).ToList();

		if (key.Count > 0 && names.SetEquals(key))
			return;

		var indexes = target.ObjectType is { } type ? mappingSchema.GetAttributes<AuroraDsqlIndexAttribute>(type) : [];

		foreach (var index in indexes.Where(i => i.Unique))
		{
			var indexColumns = index.Keys.Select(k => ColumnOf(target, k)).ToList();
			if (indexColumns.Any(c => c is null) || !names.SetEquals(indexColumns.Select(c => c!.PhysicalName)))
				continue;

			if (index.Predicate != null)
				throw Refusal($"the ON condition matches the columns of partial unique index \"{index.Name}\" (WHERE {index.Predicate}). ON CONFLICT would only see the rows " +
					"the predicate covers, while MERGE matches every row with those values. Match on the primary key or a full unique index, or use " + Instead + ".");

			if (index.NullsNotDistinct && indexColumns.Any(c => c!.CanBeNull))
				throw Refusal($"the ON condition matches the columns of unique index \"{index.Name}\", which treats NULLs as equal (NULLS NOT DISTINCT): ON CONFLICT would match rows " +
					"with NULL keys that MERGE's equality never matches. Match on the primary key or another unique index, or use " + Instead + ".");

			return;
		}

		throw Refusal($"an insert branch runs as INSERT … ON CONFLICT ({string.Join(", ", columns.Select(c => c.PhysicalName))}), which needs a primary key or unique index on exactly those columns, " +
			$"and the mapping of \"{target.TableName.Name}\" declares none ([PrimaryKey], or [AuroraDsqlIndex(…, Unique = true)] for a unique index). " +
			"Match on the primary key (OnTargetKey()) or declare the unique index in the mapping.");
	}

	/// <summary>The field an index key names (member or column name, with an optional NULLS FIRST/LAST); null for an expression.</summary>
	static SqlField? ColumnOf(SqlTable table, string key)
	{
		var name = key.Trim();

		foreach (var suffix in (string[])[" NULLS FIRST", " NULLS LAST"])
		{
			if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
				name = name[..^suffix.Length].TrimEnd();
		}

		if (name.Length > 1 && name[0] == '"' && name[^1] == '"')
			name = name[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);

		return table.Fields.FirstOrDefault(f => f.PhysicalName == name)
			?? table.Fields.FirstOrDefault(f => f.Name == name);
	}

	/// <summary>
	/// <c>DO UPDATE</c> reads the source row only through <c>EXCLUDED</c>: the update (and its condition) may use a source
	/// value only if the insert copies it unchanged into a column.
	/// </summary>
	static void EnsureUpdateSeesOnlyInsertedValues(SqlMergeStatement merge, SqlMergeOperationClause update, Dictionary<SqlField, SqlField> sourceValues)
	{
		var missing = new List<string>();

		void Check(IQueryElement? element)
		{
			element?.VisitAll(e =>
			{
				if (e is SqlField f && ReferenceEquals(f.Table, merge.Source) && !sourceValues.ContainsKey(f) && !missing.Contains(f.PhysicalName))
					missing.Add(f.PhysicalName);
			});
		}

		foreach (var item in update.Items)
			Check(item.Expression);
		Check(update.Where);

		if (missing.Count > 0)
			throw Refusal($"the update branch reads source value(s) {string.Join(", ", missing.Select(m => $"\"{m}\""))} that the insert branch does not copy into a column. " +
				"INSERT … ON CONFLICT DO UPDATE sees the source row only as the row proposed for insertion (EXCLUDED). Insert those values too, " +
				"or update from the source in a separate Update statement.");
	}

	static AuroraDsqlNotSupportedException Refusal(string reason) =>
		new($"Aurora DSQL has no MERGE; the provider runs Merge() as INSERT … ON CONFLICT (or UPDATE … FROM when it only updates), but {reason} Nothing was sent.");
}
