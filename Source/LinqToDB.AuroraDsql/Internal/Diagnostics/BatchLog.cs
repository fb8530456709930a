using Microsoft.Extensions.Logging;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;

/// <summary>Messages of batched deletes, updates and truncates (category <c>LinqToDB.AuroraDsql.Batches</c>).</summary>
static partial class BatchLog
{
	[LoggerMessage(2001, LogLevel.Debug, "{Operation} of {Table}: batch {Batch} committed {Rows} rows ({Total} in all)")]
	public static partial void BatchCommitted(this ILogger logger, string operation, string table, int batch, int rows, long total);

	[LoggerMessage(2002, LogLevel.Information, "{Operation} of {Table} finished: {Total} rows in {Batches} batches")]
	public static partial void Finished(this ILogger logger, string operation, string table, long total, int batches);

	[LoggerMessage(2003, LogLevel.Warning, "{Operation} of {Table} failed after {Batches} committed batches ({Total} rows committed; SQLSTATE {SqlState})")]
	public static partial void BatchFailed(this ILogger logger, string operation, string table, int batches, long total, string sqlState);

	[LoggerMessage(2004, LogLevel.Information, "{Operation} of {Table} was cancelled after {Batches} committed batches ({Total} rows committed)")]
	public static partial void Cancelled(this ILogger logger, string operation, string table, int batches, long total);

	[LoggerMessage(2005, LogLevel.Debug, "UpdateInBatches of {Table}: a batch exceeded the transaction limit and was rolled back; reading {Size} keys at a time")]
	public static partial void BatchShrunk(this ILogger logger, string table, int size);

	[LoggerMessage(2006, LogLevel.Warning, "{Operation} of {Table} was refused before sending: inside a transaction it would change more than {Limit} rows")]
	public static partial void RefusedInTransaction(this ILogger logger, string operation, string table, int limit);
}
