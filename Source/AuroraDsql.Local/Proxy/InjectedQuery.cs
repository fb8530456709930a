using AuroraDsql.Local.Protocol;

namespace AuroraDsql.Local.Proxy;

/// <summary>A simple query the proxy sends on a client's backend connection; its responses never reach the client.</summary>
sealed class InjectedQuery
{
	public InjectedQuery(string sql) => Sql = sql;

	public string Sql { get; }

	/// <summary>The CommandComplete tags received.</summary>
	public List<string> Tags { get; } = [];

	/// <summary>The first column of the first row returned, as text (null when none).</summary>
	public string? FirstValue { get; set; }

	/// <summary>
	/// Its ReadyForQuery updates the session's transaction state (false for the start of a lost transaction's run again,
	/// which must not mark the lost transaction failed).
	/// </summary>
	public bool TracksStatus { get; init; } = true;

	/// <summary>The first error (SQLSTATE, message), if any.</summary>
	public (string SqlState, string Message)? Error { get; set; }

	/// <summary>Completes with the ReadyForQuery status after the query.</summary>
	public TaskCompletionSource<TransactionStatus> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
