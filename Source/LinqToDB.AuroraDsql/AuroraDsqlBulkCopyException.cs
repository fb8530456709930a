namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// A bulk copy outside an application transaction failed in one of its chunks (each chunk is a transaction of its own):
/// which rows of the source that chunk held, the row the server named when it named one, and how many rows earlier chunks
/// had committed. The failed chunk was rolled back; <see cref="Exception.InnerException"/> is the server's (or the
/// retries') error. A cancelled bulk copy throws <see cref="AuroraDsqlOperationCanceledException"/>, with the same
/// <c>RowsCommitted</c>; batched deletes and updates report a failure as <see cref="AuroraDsqlBatchException"/>.
/// </summary>
public sealed class AuroraDsqlBulkCopyException : Exception
{
	/// <summary>Creates the exception.</summary>
	public AuroraDsqlBulkCopyException() : base("A bulk copy failed.") { }

	/// <summary>Creates the exception.</summary>
	public AuroraDsqlBulkCopyException(string message) : base(message) { }

	/// <summary>Creates the exception.</summary>
	public AuroraDsqlBulkCopyException(string message, Exception innerException) : base(message, innerException) { }

	/// <summary>Creates the exception for a failed chunk.</summary>
	/// <param name="message">The message.</param>
	/// <param name="innerException">The chunk's error.</param>
	/// <param name="rowsCommitted">Rows committed by other chunks before the copy stopped.</param>
	/// <param name="failedChunkStartIndex">Index in the source of the failed chunk's first row (0-based).</param>
	/// <param name="failedChunkRowCount">Rows in the failed chunk.</param>
	/// <param name="failedRowIndex">Index in the source of the row the server named (0-based), or <see langword="null"/>.</param>
	public AuroraDsqlBulkCopyException(string message, Exception innerException, long rowsCommitted, long failedChunkStartIndex, int failedChunkRowCount, long? failedRowIndex)
		: base(message, innerException)
	{
		RowsCommitted         = rowsCommitted;
		FailedChunkStartIndex = failedChunkStartIndex;
		FailedChunkRowCount   = failedChunkRowCount;
		FailedRowIndex        = failedRowIndex;
	}

	/// <summary>
	/// Rows committed before the copy stopped, by the chunks that completed (in a parallel copy, not necessarily the first
	/// rows of the source: chunks run side by side).
	/// </summary>
	public long RowsCommitted { get; }

	/// <summary>The index in the source (0-based) of the first row of the chunk that failed.</summary>
	public long FailedChunkStartIndex { get; }

	/// <summary>How many rows the failed chunk held (none of them was committed).</summary>
	public int FailedChunkRowCount { get; }

	/// <summary>
	/// The index in the source (0-based) of the row the server's error named (a COPY reports the line it failed on), or
	/// <see langword="null"/> when it named none (multi-row INSERTs, a failed COMMIT).
	/// </summary>
	public long? FailedRowIndex { get; }
}
