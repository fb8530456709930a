using System.Text;
using AuroraDsql.Local.Classification;
using AuroraDsql.Local.Protocol;
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
/// <item>role management (<c>CREATE/ALTER/DROP ROLE</c>, <c>GRANT/REVOKE</c> of roles) goes through the backend's checked
/// procedures (<see cref="RoleStatementRewriter"/>): client roles have no CREATEROLE.</item>
/// </list>
/// Statements without rewrites share a few cached plans: per statement only its tokens and their shape are allocated.
/// </summary>
sealed class DsqlRuleClassifier : IStatementClassifier
{
	readonly DsqlRuleSet _rules;
	readonly DsqlRewriter _rewriter;
	readonly TimeSpan _maxAge;
	readonly TimeProvider _time;
	readonly CommitFailureInjector _failures;
	readonly SchemaVersion _schema;
	readonly Action<string> _log;
	readonly StatementPlan _ddl;
	readonly StatementPlan _dml;
	readonly StatementPlan _other;
	readonly StatementPlan _commit;

	public DsqlRuleClassifier(DsqlRuleSet rules, TimeSpan maxTransactionAge, TimeProvider time, CommitFailureInjector failures, SchemaVersion schema, Action<string> log,
		DsqlServerVersion? version = null)
	{
		_rewriter = new DsqlRewriter(version);
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

	/// <summary>
	/// Statement rules and rewrites read the statement only; the per-transaction rules are the plans' execution checks. A
	/// refusal is logged when it is classified: sessions do not keep refusals (see <see cref="Proxy.ParsedStatementCache"/>).
	/// </summary>
	public bool DependsOnTextAndSessionOnly => true;

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

		if (ForbiddenSetConfig(shape) is { } setConfig)
		{
			_log($"refused set_config: {setConfig.SqlState} {setConfig.Message}");
			return StatementPlan.Refuse(statement, setConfig.SqlState, setConfig.Message, hint: setConfig.Hint);
		}

		var category = DsqlStatementRules.Categorize(shape);
		var rules = context.Control == TransactionControl.Commit
			? _commit
			: category == StatementCategory.Ddl
				? _ddl
				: _rules.CountsAsDml(category) ? _dml : _other;

		var rewrite = _rewriter.Classify(context);
		if (rewrite is null && category == StatementCategory.Ddl && RoleStatementRewriter.Rewrite(shape) is { } roleStatement)
			rewrite = roleStatement;

		return rewrite is null
			? rules
			: rewrite with { CheckExecute = rules.CheckExecute, OnExecute = rules.OnExecute, IsDdl = rules.IsDdl };
	}

	/// <summary>
	/// <c>set_config(name, value, …)</c> follows SET's rules (<c>client_encoding</c> only UTF-8), also inside a SQL routine's
	/// body; a name that is not a string constant is refused. The backend enforces the same through <c>sys.set_config</c>.
	/// </summary>
	RuleViolation? ForbiddenSetConfig(StatementShape shape)
	{
		for (var i = 0; i + 2 < shape.Count; i++)
		{
			if (shape.Name(i) != "set_config" || !shape.Sym(i + 1, "("))
				continue;

			var name = SqlText.StringValue(shape.Text, shape.Tokens[i + 2], shape.Statement.StandardConformingStrings);
			if (name is null || !_rules.SettableParameters.Contains(name.ToLowerInvariant()))
			{
				var rule = _rules.Rule("set-parameter");
				return new RuleViolation(rule.Id, rule.SqlState, rule.FormatMessage(name ?? shape.TokenText(i + 2)), rule.Hint);
			}

			if (name.Equals("client_encoding", StringComparison.OrdinalIgnoreCase))
			{
				var value = shape.Sym(i + 3, ",") && i + 4 < shape.Count
					? SqlText.StringValue(shape.Text, shape.Tokens[i + 4], shape.Statement.StandardConformingStrings)
					: null;
				if (value is null || !ClientEncodings.IsAccepted(value))
				{
					var rule = _rules.Rule("client-encoding");
					return new RuleViolation(rule.Id, rule.SqlState, rule.FormatMessage(value ?? (i + 4 < shape.Count ? shape.TokenText(i + 4) : "")), rule.Hint);
				}
			}
		}

		foreach (var body in RoutineSyntax.BodyStatements(shape))
		{
			if (ForbiddenSetConfig(new StatementShape(body)) is { } violation)
				return violation;
		}

		return null;
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
		if (!transaction.IsExplicit || transaction.IsFailed || session.Transactions.BackendStatus == TransactionStatus.InFailedTransactionBlock)
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
