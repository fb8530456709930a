using Microsoft.Extensions.Logging;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;

/// <summary>Messages of chunked bulk copies (category <c>LinqToDB.AuroraDsql.BulkCopy</c>).</summary>
static partial class BulkCopyLog
{
	[LoggerMessage(3001, LogLevel.Debug, "Bulk copy into {Table}: chunk of source rows {First} to {Last} committed ({Rows} rows, {Total} in all)")]
	public static partial void ChunkCommitted(this ILogger logger, string table, long first, long last, int rows, long total);

	[LoggerMessage(3002, LogLevel.Warning, "Bulk copy into {Table} failed in the chunk of source rows {First} to {Last} (SQLSTATE {SqlState}); {Total} rows were committed by other chunks")]
	public static partial void ChunkFailed(this ILogger logger, string table, long first, long last, string sqlState, long total);

	[LoggerMessage(3003, LogLevel.Information, "Bulk copy into {Table}: the server refused binary COPY; this chunk and later copies to the same server use multi-row INSERT")]
	public static partial void BinaryCopyRefused(this ILogger logger, string table);

	[LoggerMessage(3004, LogLevel.Debug, "Bulk copy into {Table} finished: {Total} rows in {Chunks} chunks")]
	public static partial void Finished(this ILogger logger, string table, long total, int chunks);

	[LoggerMessage(3005, LogLevel.Information, "Bulk copy into {Table} was cancelled; {Total} rows had been committed")]
	public static partial void Cancelled(this ILogger logger, string table, long total);

	[LoggerMessage(3006, LogLevel.Warning, "Bulk copy into {Table} was refused before sending: inside a transaction it exceeds one transaction's limits")]
	public static partial void RefusedInTransaction(this ILogger logger, string table);
}
