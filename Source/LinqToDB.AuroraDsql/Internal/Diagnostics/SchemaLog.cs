using Microsoft.Extensions.Logging;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;

/// <summary>Messages of schema operations and job waits (category <c>LinqToDB.AuroraDsql.Schema</c>).</summary>
static partial class SchemaLog
{
	[LoggerMessage(4001, LogLevel.Information, "Waiting for job {JobId} ({JobType} of {ObjectName})")]
	public static partial void WaitingForJob(this ILogger logger, string jobId, string jobType, string objectName);

	[LoggerMessage(4002, LogLevel.Debug, "Job {JobId} is {Status}")]
	public static partial void JobStatus(this ILogger logger, string jobId, string status);

	[LoggerMessage(4003, LogLevel.Information, "Job {JobId} completed after {ElapsedMs} ms of waiting")]
	public static partial void JobCompleted(this ILogger logger, string jobId, long elapsedMs);

	[LoggerMessage(4004, LogLevel.Warning, "Job {JobId} ({JobType} of {ObjectName}) failed: {Details}")]
	public static partial void JobFailed(this ILogger logger, string jobId, string jobType, string objectName, string details);

	[LoggerMessage(4005, LogLevel.Warning, "Job {JobId} did not finish within {Timeout}; it keeps running")]
	public static partial void JobTimedOut(this ILogger logger, string jobId, TimeSpan timeout);

	[LoggerMessage(4006, LogLevel.Debug, "EnsureSchema: table {Table} exists")]
	public static partial void TableEnsured(this ILogger logger, string table);

	[LoggerMessage(4007, LogLevel.Information, "EnsureSchema: index {Index} is being built by job {JobId}")]
	public static partial void IndexSubmitted(this ILogger logger, string index, string jobId);

	[LoggerMessage(4008, LogLevel.Debug, "EnsureSchema: index {Index} exists")]
	public static partial void IndexExists(this ILogger logger, string index);
}
