namespace AuroraDsql.Sql;

/// <summary>
/// One statement of a (multi-statement) SQL text: its tokens and its span, without the separating semicolon.
/// Empty statements (<c>;;</c>) are not statements: the server skips them too.
/// </summary>
sealed class SqlStatement
{
	public SqlStatement(string text, IReadOnlyList<Token> tokens, int index, bool standardConformingStrings = true)
	{
		Text   = text;
		Tokens = tokens;
		Index  = index;
		StandardConformingStrings = standardConformingStrings;
	}

	/// <summary>The whole SQL text the statement is part of.</summary>
	public string Text { get; }

	/// <summary>The statement's tokens (at least one).</summary>
	public IReadOnlyList<Token> Tokens { get; }

	/// <summary>Position of the statement among the non-empty statements of the text.</summary>
	public int Index { get; }

	/// <summary>
	/// The <c>standard_conforming_strings</c> the statement was lexed with (when off, backslashes escape in ordinary
	/// <c>'…'</c> strings too): string constants in it are decoded the same way.
	/// </summary>
	public bool StandardConformingStrings { get; }

	/// <summary>Offset of the first token.</summary>
	public int Start => Tokens[0].Start;

	/// <summary>Offset after the last token.</summary>
	public int End => Tokens[^1].End;

	/// <summary>The statement's own text.</summary>
	public string StatementText => Text[Start..End];

	/// <summary>True if a quote or comment is not terminated: the server will refuse the text, classifiers should let it.</summary>
	public bool HasLexicalError => Tokens[^1].Kind == TokenKind.Error;

	/// <summary>True when token <paramref name="index"/> exists and is the unquoted key word.</summary>
	public bool IsKeyword(int index, string keyword) => index < Tokens.Count && SqlText.IsKeyword(Text, Tokens[index], keyword);

	/// <summary>True when token <paramref name="index"/> exists and is the symbol.</summary>
	public bool IsSymbol(int index, string symbol) => index < Tokens.Count && SqlText.IsSymbol(Text, Tokens[index], symbol);

	/// <summary>The folded name of token <paramref name="index"/> if it is an identifier, else <see langword="null"/>.</summary>
	public string? NameAt(int index) => index < Tokens.Count && SqlText.IsName(Tokens[index]) ? SqlText.Name(Text, Tokens[index]) : null;

	/// <summary>The text of token <paramref name="index"/>.</summary>
	public string TokenText(int index) => Text.Substring(Tokens[index].Start, Tokens[index].Length);

	/// <summary>The highest <c>$n</c> parameter number used in the statement, 0 when none.</summary>
	public int MaxParameterNumber()
	{
		var max = 0;
		foreach (var token in Tokens)
		{
			if (token.Kind == TokenKind.Parameter
				&& int.TryParse(Text.AsSpan(token.Start + 1, token.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
				max = Math.Max(max, number);
		}

		return max;
	}

	public override string ToString() => StatementText;
}
