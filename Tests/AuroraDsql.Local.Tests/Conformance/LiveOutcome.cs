namespace AuroraDsql.Local.Tests.Conformance;

/// <summary>
/// What a server answered to one step: an error (SQLSTATE and message text) or its results. Two outcomes agree exactly
/// when their <see cref="Describe"/> texts are equal: outcome, SQLSTATE, message, tag, columns and (unless ignored) rows.
/// </summary>
sealed record LiveOutcome(string? SqlState, string? Message, IReadOnlyList<LiveResultSet> Results)
{
	public static LiveOutcome Failed(string sqlState, string message) => new(sqlState, message, []);

	public static LiveOutcome Succeeded(IReadOnlyList<LiveResultSet> results) => new(null, null, results);

	public string Describe(bool withRows) => SqlState != null
		? $"error {SqlState} {Message}"
		: "ok " + string.Join(" ; ", Results.Select(r => r.Describe(withRows)));
}
