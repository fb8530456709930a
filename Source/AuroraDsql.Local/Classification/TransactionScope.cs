namespace AuroraDsql.Local.Classification;

/// <summary>
/// One transaction of a session as the proxy predicts it from the statements it forwards: explicit (BEGIN … COMMIT)
/// or implicit (a simple Query, or the messages up to a Sync). Classifiers keep per-transaction data in <see cref="Items"/>
/// (DDL/DML seen, rows modified…); a new scope starts with every new transaction.
/// </summary>
sealed class TransactionScope
{
	public TransactionScope(bool isExplicit, DateTimeOffset startedAt)
	{
		IsExplicit = isExplicit;
		StartedAt  = startedAt;
	}

	/// <summary>Started by BEGIN/START TRANSACTION.</summary>
	public bool IsExplicit { get; internal set; }

	public DateTimeOffset StartedAt { get; }

	/// <summary>Statements forwarded in this transaction so far (not counting the current one).</summary>
	public int StatementCount { get; internal set; }

	/// <summary>True once the backend reported the transaction as failed (ReadyForQuery 'E').</summary>
	public bool IsFailed { get; internal set; }

	/// <summary>DDL statements executed in the transaction so far (DSQL allows one).</summary>
	public int DdlCount { get; set; }

	/// <summary>Statements executed so far that count as DML for DSQL's DDL/DML rule (writes, locking reads).</summary>
	public int DmlCount { get; set; }

	/// <summary>
	/// DDL and DML statements bound (and checked) in the current pipeline but not executed yet: a pipeline may bind several
	/// statements before it executes any, and each must be checked against the others.
	/// </summary>
	public int PendingDdl { get; set; }

	/// <summary>See <see cref="PendingDdl"/>.</summary>
	public int PendingDml { get; set; }

	/// <summary>The endpoint's schema version when the transaction's first statement was seen (for OC001).</summary>
	public long? SchemaVersion { get; set; }

	/// <summary>
	/// Set when the transaction lost a row conflict while it was idle: another transaction's statement waited for a row it
	/// had written or locked, so the endpoint rolled it back in the backend (releasing the row) and its COMMIT, or any
	/// other statement before it, fails with this error (40001 OC000), as the later committer's COMMIT does on DSQL.
	/// </summary>
	public ExecutionVerdict? LostConflict { get; set; }

	/// <summary>Classifier data for this transaction (created on first use).</summary>
	public Dictionary<string, object?> Items => _items ??= new(StringComparer.Ordinal);

	Dictionary<string, object?>? _items;
}
