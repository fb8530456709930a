using System.Text;
using AuroraDsql.Local.Classification;
using AuroraDsql.Rules;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Enforcement;

/// <summary>
/// DSQL's rules on the statement path, in front of the <see cref="DsqlRewriter"/>:
/// <list type="bullet">
/// <item>statement rules (<see cref="DsqlRuleSet.Check(StatementShape)"/>): refused through the backend
/// (<see cref="StatementPlan.Refuse"/>), so a block is aborted and nothing outside a block is poisoned;</item>
/// <item>per-transaction rules at every execution (<see cref="StatementPlan.CheckExecute"/>, also for re-executed
/// prepared statements): one DDL, no DDL with DML, the transaction age limit;</item>
/// <item>COMMIT: the age limit, injected failures and OC001 make it fail, rolled back;</item>
/// <item><c>ALTER TABLE … DROP COLUMN</c> goes through <c>sys.alter_table_checked</c> (no primary key columns).</item>
/// </list>
/// Statements without rewrites share a few cached plans: per statement only its tokens and their shape are allocated.
/// </summary>
sealed class DsqlRuleClassifier : IStatementClassifier
{
	readonly DsqlRuleSet _rules;
	readonly DsqlRewriter _rewriter = new();
	readonly TimeSpan _maxAge;
	readonly TimeProvider _time;
	readonly CommitFailureInjector _failures;
	readonly SchemaVersion _schema;
	readonly Action<string> _log;
	readonly StatementPlan _ddl;
	readonly StatementPlan _dml;
	readonly StatementPlan _other;
	readonly StatementPlan _commit;

	public DsqlRuleClassifier(DsqlRuleSet rules, TimeSpan maxTransactionAge, TimeProvider time, CommitFailureInjector failures, SchemaVersion schema, Action<string> log)
	{
		_rules    = rules;
		_maxAge   = maxTransactionAge;
		_time     = time;
		_failures = failures;
		_schema   = schema;
		_log      = log;

		_ddl    = new StatementPlan { CheckExecute = CheckDdl, OnExecute = static t => t.DdlCount++, IsDdl = true };
		_dml    = new StatementPlan { CheckExecute = CheckDml, OnExecute = static t => t.DmlCount++ };
		_other  = new StatementPlan { CheckExecute = CheckAge };
		_commit = new StatementPlan { CheckExecute = CheckCommit };
	}

	public StatementPlan? Classify(StatementContext context)
	{
		var statement = context.Statement;
		if (statement.HasLexicalError)
			return _rewriter.Classify(context);

		var shape = new StatementShape(statement);
		if (_rules.Check(shape) is { } violation)
		{
			_log($"refused ({violation.RuleId}): {violation.SqlState} {violation.Message}");
			return StatementPlan.Refuse(statement, violation.SqlState, violation.Message, hint: violation.Hint);
		}

		if (ForbiddenSetConfig(shape) is { } parameter)
		{
			_log($"refused set_config({parameter})");
			return StatementPlan.Refuse(statement, "0A000", $"setting configuration parameter \"{parameter}\" not supported",
				hint: "Only search_path, TimeZone, application_name and client display settings can be set.");
		}

		var category = DsqlStatementRules.Categorize(shape);
		var rules = context.Control == TransactionControl.Commit
			? _commit
			: category == StatementCategory.Ddl
				? _ddl
				: _rules.CountsAsDml(category) ? _dml : _other;

		var rewrite = _rewriter.Classify(context);
		if (rewrite is null && category == StatementCategory.Ddl && DropColumnCheck(shape) is { } checkedDrop)
			rewrite = checkedDrop;

		return rewrite is null
			? rules
			: rewrite with { CheckExecute = rules.CheckExecute, OnExecute = rules.OnExecute, IsDdl = rules.IsDdl };
	}

