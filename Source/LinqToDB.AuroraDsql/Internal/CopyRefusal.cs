using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>
/// Tells a server that does not take binary COPY from a COPY that failed for another reason. A server refuses the
/// statement itself, so the provider's own COPY marks where its errors arose: only an error in answer to the COPY
/// statement (before any row is sent) can be a refusal. An error marked as arising later (a trigger, a constraint, a
/// limit) never is. Errors of linq2db's importer are not marked; for those, an "unsupported" or syntax error that
/// mentions COPY is taken as a refusal.
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
		&& exception.Data[PhaseKey] switch
		{
			AtStart => true,
			Later   => false,
			_       => exception.MessageText.Contains("copy", StringComparison.OrdinalIgnoreCase),
		};

	static bool Mark(PostgresException exception, string phase)
	{
		if (!exception.Data.Contains(PhaseKey))
			exception.Data[PhaseKey] = phase;
		return false;
	}
}
