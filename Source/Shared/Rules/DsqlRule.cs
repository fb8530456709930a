using System.Globalization;

namespace AuroraDsql.Rules;

/// <summary>
/// Decides whether a statement breaks a rule; returns the arguments of the rule's message (an empty array when it has
/// none), or <see langword="null"/> when the statement is fine.
/// </summary>
delegate string[]? StatementMatcher(StatementShape statement, DsqlRuleSet rules);

/// <summary>
/// One thing DSQL refuses or limits, as data: what it matches, DSQL's SQLSTATE and message, and the DSQL release it
/// reflects (rules DSQL introduced have <see cref="Since"/>, rules DSQL lifted have <see cref="Until"/>).
/// </summary>
sealed class DsqlRule
{
	/// <summary>Stable id (kebab case), e.g. <c>truncate</c>.</summary>
	public required string Id { get; init; }

	/// <summary>What the rule refuses or limits, in a few words.</summary>
	public required string Description { get; init; }

	/// <summary>Where the rule is checked.</summary>
	public RuleScope Scope { get; init; } = RuleScope.Statement;

	/// <summary>First DSQL release date the rule applies to; <see langword="null"/>: since DSQL's launch.</summary>
	public DateOnly? Since { get; init; }

	/// <summary>DSQL release date from which the rule no longer applies (DSQL lifted it); <see langword="null"/>: still applies.</summary>
	public DateOnly? Until { get; init; }

	/// <summary>The SQLSTATE DSQL answers with.</summary>
	public required string SqlState { get; init; }

	/// <summary>DSQL's message; <c>{0}</c>, <c>{1}</c>… are filled from the match.</summary>
	public required string Message { get; init; }

	/// <summary>What to do instead.</summary>
	public string? Hint { get; init; }

	/// <summary>
	/// True when SQLSTATE and message text are recorded from DSQL (the behaviour reference); false when DSQL's refusal is
	/// documented but its exact text is not, and the text follows DSQL's pattern for similar refusals.
	/// </summary>
	public bool TextVerified { get; init; } = true;

	/// <summary>
	/// Where the rule's behaviour is recorded, when not in the DSQL behaviour reference (for example outcomes recorded on a
	/// live cluster, with their date); <see langword="null"/>: the behaviour reference.
	/// </summary>
	public string? Source { get; init; }

	/// <summary>Leading key words of the statements the matcher looks at (lower case); <see langword="null"/>: any statement.</summary>
	public IReadOnlyList<string>? Verbs { get; init; }

	/// <summary>The matcher of a <see cref="RuleScope.Statement"/> rule; <see langword="null"/> for rules checked elsewhere.</summary>
	public StatementMatcher? Matcher { get; init; }

	/// <summary>The DSQL date the rule reflects (when it was lifted or introduced); <see langword="null"/> for launch behaviour.</summary>
	public DateOnly? DsqlDate => Until ?? Since;

	/// <summary>True when the rule is part of DSQL's behaviour on <paramref name="date"/>.</summary>
	public bool AppliesOn(DateOnly date) => (Since is null || date >= Since.Value) && (Until is null || date < Until.Value);

	/// <summary>The message with <paramref name="arguments"/> filled in.</summary>
	public string FormatMessage(params string[] arguments) =>
		arguments.Length == 0 ? Message : string.Format(CultureInfo.InvariantCulture, Message, arguments);

	/// <summary>A violation of this rule.</summary>
	public RuleViolation Violation(params string[] arguments) => new(Id, SqlState, FormatMessage(arguments), Hint);

	public override string ToString() => Id;
}
