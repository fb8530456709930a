namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// A batched operation (<c>InsertInBatches</c>, <c>DeleteInBatches</c>, <c>UpdateInBatches</c>, <c>Truncate()</c>) outside an application
/// transaction failed in one of its batches (each batch is a transaction of its own): which operation, on which table,
/// and how many rows the batches before it committed (they stay committed). The failed batch was rolled back;
/// <see cref="Exception.InnerException"/> is the server's (or the retries') error.
/// </summary>
/// <remarks>
/// The same idea as <see cref="AuroraDsqlBulkCopyException"/> for bulk copies; a cancelled batched operation throws
/// <see cref="AuroraDsqlOperationCanceledException"/>, with the same <c>RowsCommitted</c>.
/// </remarks>
public sealed class AuroraDsqlBatchException : Exception
{
	/// <summary>Creates the exception.</summary>
	public AuroraDsqlBatchException() : base("A batched operation failed.") { }

	/// <summary>Creates the exception.</summary>
	public AuroraDsqlBatchException(string message) : base(message) { }

	/// <summary>Creates the exception.</summary>
	public AuroraDsqlBatchException(string message, Exception innerException) : base(message, innerException) { }

	/// <summary>Creates the exception for a failed batch.</summary>
	/// <param name="message">The message.</param>
	/// <param name="innerException">The batch's error.</param>
	/// <param name="operation"><c>InsertInBatches</c>, <c>DeleteInBatches</c>, <c>UpdateInBatches</c> or <c>Truncate</c>.</param>
	/// <param name="tableName">The table.</param>
	/// <param name="batchesCommitted">Batches committed before the failure.</param>
	/// <param name="rowsCommitted">Rows those batches changed.</param>
	public AuroraDsqlBatchException(string message, Exception innerException, string operation, string tableName, int batchesCommitted, long rowsCommitted)
		: base(message, innerException)
	{
		Operation        = operation;
		TableName        = tableName;
		BatchesCommitted = batchesCommitted;
		RowsCommitted    = rowsCommitted;
	}

	/// <summary><c>InsertInBatches</c>, <c>DeleteInBatches</c>, <c>UpdateInBatches</c> or <c>Truncate</c>.</summary>
	public string? Operation { get; }

	/// <summary>The table, as the SQL names it.</summary>
	public string? TableName { get; }

	/// <summary>Batches committed before the failure (they stay committed).</summary>
	public int BatchesCommitted { get; }

	/// <summary>Rows changed by the batches committed before the failure.</summary>
	public long RowsCommitted { get; }
}
