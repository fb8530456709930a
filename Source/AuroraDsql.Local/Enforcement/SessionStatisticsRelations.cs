using System.Globalization;
using System.Text;
using AuroraDsql.Local.Classification;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Enforcement;

/// <summary>
/// The endpoint's own counts of round trips, statements and commits, readable with SQL (DSQL has nothing like them):
/// <list type="bullet">
/// <item><c>aurora_dsql_local.session_statistics</c>: one row, the session that reads it;</item>
/// <item><c>aurora_dsql_local.all_session_statistics</c>: one row per open session, in process id order.</item>
/// </list>
/// Columns: <c>process_id integer, role text, application_name text, round_trips bigint, statements bigint, commits
/// bigint</c> (as <see cref="LocalDsqlSessionStatistics"/>). The endpoint answers them itself: each reference becomes a
/// <c>VALUES</c> list of the counts when the statement reaches the endpoint, so they can be filtered, joined and
/// aggregated like any relation. The counts are those of everything the session sent before the statement; the statement
/// that reads them is not counted (nor its round trip, when that carries nothing else), so reading them changes nothing.
/// A named prepared statement would return the counts of when it was prepared: refused.
/// </summary>
sealed class SessionStatisticsRelations : IStatementClassifier
{
	/// <summary>The relation of the reading session's counts.</summary>
	public const string SessionRelation = "session_statistics";

	/// <summary>The relation of every open session's counts.</summary>
	public const string AllSessionsRelation = "all_session_statistics";

	const string Columns = "process_id, role, application_name, round_trips, statements, commits";

	// Words that may follow a table reference and are not an alias of it.
	static readonly HashSet<string> NotAnAlias = new(StringComparer.OrdinalIgnoreCase)
	{
		"where", "group", "having", "order", "limit", "offset", "fetch", "for", "window", "union", "intersect", "except",
		"join", "inner", "left", "right", "full", "cross", "natural", "on", "using", "returning", "into", "tablesample",
		"with", "lateral", "set", "values", "select", "from", "and", "or", "not", "then", "else", "end", "when", "do",
	};

	readonly Func<IReadOnlyList<LocalDsqlSessionStatistics>> _sessions;

	/// <param name="sessions">The counts of every open session (<see cref="LocalDsqlEndpoint.GetSessionStatistics()"/>).</param>
	public SessionStatisticsRelations(Func<IReadOnlyList<LocalDsqlSessionStatistics>> sessions) => _sessions = sessions;

	// A statement that names neither relation gets no plan whatever the session's counts; one that names them is rewritten
	// (or refused), and such plans are never kept: the counts are read again at every Parse.
	public bool DependsOnTextAndSessionOnly => true;

	public StatementPlan? Classify(StatementContext context)
	{
		// Every statement passes here: a scan of its text, without allocating, before looking at its tokens.
		var statement = context.Statement;
		if (statement.HasLexicalError
			|| !statement.Text.AsSpan(statement.Start, statement.End - statement.Start).Contains(FaultInjectionFunctions.SchemaName, StringComparison.OrdinalIgnoreCase))
			return null;

		List<(int Index, bool AllSessions)>? references = null;
		for (var k = 0; k + 2 < statement.Tokens.Count; k++)
		{
			if (statement.NameAt(k) == FaultInjectionFunctions.SchemaName && statement.IsSymbol(k + 1, ".")
				&& statement.NameAt(k + 2) is SessionRelation or AllSessionsRelation
				&& !statement.IsSymbol(k + 3, "(") && !statement.IsSymbol(k + 3, "."))
				(references ??= []).Add((k, statement.NameAt(k + 2) == AllSessionsRelation));
		}

		if (references is null)
			return null;

		if (!string.IsNullOrEmpty(context.PreparedStatementName))
		{
			return StatementPlan.Refuse(statement, "0A000",
				$"{FaultInjectionFunctions.SchemaName}.{SessionRelation} cannot be read through a named prepared statement",
				hint: "A prepared statement would return the counts of when it was prepared: run the query unprepared. "
					+ "These relations are the local endpoint's, not DSQL's.");
		}

		var sessions = _sessions();
		var processId = context.Session.ProcessId;
		var text = statement.Text;
		var sql = new StringBuilder(statement.StatementText.Length + 256);
		var copied = statement.Start;
		foreach (var (index, allSessions) in references)
		{
			sql.Append(text, copied, statement.Tokens[index].Start - copied);
			var rows = allSessions ? sessions : sessions.Where(s => s.ProcessId == processId).ToList();
			var name = allSessions ? AllSessionsRelation : SessionRelation;
			sql.Append(Relation(rows));
			if (!HasAlias(statement, index + 3))
				sql.Append(" AS ").Append(name);
			copied = statement.Tokens[index + 2].End;
		}

		sql.Append(text, copied, statement.End - copied);
		return new StatementPlan { Sql = sql.ToString(), IsEndpointQuery = true };
	}

	/// <summary>A parenthesised query of the rows, with the relation's column names and types.</summary>
	static string Relation(IReadOnlyList<LocalDsqlSessionStatistics> rows)
	{
		if (rows.Count == 0)
			return "(SELECT NULL::integer AS process_id, NULL::text AS role, NULL::text AS application_name, NULL::bigint AS round_trips, "
				+ "NULL::bigint AS statements, NULL::bigint AS commits WHERE false)";

		var sql = new StringBuilder("(SELECT * FROM (VALUES ");
		for (var k = 0; k < rows.Count; k++)
		{
			var row = rows[k];
			if (k > 0)
				sql.Append(", ");
			sql.Append(CultureInfo.InvariantCulture, $"({row.ProcessId}::integer, {SqlText.QuoteLiteral(row.Role)}::text, ");
			sql.Append(row.ApplicationName is null ? "NULL" : SqlText.QuoteLiteral(row.ApplicationName)).Append("::text, ");
			sql.Append(CultureInfo.InvariantCulture, $"{row.RoundTrips}::bigint, {row.Statements}::bigint, {row.Commits}::bigint)");
		}

		return sql.Append(") AS s(").Append(Columns).Append("))").ToString();
	}

	/// <summary>The reference is followed by an alias of the client's (<c>AS s</c>, or a name that is no key word there).</summary>
	static bool HasAlias(SqlStatement statement, int next) =>
		statement.IsKeyword(next, "as")
		|| (next < statement.Tokens.Count && statement.Tokens[next].Kind == TokenKind.QuotedIdentifier)
		|| (statement.NameAt(next) is { } name && statement.Tokens[next].Kind == TokenKind.Identifier && !NotAnAlias.Contains(name));
}
