namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// A chunked operation (bulk copy, <c>DeleteInBatches</c>, <c>UpdateInBatches</c>, <c>Truncate()</c>) outside an
/// application transaction was cancelled: the chunk or batch in flight was rolled back, and the ones committed before it
/// stay committed; <see cref="RowsCommitted"/> says how many rows they hold.
/// </summary>
/// <remarks>
/// An <see cref="OperationCanceledException"/>, so code that handles cancellation keeps working; the token is the one that
/// was cancelled, and <see cref="Exception.InnerException"/> the cancellation as it was raised.
/// </remarks>
public sealed class AuroraDsqlOperationCanceledException : OperationCanceledException
{
	/// <summary>Creates the exception.</summary>
	public AuroraDsqlOperationCanceledException() : base("A chunked operation was cancelled.") { }

	/// <summary>Creates the exception.</summary>
	public AuroraDsqlOperationCanceledException(string message) : base(message) { }

	/// <summary>Creates the exception.</summary>
	public AuroraDsqlOperationCanceledException(string message, Exception innerException) : base(message, innerException) { }

	/// <summary>Creates the exception for a cancelled chunked operation.</summary>
	/// <param name="message">The message.</param>
	/// <param name="innerException">The cancellation as it was raised.</param>
	/// <param name="operation"><c>BulkCopy</c>, <c>DeleteInBatches</c>, <c>UpdateInBatches</c> or <c>Truncate</c>.</param>
	/// <param name="tableName">The table.</param>
	/// <param name="rowsCommitted">Rows committed before the cancellation.</param>
	/// <param name="cancellationToken">The token that was cancelled.</param>
	public AuroraDsqlOperationCanceledException(string message, Exception? innerException, string operation, string tableName, long rowsCommitted, CancellationToken cancellationToken)
		: base(message, innerException, cancellationToken)
	{
		Operation     = operation;
		TableName     = tableName;
		RowsCommitted = rowsCommitted;
	}

	/// <summary><c>BulkCopy</c>, <c>DeleteInBatches</c>, <c>UpdateInBatches</c> or <c>Truncate</c>.</summary>
	public string? Operation { get; }

	/// <summary>The table, as the SQL names it.</summary>
	public string? TableName { get; }

	/// <summary>Rows committed (by earlier chunks or batches) before the cancellation; they stay committed.</summary>
	public long RowsCommitted { get; }
}
