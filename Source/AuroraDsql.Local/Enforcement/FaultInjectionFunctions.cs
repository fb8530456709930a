using System.Globalization;
using AuroraDsql.Local.Classification;
using AuroraDsql.Rules;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Enforcement;

/// <summary>
/// The endpoint's own control functions, for test suites that cannot call <see cref="LocalDsqlEndpoint.FailNextCommits"/>
/// (any language, psql in a CI script). Not DSQL: they exist only when <see cref="LocalDsqlEndpointOptions.AllowFaultInjection"/>
/// is set, and only role <c>admin</c> may call them.
/// <list type="bullet">
/// <item><c>SELECT aurora_dsql_local.fail_next_commits(count [, code [, application_name [, role]]])</c>: as
/// <see cref="LocalDsqlEndpoint.FailNextCommits"/>; <c>NULL</c> for a filter means any;</item>
/// <item><c>SELECT aurora_dsql_local.clear_commit_failures()</c>: as <see cref="LocalDsqlEndpoint.ClearCommitFailures"/>.</item>
/// </list>
/// The proxy handles them itself: a call is answered by a constant <c>SELECT NULL::void</c> of its own, so no text of the
/// client's reaches the backend, and the failures are queued when that statement completes (not in a failed block).
/// Arguments are literals (integer, string or <c>NULL</c>); any other use of the schema name is refused, except the
/// statistics relations (<see cref="SessionStatisticsRelations"/>, classified first, with or without the option). Without
/// the option nothing here runs, and PostgreSQL answers that the schema does not exist, as DSQL would.
/// </summary>
sealed class FaultInjectionFunctions : IStatementClassifier
{
	/// <summary>The schema name the functions are called by.</summary>
	public const string SchemaName = "aurora_dsql_local";

	const string Usage = "SELECT aurora_dsql_local.fail_next_commits(count [, code [, application_name [, role]]]) or SELECT aurora_dsql_local.clear_commit_failures()";

	readonly DsqlRuleSet _rules;
	readonly CommitFailureInjector _failures;
	readonly Action<string> _log;

	public FaultInjectionFunctions(DsqlRuleSet rules, CommitFailureInjector failures, Action<string> log)
	{
		_rules    = rules;
		_failures = failures;
		_log      = log;
	}

	/// <summary>Reads the statement and the session's role only.</summary>
	public bool DependsOnTextAndSessionOnly => true;

	public StatementPlan? Classify(StatementContext context)
	{
		var statement = context.Statement;
		if (statement.HasLexicalError || !MentionsSchema(statement))
			return null;

		if (!string.Equals(context.Session.Role, "admin", StringComparison.Ordinal))
			return Refuse(statement, "42501", $"permission denied for schema {SchemaName}", "Only role admin may call the local endpoint's fault injection functions.");

		if (!TryParseCall(statement, out var function, out var arguments))
			return Refuse(statement, "0A000", $"{SchemaName} functions must be called alone, with literal arguments", "Write " + Usage + ".");

		return function switch
		{
			"fail_next_commits"     => FailNextCommits(statement, arguments),
			"clear_commit_failures" => arguments.Count == 0
				? Completes("clear_commit_failures", () =>
				{
					_failures.Clear();
					_log("fault injection: queued COMMIT failures cleared");
				})
				: Refuse(statement, "42883", "function aurora_dsql_local.clear_commit_failures takes no arguments", "Write " + Usage + "."),
			_ => Refuse(statement, "42883", $"function {SchemaName}.{function} does not exist", "Write " + Usage + "."),
		};
	}

	StatementPlan FailNextCommits(SqlStatement statement, IReadOnlyList<Argument> arguments)
	{
		if (arguments.Count is < 1 or > 4)
			return Refuse(statement, "42883", "function aurora_dsql_local.fail_next_commits takes 1 to 4 arguments", "Write " + Usage + ".");

		if (arguments[0] is not { IsNumber: true } countArgument
			|| !int.TryParse(countArgument.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
			return Refuse(statement, "22023", "count must be a positive integer", "Write " + Usage + ".");

		string? Text(int index) => index < arguments.Count ? arguments[index].Value : null;

		if (arguments.Skip(1).Any(a => a.IsNumber))
			return Refuse(statement, "22023", "code, application_name and role are strings (or NULL)", "Write " + Usage + ".");

		var code = Text(1) ?? "OC000";
		if (CommitFailureInjector.Verdict(_rules, code) is not { } verdict)
			return Refuse(statement, "22023", $"invalid failure code \"{code}\": use OC000, OC001 or XX000", "Write " + Usage + ".");

		var applicationName = Text(2);
		var role            = Text(3);

		return Completes("fail_next_commits", () =>
		{
			_failures.Add(count, verdict, applicationName, role);
			_log(string.Create(CultureInfo.InvariantCulture,
				$"fault injection: the next {count} COMMIT(s) fail with {code} (application_name {applicationName ?? "any"}, role {role ?? "any"})"));
		});
	}

	/// <summary>The proxy's own statement in place of the call; <paramref name="action"/> runs when it completes.</summary>
	static StatementPlan Completes(string column, Action action) =>
		new() { Sql = $"SELECT NULL::void AS {column}", OnCommandComplete = _ => action() };

	static StatementPlan Refuse(SqlStatement statement, string sqlState, string message, string hint) =>
		StatementPlan.Refuse(statement, sqlState, message, hint: hint + " These functions are the local endpoint's, not DSQL's.");

	static bool MentionsSchema(SqlStatement statement)
	{
		for (var k = 0; k < statement.Tokens.Count; k++)
		{
			if (string.Equals(statement.NameAt(k), SchemaName, StringComparison.Ordinal))
				return true;
		}

		return false;
	}

	/// <summary><c>SELECT aurora_dsql_local.name(literal, …)</c> and nothing else.</summary>
	static bool TryParseCall(SqlStatement s, out string function, out List<Argument> arguments)
	{
		function  = "";
		arguments = [];

		if (!s.IsKeyword(0, "select") || s.NameAt(1) != SchemaName || !s.IsSymbol(2, ".") || s.NameAt(3) is not { } name || !s.IsSymbol(4, "("))
			return false;

		function = name;
		var k = 5;
		if (s.IsSymbol(k, ")"))
			return k + 1 == s.Tokens.Count;

		while (k < s.Tokens.Count)
		{
			var token = s.Tokens[k];
			if (s.IsKeyword(k, "null"))
				arguments.Add(new Argument(null, IsNumber: false));
			else if (token.Kind == TokenKind.String && SqlText.StringValue(s.Text, token, s.StandardConformingStrings) is { } text)
				arguments.Add(new Argument(text, IsNumber: false));
			else if (token.Kind == TokenKind.Number)
				arguments.Add(new Argument(s.TokenText(k), IsNumber: true));
			else
				return false;

			k++;
			if (s.IsSymbol(k, ")"))
				return k + 1 == s.Tokens.Count;
			if (!s.IsSymbol(k, ","))
				return false;
			k++;
		}

		return false;
	}

	readonly record struct Argument(string? Value, bool IsNumber);
}
