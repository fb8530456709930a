namespace AuroraDsql.Sql;

/// <summary>
/// A PostgreSQL lexer following the server's <c>scan.l</c>: unquoted and quoted identifiers (including <c>U&amp;"…"</c>),
/// string constants (<c>'…'</c>, <c>E'…'</c> with backslash escapes, <c>U&amp;'…'</c>, <c>N'…'</c>, bit strings, dollar
/// quoting <c>$tag$…$tag$</c>), numbers, operators, positional parameters and punctuation. Whitespace and comments
/// (<c>--</c> and nested <c>/* */</c>) separate tokens and are not returned. Never throws: input it cannot lex ends in an
/// <see cref="TokenKind.Error"/> token, so the backend reports the syntax error itself.
/// </summary>
static class SqlLexer
{
	/// <summary>Appends the tokens of <paramref name="text"/> to <paramref name="tokens"/>.</summary>
	/// <param name="text">SQL text.</param>
	/// <param name="tokens">Receives the tokens.</param>
	/// <param name="standardConformingStrings">
	/// The session's <c>standard_conforming_strings</c>: when off, backslashes escape in ordinary <c>'…'</c> strings too.
	/// </param>
	public static void Tokenize(string text, List<Token> tokens, bool standardConformingStrings = true)
	{
		var i = 0;
		var n = text.Length;

		while (i < n)
		{
			var c = text[i];

			// Whitespace
			if (IsWhitespace(c))
			{
				i++;
				continue;
			}

			// -- comment
			if (c == '-' && i + 1 < n && text[i + 1] == '-')
			{
				i += 2;
				while (i < n && text[i] != '\n' && text[i] != '\r')
					i++;
				continue;
			}

			// /* nested comment */
			if (c == '/' && i + 1 < n && text[i + 1] == '*')
			{
				var end = SkipBlockComment(text, i);
				if (end < 0)
				{
					tokens.Add(new Token(TokenKind.Error, i, n - i));
					return;
				}

				i = end;
				continue;
			}

			var start = i;

			// Prefixed literals: E'', B'', X'', N'', U&'', U&""
			if ((c is 'e' or 'E') && i + 1 < n && text[i + 1] == '\'')
			{
				i = ScanQuoted(text, i + 1, '\'', backslashEscapes: true);
				Add(tokens, TokenKind.String, start, i, n);
				if (i < 0) return;
				continue;
			}

			if ((c is 'b' or 'B' or 'x' or 'X') && i + 1 < n && text[i + 1] == '\'')
			{
				i = ScanQuoted(text, i + 1, '\'', backslashEscapes: false);
				Add(tokens, TokenKind.BitString, start, i, n);
				if (i < 0) return;
				continue;
			}

			if ((c is 'n' or 'N') && i + 1 < n && text[i + 1] == '\'')
			{
				i = ScanQuoted(text, i + 1, '\'', backslashEscapes: !standardConformingStrings);
				Add(tokens, TokenKind.String, start, i, n);
				if (i < 0) return;
				continue;
			}

			if ((c is 'u' or 'U') && i + 2 < n && text[i + 1] == '&' && text[i + 2] is '\'' or '"')
			{
				var quote = text[i + 2];
				i = ScanQuoted(text, i + 2, quote, backslashEscapes: false);
				if (i < 0)
				{
					tokens.Add(new Token(TokenKind.Error, start, n - start));
					return;
				}

				i = ScanUescape(text, i);
				tokens.Add(new Token(quote == '\'' ? TokenKind.String : TokenKind.QuotedIdentifier, start, i - start));
				continue;
			}

			if (IsIdentStart(c))
			{
				i++;
				while (i < n && IsIdentCont(text[i]))
					i++;
				tokens.Add(new Token(TokenKind.Identifier, start, i - start));
				continue;
			}

			if (c == '"')
			{
				i = ScanQuoted(text, i, '"', backslashEscapes: false);
				Add(tokens, TokenKind.QuotedIdentifier, start, i, n);
				if (i < 0) return;
				continue;
			}

			if (c == '\'')
			{
				i = ScanQuoted(text, i, '\'', backslashEscapes: !standardConformingStrings);
				Add(tokens, TokenKind.String, start, i, n);
				if (i < 0) return;
				continue;
			}

			if (c == '$')
			{
				// $1 parameter
				if (i + 1 < n && char.IsAsciiDigit(text[i + 1]))
				{
					i++;
					while (i < n && char.IsAsciiDigit(text[i]))
						i++;
					tokens.Add(new Token(TokenKind.Parameter, start, i - start));
					continue;
				}

				// $tag$ … $tag$
				var tagEnd = i + 1;
				if (tagEnd < n && IsDollarTagStart(text[tagEnd]))
				{
					tagEnd++;
					while (tagEnd < n && IsDollarTagCont(text[tagEnd]))
						tagEnd++;
				}

				if (tagEnd < n && text[tagEnd] == '$')
				{
					var tag = text.AsSpan(i, tagEnd - i + 1);
					var close = text.AsSpan(tagEnd + 1).IndexOf(tag, StringComparison.Ordinal);
					if (close < 0)
					{
						tokens.Add(new Token(TokenKind.Error, start, n - start));
						return;
					}

					i = tagEnd + 1 + close + tag.Length;
					tokens.Add(new Token(TokenKind.String, start, i - start));
					continue;
				}

				// A lone '$' is not valid SQL; let the server say so.
				tokens.Add(new Token(TokenKind.Error, start, n - start));
				return;
			}

			if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < n && char.IsAsciiDigit(text[i + 1])))
			{
				i = ScanNumber(text, i);
				tokens.Add(new Token(TokenKind.Number, start, i - start));
				continue;
			}

