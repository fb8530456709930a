using AuroraDsql.Sql;

namespace AuroraDsql.Rules;

/// <summary>
/// What a routine definition and the statements that set run-time parameters contain, so that rules see through them:
/// the statements of a <c>LANGUAGE sql</c> body (<c>AS '…'</c>, <c>AS $$…$$</c> or <c>BEGIN ATOMIC … END</c>), and the
/// parameter assignments of <c>SET</c>/<c>RESET</c> statements, of the <c>SET</c> clauses of <c>CREATE</c>/<c>ALTER
/// FUNCTION</c> and <c>PROCEDURE</c>, and of <c>ALTER ROLE … SET</c>.
/// </summary>
static class RoutineSyntax
{
	static readonly IReadOnlyList<SqlStatement> NoStatements = [];
	static readonly IReadOnlyList<SettingAssignment> NoAssignments = [];

	/// <summary>True for <c>CREATE [OR REPLACE] FUNCTION|PROCEDURE</c>.</summary>
	public static bool IsRoutineDefinition(StatementShape s) => s.Verb == "create" && s.ObjectKind is "function" or "procedure" && !s.IsExplain;

	/// <summary>
	/// The statements of a SQL routine body, lexed as the routine will be run (with the statement's
	/// <c>standard_conforming_strings</c>); empty for other statements, other languages or bodies that cannot be read.
	/// </summary>
	public static IReadOnlyList<SqlStatement> BodyStatements(StatementShape s)
	{
		if (!IsRoutineDefinition(s))
			return NoStatements;

		var options = OptionsStart(s);
		var bodyStart = SqlBodyStart(s, options);
		string? language = null;
		string? body = null;

		for (var i = options; i < bodyStart; i++)
		{
			if (s.Sym(i, "(") || s.Sym(i, "["))
				i = s.MatchParen(i);
			else if (s.Kw(i, "language") && i + 1 < s.Count)
				language = s.Name(i + 1) ?? SqlText.StringValue(s.Text, s.Tokens[i + 1], s.Statement.StandardConformingStrings);
			else if (s.Kw(i, "as") && i + 1 < s.Count && s.Tokens[i + 1].Kind == TokenKind.String)
				body = SqlText.StringValue(s.Text, s.Tokens[i + 1], s.Statement.StandardConformingStrings);
		}

		if (bodyStart < s.Count && s.Kw(bodyStart, "begin"))
		{
			// BEGIN ATOMIC statement; … END: the statements between ATOMIC and the final END.
			var first = bodyStart + 2;
			var last = s.Count - 1;
			if (!s.Kw(last, "end") || first >= last)
				return NoStatements;
			return StatementSplitter.Split(s.Text[s.Tokens[first].Start..s.Tokens[last - 1].End], s.Statement.StandardConformingStrings);
		}

		if (body is null || language is null || !language.Equals("sql", StringComparison.OrdinalIgnoreCase))
			return NoStatements;

		return StatementSplitter.Split(body, s.Statement.StandardConformingStrings);
	}

	/// <summary>
	/// The run-time parameters the statement assigns or resets: <c>SET</c>/<c>RESET</c> statements, the <c>SET</c> and
	/// <c>RESET</c> clauses of routine definitions and alterations, <c>ALTER ROLE|USER … SET|RESET</c>.
	/// </summary>
	public static IReadOnlyList<SettingAssignment> Assignments(StatementShape s)
	{
		switch (s.Verb)
		{
			case "set" or "reset":
			{
				if (StatementMatchers.SetParameterName(s) is not { } name)
					return NoAssignments;
				var value = -1;
				if (s.Verb == "set")
				{
					var k = s.First + 1;
					while (k < s.Count && !s.Kw(k, "to") && !s.Sym(k, "=") && !s.Kw(k, "names"))
						k++;
					if (k + 1 < s.Count && !s.Kw(k + 1, "default"))
						value = k + 1;
				}

				return [new SettingAssignment(name, value)];
			}
			case "create" when IsRoutineDefinition(s):
			{
				var options = OptionsStart(s);
				return Clauses(s, options, SqlBodyStart(s, options));
			}
			case "alter" when s.ObjectKind is "function" or "procedure" or "routine":
				return Clauses(s, s.ObjectIndex, s.Count);
			case "alter" when s.ObjectKind is "role" or "user":
				return Clauses(s, s.ObjectIndex, s.Count);
			default:
				return NoAssignments;
		}
	}

	/// <summary>Index of the first token after the routine's name and argument list.</summary>
	static int OptionsStart(StatementShape s)
	{
		var k = s.SkipQualifiedName(s.ObjectIndex);
		return s.Sym(k, "(") ? s.MatchParen(k) + 1 : k;
	}

	/// <summary>Index of a SQL-standard body (<c>BEGIN ATOMIC</c> or <c>RETURN</c>) at the top level, or <see cref="StatementShape.Count"/>.</summary>
	static int SqlBodyStart(StatementShape s, int from)
	{
		for (var i = from; i < s.Count; i++)
		{
			if (s.Sym(i, "(") || s.Sym(i, "["))
				i = s.MatchParen(i);
			else if ((s.Kw(i, "begin") && s.Kw(i + 1, "atomic")) || s.Kw(i, "return"))
				return i;
		}

		return s.Count;
	}

	/// <summary><c>SET name {TO|=} value | SET name FROM CURRENT | RESET name | RESET ALL</c> clauses in [from, to).</summary>
	static IReadOnlyList<SettingAssignment> Clauses(StatementShape s, int from, int to)
	{
		List<SettingAssignment>? found = null;
		for (var i = from; i < to; i++)
		{
			if (s.Sym(i, "(") || s.Sym(i, "["))
			{
				i = s.MatchParen(i);
				continue;
			}

			var set = s.Kw(i, "set");
			if (!set && !s.Kw(i, "reset"))
				continue;

			// ALTER FUNCTION f SET SCHEMA s is no parameter.
			if (set && s.Kw(i + 1, "schema") && s.Name(i + 2) is not null && !s.Sym(i + 2, "=") && !s.Kw(i + 2, "to"))
				continue;

			if (s.Name(i + 1) is not { } name)
				continue;
			var k = i + 1;
			while (s.Sym(k + 1, ".") && s.Name(k + 2) is { } part)
			{
				name += "." + part;
				k += 2;
			}

			if (!set && name == "all")
				continue;

			var value = -1;
			if (set && (s.Kw(k + 1, "to") || s.Sym(k + 1, "=")) && k + 2 < to && !s.Kw(k + 2, "default"))
				value = k + 2;

			(found ??= []).Add(new SettingAssignment(name, value));
			i = k;
		}

		return (IReadOnlyList<SettingAssignment>?)found ?? NoAssignments;
	}
}
