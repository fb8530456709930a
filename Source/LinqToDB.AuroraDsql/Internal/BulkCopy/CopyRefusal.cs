using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>
/// Tells a server that does not take binary COPY from a COPY that failed for another reason: an "unsupported" or
/// syntax error that mentions COPY. A server refuses the statement itself, so the provider's own COPY also marks where
/// its errors arose, and an error marked as arising after the COPY started (a trigger, a constraint, a limit) is never a
/// refusal. Errors of linq2db's importer are not marked.
/// </summary>
static class CopyRefusal
{
	const string PhaseKey = "LinqToDB.AuroraDsql.CopyPhase";
	const string AtStart  = "start";
	const string Later    = "rows";

	/// <summary>Marks an error in answer to the COPY statement; never catches (use as an exception filter).</summary>
	public static bool MarkAtStart(PostgresException exception) => Mark(exception, AtStart);

	/// <summary>Marks an error that arose after the COPY had started; never catches (use as an exception filter).</summary>
	public static bool MarkLater(PostgresException exception) => Mark(exception, Later);

	public static bool IsRefusal(PostgresException exception) =>
		exception.SqlState is PostgresErrorCodes.FeatureNotSupported or PostgresErrorCodes.SyntaxError
		&& exception.Data[PhaseKey] is not Later
		&& exception.MessageText.Contains("copy", StringComparison.OrdinalIgnoreCase);

	static bool Mark(PostgresException exception, string phase)
	{
		if (!exception.Data.Contains(PhaseKey))
			exception.Data[PhaseKey] = phase;
		return false;
	}
}
