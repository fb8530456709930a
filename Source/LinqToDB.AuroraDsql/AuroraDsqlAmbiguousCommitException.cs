namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// COMMIT failed with an error that does not say whether the transaction was applied (the connection dropped, or
/// <c>XX000 server unavailable</c>). The work was not re-run, because running it again could apply it twice.
/// Check whether its effects are present, or make it idempotent and set <see cref="AuroraDsqlRetryOptions.RetryAmbiguousCommit"/>.
/// </summary>
public sealed class AuroraDsqlAmbiguousCommitException : Exception
{
	/// <summary>Creates the exception.</summary>
	public AuroraDsqlAmbiguousCommitException()
		: base("COMMIT failed without telling whether the transaction was applied.") { }

	/// <summary>Creates the exception.</summary>
	public AuroraDsqlAmbiguousCommitException(string message) : base(message) { }

	/// <summary>Creates the exception.</summary>
	public AuroraDsqlAmbiguousCommitException(string message, Exception innerException) : base(message, innerException) { }
}
