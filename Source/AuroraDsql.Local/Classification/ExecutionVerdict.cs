namespace AuroraDsql.Local.Classification;

/// <summary>Why a statement may not run where it is executed: the error the client gets.</summary>
/// <param name="SqlState">SQLSTATE of the error.</param>
/// <param name="Message">Message of the error.</param>
/// <param name="Hint">Hint of the error, if any.</param>
/// <param name="FailsCommit">The statement is a COMMIT that fails and ends the transaction rolled back (rather than a refusal).</param>
/// <param name="Detail">Detail of the error, if any.</param>
sealed record ExecutionVerdict(string SqlState, string Message, string? Hint = null, bool FailsCommit = false, string? Detail = null);
