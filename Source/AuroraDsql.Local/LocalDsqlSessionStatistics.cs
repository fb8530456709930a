namespace AuroraDsql.Local;

/// <summary>
/// What one client session of a <see cref="LocalDsqlEndpoint"/> has cost so far, counted at the endpoint: on DSQL each
/// round trip is a network hop and each commit is made durable across availability zones, so these, not CPU, decide how
/// fast a unit of work runs there.
/// </summary>
public sealed record LocalDsqlSessionStatistics
{
	/// <summary>The session's process id, as the client sees it (for example <c>NpgsqlConnection.ProcessID</c>).</summary>
	public required int ProcessId { get; init; }

	/// <summary>The database role the session logged in as.</summary>
	public required string Role { get; init; }

	/// <summary>The session's <c>application_name</c>, if it set one.</summary>
	public string? ApplicationName { get; init; }

	/// <summary>
	/// Client round trips after login: each time the client sent what it then waits an answer for (a simple Query, a Sync,
	/// a Flush, the end of a COPY's data), however many messages it pipelined with it.
	/// </summary>
	public required long RoundTrips { get; init; }

	/// <summary>Statements the client sent: each statement of a simple Query and each Execute.</summary>
	public required long Statements { get; init; }

	/// <summary>Commits: explicit COMMITs (failed ones included) and writes outside a transaction block, which commit on their own.</summary>
	public required long Commits { get; init; }
}
