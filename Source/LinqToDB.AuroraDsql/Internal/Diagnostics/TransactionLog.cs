using Microsoft.Extensions.Logging;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;

/// <summary>Messages of <c>InTransaction</c> and the retry policy (category <c>LinqToDB.AuroraDsql.Transactions</c>).</summary>
static partial class TransactionLog
{
	[LoggerMessage(1001, LogLevel.Trace, "Transaction attempt {Attempt} begins")]
	public static partial void AttemptStarted(this ILogger logger, int attempt);

	[LoggerMessage(1002, LogLevel.Debug, "Transaction attempt {Attempt} committed")]
	public static partial void Committed(this ILogger logger, int attempt);

	[LoggerMessage(1003, LogLevel.Information, "Transaction attempt {Attempt} failed with a retryable error (SQLSTATE {SqlState}{ConflictCode}): {Reason}; running it again in {DelayMs} ms")]
	public static partial void Retrying(this ILogger logger, int attempt, string sqlState, string conflictCode, string reason, long delayMs);

	[LoggerMessage(1004, LogLevel.Warning, "The transaction failed {Attempts} times with retryable errors and is not run again (last SQLSTATE {SqlState}){MayHaveCommitted}")]
	public static partial void RetriesExhausted(this ILogger logger, int attempts, string sqlState, string mayHaveCommitted);

	[LoggerMessage(1005, LogLevel.Warning, "COMMIT of transaction attempt {Attempt} failed without telling whether it applied (SQLSTATE {SqlState}); the work is not run again")]
	public static partial void AmbiguousCommit(this ILogger logger, int attempt, string sqlState);

	[LoggerMessage(1006, LogLevel.Warning, "COMMIT of transaction attempt {Attempt} failed without telling whether it applied (SQLSTATE {SqlState}); running the work again because RetryAmbiguousCommit is set")]
	public static partial void AmbiguousCommitRetried(this ILogger logger, int attempt, string sqlState);

	[LoggerMessage(1007, LogLevel.Information, "A statement outside a transaction failed with a retryable error (SQLSTATE {SqlState}{ConflictCode}); retry {Retry} in {DelayMs} ms")]
	public static partial void StatementRetrying(this ILogger logger, int retry, string sqlState, string conflictCode, long delayMs);

	[LoggerMessage(1008, LogLevel.Debug, "Transaction attempt {Attempt} failed with a non-retryable error (SQLSTATE {SqlState})")]
	public static partial void Failed(this ILogger logger, int attempt, string sqlState);
}