			// Punctuation and two-character specials
			if (c == ':' && i + 1 < n && text[i + 1] is ':' or '=')
			{
				tokens.Add(new Token(TokenKind.Punctuation, start, 2));
				i += 2;
				continue;
			}

			if (c == '.' && i + 1 < n && text[i + 1] == '.')
			{
				tokens.Add(new Token(TokenKind.Punctuation, start, 2));
				i += 2;
				continue;
			}

			if (c is '(' or ')' or '[' or ']' or ',' or ';' or ':' or '.')
			{
				tokens.Add(new Token(TokenKind.Punctuation, start, 1));
				i++;
				continue;
			}

			if (IsOperatorChar(c))
			{
				i = ScanOperator(text, i);
				var kind = i - start == 2 && text[start] == '=' && text[start + 1] == '>' ? TokenKind.Punctuation : TokenKind.Operator;
				tokens.Add(new Token(kind, start, i - start));
				continue;
			}

			// Anything else (control characters, stray backslashes…): one-character operator-ish token, the server decides.
			tokens.Add(new Token(TokenKind.Operator, start, 1));
			i++;
		}
	}

	static void Add(List<Token> tokens, TokenKind kind, int start, int end, int n)
	{
		if (end < 0)
			tokens.Add(new Token(TokenKind.Error, start, n - start));
		else
			tokens.Add(new Token(kind, start, end - start));
	}

	/// <summary>Scans a quoted run starting at the opening quote; returns the index after the closing quote, or -1.</summary>
	static int ScanQuoted(string text, int openQuote, char quote, bool backslashEscapes)
	{
		var i = openQuote + 1;
		var n = text.Length;

		while (i < n)
		{
			var c = text[i];

			if (backslashEscapes && c == '\\')
			{
				i += 2;
				continue;
			}

			if (c == quote)
			{
				if (i + 1 < n && text[i + 1] == quote)
				{
					i += 2;
					continue;
				}

				return i + 1;
			}

			i++;
		}

		return -1;
	}

	/// <summary>After a <c>U&amp;</c> literal: an optional <c>UESCAPE 'c'</c> clause belongs to it.</summary>
	static int ScanUescape(string text, int i)
	{
		var j = SkipWhitespaceAndComments(text, i);
		if (j + 7 <= text.Length && text.AsSpan(j, 7).Equals("uescape", StringComparison.OrdinalIgnoreCase)
			&& (j + 7 == text.Length || !IsIdentCont(text[j + 7])))
		{
			var k = SkipWhitespaceAndComments(text, j + 7);
			if (k < text.Length && text[k] == '\'')
			{
				var end = ScanQuoted(text, k, '\'', backslashEscapes: false);
				if (end > 0)
					return end;
			}
		}

		return i;
	}

	static int SkipWhitespaceAndComments(string text, int i)
	{
		var n = text.Length;

		while (i < n)
		{
			if (IsWhitespace(text[i]))
				i++;
			else if (text[i] == '-' && i + 1 < n && text[i + 1] == '-')
			{
				while (i < n && text[i] != '\n' && text[i] != '\r')
					i++;
			}
			else if (text[i] == '/' && i + 1 < n && text[i + 1] == '*')
			{
				var end = SkipBlockComment(text, i);
				if (end < 0)
					return n;
				i = end;
			}
			else
				break;
		}

		return i;
	}

	/// <summary>Skips a nested block comment starting at <c>/*</c>; returns the index after it, or -1 if unterminated.</summary>
	static int SkipBlockComment(string text, int i)
	{
		var depth = 0;
		var n = text.Length;

		while (i < n)
		{
			if (text[i] == '/' && i + 1 < n && text[i + 1] == '*')
			{
				depth++;
				i += 2;
			}
			else if (text[i] == '*' && i + 1 < n && text[i + 1] == '/')
			{
				depth--;
				i += 2;
				if (depth == 0)
					return i;
			}
			else
				i++;
		}

		return -1;
	}

	static int ScanNumber(string text, int i)
	{
		var n = text.Length;

		// 0x / 0o / 0b integers (PostgreSQL 16)
		if (text[i] == '0' && i + 2 < n && text[i + 1] is 'x' or 'X' or 'o' or 'O' or 'b' or 'B' && IsAsciiHexDigitOrUnderscore(text[i + 2]))
		{
			i += 2;
			while (i < n && IsAsciiHexDigitOrUnderscore(text[i]))
				i++;
			return i;
		}

		while (i < n && (char.IsAsciiDigit(text[i]) || text[i] == '_'))
			i++;

		// a decimal point, unless it starts '..'
		if (i < n && text[i] == '.' && !(i + 1 < n && text[i + 1] == '.'))
		{
			i++;
			while (i < n && (char.IsAsciiDigit(text[i]) || text[i] == '_'))
				i++;
		}

		if (i < n && text[i] is 'e' or 'E')
		{
			var j = i + 1;
			if (j < n && text[j] is '+' or '-')
				j++;
			if (j < n && char.IsAsciiDigit(text[j]))
			{
				i = j;
				while (i < n && char.IsAsciiDigit(text[i]))
					i++;
			}
		}

		return i;
	}

	static bool IsAsciiHexDigitOrUnderscore(char c) => char.IsAsciiHexDigit(c) || c == '_';

	/// <summary>PostgreSQL's operator rule: a run of operator characters, cut before a comment start, and without a trailing
	/// <c>+</c>/<c>-</c> unless the run contains one of <c>~ ! @ # % ^ &amp; | ` ?</c>.</summary>
	static int ScanOperator(string text, int start)
	{
		var n   = text.Length;
		var end = start;

		while (end < n && IsOperatorChar(text[end]))
		{
			if (end > start && ((text[end] == '-' && text[end - 1] == '-') || (text[end] == '*' && text[end - 1] == '/')))
			{
				end--;
				break;
			}

			end++;
		}

		// A run may start with a comment opener only if it is a single char; the caller handles comments first.
		if (end - start > 1)
		{
			var hasSpecial = false;
			for (var k = start; k < end; k++)
			{
				if (text[k] is '~' or '!' or '@' or '#' or '%' or '^' or '&' or '|' or '`' or '?')
				{
					hasSpecial = true;
					break;
				}
			}

			if (!hasSpecial)
			{
				while (end - start > 1 && text[end - 1] is '+' or '-')
					end--;
			}
		}

		return Math.Max(end, start + 1);
	}

	public static bool IsWhitespace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v';

	public static bool IsIdentStart(char c) => char.IsAsciiLetter(c) || c == '_' || c >= '\u0080';

	public static bool IsIdentCont(char c) => IsIdentStart(c) || char.IsAsciiDigit(c) || c == '$';

	static bool IsDollarTagStart(char c) => char.IsAsciiLetter(c) || c == '_' || c >= '\u0080';

	static bool IsDollarTagCont(char c) => IsDollarTagStart(c) || char.IsAsciiDigit(c);

	static bool IsOperatorChar(char c) => c is '~' or '!' or '@' or '#' or '^' or '&' or '|' or '`' or '?' or '+' or '-' or '*' or '/' or '%' or '<' or '>' or '=';
}