	/// <summary>
	/// <c>set_config(name, …)</c> is SET as a function: the same parameters only. The session's identity, the string
	/// syntax the endpoint lexes with and the endpoint's own settings (limits, lock timeout) are not the client's to change.
	/// A name that is not a string constant cannot be checked and is refused too.
	/// </summary>
	string? ForbiddenSetConfig(StatementShape shape)
	{
		for (var i = 0; i + 2 < shape.Count; i++)
		{
			if (shape.Name(i) != "set_config" || !shape.Sym(i + 1, "("))
				continue;

			var name = SqlText.StringValue(shape.Text, shape.Tokens[i + 2]);
			if (name is null || !_rules.SettableParameters.Contains(name.ToLowerInvariant()))
				return name ?? shape.TokenText(i + 2);
		}

		return null;
	}

	/// <summary><c>ALTER TABLE t DROP COLUMN c</c> → <c>CALL sys.alter_table_checked('t', '{c}', 'ALTER TABLE …')</c>.</summary>
	static StatementPlan? DropColumnCheck(StatementShape shape)
	{
		if (AlterTableSyntax.Parse(shape) is not { } alter || shape.IsExplain || shape.IsPrepare)
			return null;

		var columns = alter.Actions.Where(a => a.Kind == AlterTableActionKind.DropColumn && a.ColumnName != null).Select(a => a.ColumnName!).ToList();
		if (columns.Count == 0)
			return null;

		var sql = new StringBuilder("CALL sys.alter_table_checked(");
		sql.Append(SqlText.QuoteLiteral(alter.TableName)).Append(", ARRAY[");
		sql.AppendJoin(", ", columns.Select(SqlText.QuoteLiteral)).Append("]::text[], ");
		sql.Append(SqlText.QuoteLiteral(shape.Statement.StatementText)).Append(')');
		return new StatementPlan { Sql = sql.ToString(), CommandTag = "ALTER TABLE" };
	}

	ExecutionVerdict? CheckAge(TransactionScope transaction, SessionInfo session)
	{
		transaction.SchemaVersion ??= _schema.Current;

		if (!transaction.IsExplicit || _time.GetUtcNow() - transaction.StartedAt <= _maxAge)
			return null;

		return Verdict("age-limit", ((long)_maxAge.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
	}

	ExecutionVerdict? CheckDdl(TransactionScope transaction, SessionInfo session)
	{
		if (CheckAge(transaction, session) is { } age)
			return age;
		if (transaction.DdlCount + transaction.PendingDdl > 0)
			return Verdict("one-ddl");
		return transaction.DmlCount + transaction.PendingDml > 0 ? Verdict("ddl-dml") : null;
	}

	ExecutionVerdict? CheckDml(TransactionScope transaction, SessionInfo session)
	{
		if (CheckAge(transaction, session) is { } age)
			return age;
		return transaction.DdlCount + transaction.PendingDdl > 0 ? Verdict("ddl-dml") : null;
	}

	ExecutionVerdict? CheckCommit(TransactionScope transaction, SessionInfo session)
	{
		// COMMIT outside a block only warns; in a failed block it answers ROLLBACK: nothing to fail.
		if (!transaction.IsExplicit || transaction.IsFailed || session.Transactions.BackendStatus == 'E')
			return null;

		if (CheckAge(transaction, session) is { } age)
			return age with { FailsCommit = true };

		if (_failures.TryTake(session.Role, session.Parameter("application_name")) is { } injected)
		{
			_log($"injected commit failure: {injected.SqlState} {injected.Message}");
			return injected;
		}

		if (transaction.DdlCount + transaction.DmlCount > 0 && transaction.SchemaVersion is { } version && version < _schema.Current)
			return Verdict("oc001") with { FailsCommit = true };

		return null;
	}

	ExecutionVerdict Verdict(string ruleId, params string[] arguments)
	{
		var rule = _rules.Rule(ruleId);
		_log($"refused ({ruleId}): {rule.SqlState} {rule.FormatMessage(arguments)}");
		return new ExecutionVerdict(rule.SqlState, rule.FormatMessage(arguments), rule.Hint);
	}
}
