namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// A unit of work kept failing with retryable errors (conflicts, <c>server unavailable</c>) until its attempts ran out.
/// <see cref="Exception.InnerException"/> is the last error; <see cref="AttemptErrors"/> has every attempt's error in order.
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

	/// <summary>The error of each attempt, first to last.</summary>
	public IReadOnlyList<Exception> AttemptErrors { get; }
}
