namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// Progress of a batched operation (<c>InsertInBatches</c>, <c>DeleteInBatches</c>, <c>UpdateInBatches</c>, <c>Truncate()</c>), reported after
/// each committed batch. Committed batches stay committed whatever happens to the rest.
/// </summary>
/// <param name="Operation"><c>InsertInBatches</c>, <c>DeleteInBatches</c>, <c>UpdateInBatches</c> or <c>Truncate</c>.</param>
/// <param name="TableName">The table, as the SQL names it.</param>
/// <param name="BatchesCommitted">Batches committed so far, this one included.</param>
/// <param name="BatchRows">Rows this batch changed.</param>
/// <param name="RowsCommitted">Rows the committed batches changed, this one included.</param>
public sealed record AuroraDsqlBatchProgress(string Operation, string TableName, int BatchesCommitted, int BatchRows, long RowsCommitted);
