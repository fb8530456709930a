namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// A unit of work kept failing with retryable errors (conflicts, <c>server unavailable</c>) until its attempts ran out.
/// <see cref="Exception.InnerException"/> is the last error; <see cref="AttemptErrors"/> has every attempt's error in order.
/// With <see cref="AuroraDsqlRetryOptions.RetryAmbiguousCommit"/> the work may still have been committed, even more than
/// once: see <see cref="MayHaveCommitted"/>.
/// </summary>
public sealed class AuroraDsqlRetryLimitExceededException : Exception
{
	/// <summary>Creates the exception.</summary>
	public AuroraDsqlRetryLimitExceededException() : this("The operation failed and its retries ran out.", []) { }

	/// <summary>Creates the exception.</summary>
	public AuroraDsqlRetryLimitExceededException(string message) : this(message, []) { }

	/// <summary>Creates the exception.</summary>
	public AuroraDsqlRetryLimitExceededException(string message, Exception innerException) : this(message, [innerException]) { }

	/// <summary>Creates the exception from every attempt's error, in order.</summary>
	public AuroraDsqlRetryLimitExceededException(string message, IReadOnlyList<Exception> attemptErrors)
		: base(message, attemptErrors.Count > 0 ? attemptErrors[^1] : null)
	{
		AttemptErrors = attemptErrors;
	}

	/// <summary>
	/// The error of each attempt, first to last. An attempt whose COMMIT failed without telling whether it applied (retried
	/// because of <see cref="AuroraDsqlRetryOptions.RetryAmbiguousCommit"/>) is an <see cref="AuroraDsqlAmbiguousCommitException"/>
	/// holding that error.
	/// </summary>
	public IReadOnlyList<Exception> AttemptErrors { get; }

	/// <summary>
	/// True when an attempt's COMMIT failed without telling whether the transaction was applied (see
	/// <see cref="AuroraDsqlAmbiguousCommitException"/> in <see cref="AttemptErrors"/>): the work may have been committed
	/// by that attempt although the whole call failed. Check whether its effects are present before running it again.
	/// </summary>
	public bool MayHaveCommitted => AttemptErrors.Any(e => e is AuroraDsqlAmbiguousCommitException);
}
