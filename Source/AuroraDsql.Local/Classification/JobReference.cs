namespace AuroraDsql.Local.Classification;

/// <summary>A job id given to <c>sys.wait_for_job</c>: a literal, or the text of a positional parameter (1-based).</summary>
sealed record JobReference(string? LiteralId, int ParameterNumber);
