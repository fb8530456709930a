namespace AuroraDsql.Rules;

/// <summary>A statement DSQL refuses: the rule, DSQL's SQLSTATE and exact message, and what to do instead.</summary>
/// <param name="RuleId">The rule's id (see <see cref="DsqlRule.Id"/>).</param>
/// <param name="SqlState">The SQLSTATE DSQL answers with.</param>
/// <param name="Message">DSQL's message text.</param>
/// <param name="Hint">What to do instead (not part of DSQL's answer); <see langword="null"/> when there is nothing to suggest.</param>
readonly record struct RuleViolation(string RuleId, string SqlState, string Message, string? Hint);
