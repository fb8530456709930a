using System.Globalization;
using AuroraDsql.Sql;

namespace AuroraDsql.Rules;

/// <summary>
/// DSQL's SQL rules as of one DSQL release: the rules of <see cref="DsqlRuleCatalog"/> that apply on <see cref="Date"/>,
/// the column types and settable parameters of that date, and flags. <see cref="Latest"/> is current DSQL;
/// <see cref="AsOf"/> gives an earlier behaviour (for example before foreign keys). Immutable and thread-safe.
/// </summary>
/// <example>
/// <code>
/// foreach (var statement in StatementSplitter.Split(sql))
///     if (DsqlRuleSet.Latest.Check(statement) is { } violation)
///         throw new NotSupportedException($"{violation.Message} ({violation.SqlState}). {violation.Hint}");
/// </code>
/// </example>
sealed class DsqlRuleSet
{
	readonly Dictionary<string, DsqlRule[]> _byVerb = new(StringComparer.Ordinal);
	readonly DsqlRule[] _anyVerb;
	readonly Dictionary<string, DsqlRule> _byId = new(StringComparer.Ordinal);
	readonly HashSet<string> _settable;

	DsqlRuleSet(DateOnly date, bool readsCountAsDml)
	{
		Date            = date;
		ReadsCountAsDml = readsCountAsDml;

		Rules       = DsqlRuleCatalog.All.Where(r => r.AppliesOn(date)).ToArray();
		ColumnTypes = DsqlRuleCatalog.ColumnTypes.Where(t => t.Since is null || date >= t.Since.Value).ToArray();
		_settable   = new HashSet<string>(DsqlRuleCatalog.SettableParameters, StringComparer.Ordinal);

		foreach (var rule in DsqlRuleCatalog.All)
			_byId[rule.Id] = rule;

		var statementRules = Rules.Where(r => r.Scope == RuleScope.Statement && r.Matcher != null).ToArray();
		_anyVerb = statementRules.Where(r => r.Verbs is null).ToArray();
		foreach (var verb in statementRules.Where(r => r.Verbs != null).SelectMany(r => r.Verbs!).Distinct())
			_byVerb[verb] = statementRules.Where(r => r.Verbs is null || r.Verbs.Contains(verb)).ToArray();
	}

	/// <summary>The dates DSQL changed its rules on, oldest first.</summary>
	public static IReadOnlyList<DateOnly> Versions { get; } = DsqlRuleCatalog.All
		.SelectMany(r => new[] { r.Since, r.Until })
		.Concat(DsqlRuleCatalog.ColumnTypes.Select(t => t.Since))
		.Where(d => d.HasValue)
		.Select(d => d!.Value)
		.Distinct()
		.Order()
		.ToArray();

	/// <summary>Current DSQL behaviour (the newest dated change).</summary>
	public static DsqlRuleSet Latest { get; } = new(Versions[^1], readsCountAsDml: false);

	/// <summary>DSQL's behaviour on <paramref name="date"/> (rules introduced later are absent, rules lifted later apply).</summary>
	public static DsqlRuleSet AsOf(DateOnly date) => date >= Latest.Date ? Latest : new DsqlRuleSet(date, readsCountAsDml: false);

	/// <summary>The date this rule set reflects.</summary>
	public DateOnly Date { get; }

	/// <summary>
	/// When true, plain reads (SELECT, SHOW…) count as DML for "DDL and DML are not supported in the same transaction".
	/// Off by default: DSQL documents the rule with writes.
	/// </summary>
	public bool ReadsCountAsDml { get; }

	/// <summary>The rules (all scopes) that apply on <see cref="Date"/>, in checking order.</summary>
	public IReadOnlyList<DsqlRule> Rules { get; }

	/// <summary>The column types DSQL accepts on <see cref="Date"/>.</summary>
	public IReadOnlyList<DsqlColumnType> ColumnTypes { get; }

	/// <summary>Run-time parameters SET and RESET may change (PostgreSQL's lower-case names).</summary>
	public IReadOnlySet<string> SettableParameters => _settable;

	/// <summary>This rule set with <see cref="ReadsCountAsDml"/> set.</summary>
	public DsqlRuleSet WithReadsCountAsDml(bool value) => value == ReadsCountAsDml ? this : new DsqlRuleSet(Date, value);

	/// <summary>True when the rule applies on <see cref="Date"/>.</summary>
	public bool IsActive(string ruleId) => _byId.TryGetValue(ruleId, out var rule) && rule.AppliesOn(Date);

	/// <summary>The rule with this id (whether or not it applies on <see cref="Date"/>).</summary>
	/// <exception cref="KeyNotFoundException">No such rule.</exception>
	public DsqlRule Rule(string ruleId) => _byId[ruleId];

	/// <summary>The first statement-level rule <paramref name="statement"/> breaks, or <see langword="null"/>.</summary>
	public RuleViolation? Check(SqlStatement statement) => Check(new StatementShape(statement));

	/// <summary>The first statement-level rule the statement breaks, or <see langword="null"/>.</summary>
	public RuleViolation? Check(StatementShape statement)
	{
		if (statement.Statement.HasLexicalError)
			return null; // the server reports the syntax error

		var rules = _byVerb.TryGetValue(statement.Verb, out var forVerb) ? forVerb : _anyVerb;
		foreach (var rule in rules)
		{
			if (rule.Matcher!(statement, this) is { } arguments)
				return rule.Violation(arguments);
		}

		// A SQL routine's statements run when it is called: they are held to the same rules, at its definition.
		foreach (var body in RoutineSyntax.BodyStatements(statement))
		{
			if (Check(body) is { } violation)
				return violation;
		}

		return null;
	}

	/// <summary>The statement's category (see <see cref="StatementCategory"/>).</summary>
	public static StatementCategory Categorize(SqlStatement statement) => DsqlStatementRules.Categorize(statement);

	/// <summary>True when the category counts as DML for the DDL/DML rule in this rule set.</summary>
	public bool CountsAsDml(StatementCategory category) => category == StatementCategory.Dml || (ReadsCountAsDml && category == StatementCategory.Read);

	/// <summary>The transaction size limit in DSQL's wording (<c>10mb</c>).</summary>
	public static string FormatSize(long bytes) => bytes % (1024 * 1024) == 0
		? (bytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + "mb"
		: bytes.ToString(CultureInfo.InvariantCulture) + "b";

	public override string ToString() => "DSQL rules as of " + Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
