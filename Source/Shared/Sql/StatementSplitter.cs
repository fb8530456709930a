namespace AuroraDsql.Sql;

/// <summary>
/// Splits a simple-query text into its statements at top-level semicolons, as the server does. Semicolons inside string
/// constants, quoted identifiers, comments and dollar quotes are not separators, nor are those inside a
/// <c>BEGIN ATOMIC … END</c> body of <c>CREATE FUNCTION</c>/<c>CREATE PROCEDURE</c> (tracked like psql does).
/// </summary>
static class StatementSplitter
{
	/// <summary>Lexes and splits <paramref name="text"/>; returns the non-empty statements in order.</summary>
	public static List<SqlStatement> Split(string text, bool standardConformingStrings = true)
	{
		var tokens = new List<Token>();
		SqlLexer.Tokenize(text, tokens, standardConformingStrings);
		return Split(text, tokens, standardConformingStrings);
	}

	/// <summary>Splits already lexed <paramref name="tokens"/> of <paramref name="text"/>.</summary>
	public static List<SqlStatement> Split(string text, List<Token> tokens, bool standardConformingStrings = true)
	{
		var statements = new List<SqlStatement>();
		var current    = new List<Token>();
		var routine    = false; // the statement is CREATE [OR REPLACE] FUNCTION/PROCEDURE
		var depth      = 0;     // BEGIN/CASE … END nesting inside such a routine body

		foreach (var token in tokens)
		{
			if (depth == 0 && token.Kind == TokenKind.Punctuation && token.Length == 1 && text[token.Start] == ';')
			{
				if (current.Count > 0)
				{
					statements.Add(new SqlStatement(text, current, statements.Count, standardConformingStrings));
					current = [];
				}

				routine = false;
				continue;
			}

			current.Add(token);

			if (current.Count <= 4 && token.Kind == TokenKind.Identifier)
				routine = routine || IsRoutineStart(text, current);

			if (routine && token.Kind == TokenKind.Identifier)
			{
				if (SqlText.IsKeyword(text, token, "begin") || SqlText.IsKeyword(text, token, "case"))
					depth++;
				else if (SqlText.IsKeyword(text, token, "end") && depth > 0)
					depth--;
			}
		}

		if (current.Count > 0)
			statements.Add(new SqlStatement(text, current, statements.Count, standardConformingStrings));

		return statements;
	}

	static bool IsRoutineStart(string text, List<Token> tokens)
	{
		if (!SqlText.IsKeyword(text, tokens[0], "create"))
			return false;

		var k = 1;
		if (tokens.Count > k + 1 && SqlText.IsKeyword(text, tokens[k], "or") && SqlText.IsKeyword(text, tokens[k + 1], "replace"))
			k += 2;

		return tokens.Count > k && (SqlText.IsKeyword(text, tokens[k], "function") || SqlText.IsKeyword(text, tokens[k], "procedure"));
	}
}
