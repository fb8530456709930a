using Microsoft.Extensions.Logging;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;

/// <summary>Messages about commands (category <c>LinqToDB.AuroraDsql.Commands</c>). Command texts are never logged here: Npgsql logs them.</summary>
static partial class CommandLog
{
	[LoggerMessage(5001, LogLevel.Warning, "A command was refused before sending: Aurora DSQL would answer SQLSTATE {SqlState} ({Reason})")]
	public static partial void Refused(this ILogger logger, string sqlState, string reason);

	[LoggerMessage(5002, LogLevel.Debug, "Truncate of {Table} runs as batched deletes of at most {BatchSize} rows")]
	public static partial void TruncateInBatches(this ILogger logger, string table, int batchSize);
}
