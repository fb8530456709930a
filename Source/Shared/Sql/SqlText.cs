using System.Globalization;
using System.Text;

namespace AuroraDsql.Sql;

/// <summary>Values of tokens: identifier names as PostgreSQL folds them, decoded string constants, key word tests.</summary>
static class SqlText
{
	/// <summary>True when <paramref name="token"/> is the unquoted key word <paramref name="keyword"/> (lower-case ASCII).</summary>
	public static bool IsKeyword(string text, Token token, string keyword) =>
		token.Kind == TokenKind.Identifier
		&& token.Length == keyword.Length
		&& text.AsSpan(token.Start, token.Length).Equals(keyword, StringComparison.OrdinalIgnoreCase);

	/// <summary>True when the token is the given punctuation or operator text.</summary>
	public static bool IsSymbol(string text, Token token, string symbol) =>
		token.Kind is TokenKind.Punctuation or TokenKind.Operator
		&& token.Length == symbol.Length
		&& text.AsSpan(token.Start, token.Length).SequenceEqual(symbol);

	/// <summary>True for identifiers (quoted or not).</summary>
	public static bool IsName(Token token) => token.Kind is TokenKind.Identifier or TokenKind.QuotedIdentifier;

	/// <summary>
	/// The name an identifier token denotes: unquoted names are folded to lower case (ASCII only, as PostgreSQL does),
	/// quoted names keep their case with <c>""</c> undoubled, <c>U&amp;"…"</c> escapes are decoded.
	/// </summary>
	public static string Name(string text, Token token)
	{
		switch (token.Kind)
		{
			case TokenKind.Identifier:
			{
				var span = text.AsSpan(token.Start, token.Length);
				return string.Create(span.Length, (text, token.Start), static (dst, state) =>
				{
					for (var k = 0; k < dst.Length; k++)
					{
						var ch = state.text[state.Start + k];
						dst[k] = char.IsAsciiLetterUpper(ch) ? (char)(ch + 32) : ch;
					}
				});
			}
			case TokenKind.QuotedIdentifier:
				return DecodeQuoted(text, token, '"');
			default:
				return text.Substring(token.Start, token.Length);
		}
	}

	/// <summary>The value of a string constant token (any form); <see langword="null"/> for other tokens or malformed escapes.</summary>
	public static string? StringValue(string text, Token token, bool standardConformingStrings = true)
	{
		if (token.Kind != TokenKind.String)
			return null;

		var first = text[token.Start];

		if (first == '$')
		{
			var tagLength = text.IndexOf('$', token.Start + 1) - token.Start + 1;
			return text.Substring(token.Start + tagLength, token.Length - 2 * tagLength);
		}

		if (first == '\'')
			return standardConformingStrings ? Undouble(text, token.Start + 1, token.End - 1, '\'') : DecodeEscapes(text, token.Start + 1, token.End - 1);

		if (first is 'e' or 'E')
			return DecodeEscapes(text, token.Start + 2, token.End - 1);

		if (first is 'n' or 'N')
			return standardConformingStrings ? Undouble(text, token.Start + 2, token.End - 1, '\'') : DecodeEscapes(text, token.Start + 2, token.End - 1);

		if (first is 'u' or 'U')
			return DecodeQuoted(text, token, '\'');

		return null;
	}

	static string DecodeQuoted(string text, Token token, char quote)
	{
		var start = token.Start;
		var unicode = text[start] is 'u' or 'U';
		if (unicode)
			start += 2;

		// closing quote position: the token may carry a UESCAPE clause after it
		var close = start + 1;
		while (true)
		{
			if (text[close] == quote)
			{
				if (close + 1 < token.End && text[close + 1] == quote)
				{
					close += 2;
					continue;
				}

				break;
			}

			close++;
		}

		var body = Undouble(text, start + 1, close, quote);
		if (!unicode)
			return body;

		var escape = '\\';
		var rest = text.AsSpan(close + 1, token.End - close - 1);
		var q = rest.IndexOf('\'');
		if (q >= 0 && q + 1 < rest.Length)
			escape = rest[q + 1];

		return DecodeUnicodeEscapes(body, escape) ?? body;
	}

	static string Undouble(string text, int start, int end, char quote)
	{
		var span = text.AsSpan(start, end - start);
		if (span.IndexOf(quote) < 0)
			return span.ToString();

		var sb = new StringBuilder(span.Length);
		for (var k = 0; k < span.Length; k++)
		{
			sb.Append(span[k]);
			if (span[k] == quote && k + 1 < span.Length && span[k + 1] == quote)
				k++;
		}

		return sb.ToString();
	}

	static string? DecodeUnicodeEscapes(string body, char escape)
	{
		var sb = new StringBuilder(body.Length);

		for (var k = 0; k < body.Length; k++)
		{
			var c = body[k];
			if (c != escape)
			{
				sb.Append(c);
				continue;
			}

			if (k + 1 < body.Length && body[k + 1] == escape)
			{
				sb.Append(escape);
				k++;
				continue;
			}

			int digits;
			var offset = 1;
			if (k + 1 < body.Length && body[k + 1] == '+')
			{
				digits = 6;
				offset = 2;
			}
			else
				digits = 4;

			if (k + offset + digits > body.Length
				|| !int.TryParse(body.AsSpan(k + offset, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
				|| code > 0x10FFFF)
				return null;

			sb.Append(char.ConvertFromUtf32(code));
			k += offset + digits - 1;
		}

		return sb.ToString();
	}

	/// <summary>C-style escapes of <c>E'…'</c> strings: <c>\n \t \b \f \r</c>, octal, <c>\xHH</c>, <c>\uXXXX</c>, <c>\UXXXXXXXX</c>, <c>''</c>.</summary>
	static string? DecodeEscapes(string text, int start, int end)
	{
		var sb = new StringBuilder(end - start);
		var bytes = new List<byte>();

		void FlushBytes()
		{
			if (bytes.Count == 0)
				return;
			sb.Append(Encoding.UTF8.GetString(bytes.ToArray()));
			bytes.Clear();
		}

		for (var k = start; k < end; k++)
		{
			var c = text[k];

			if (c == '\'' && k + 1 < end && text[k + 1] == '\'')
			{
				FlushBytes();
				sb.Append('\'');
				k++;
				continue;
			}

			if (c != '\\' || k + 1 >= end)
			{
				FlushBytes();
				sb.Append(c);
				continue;
			}

			var e = text[++k];
			switch (e)
			{
				case 'b': FlushBytes(); sb.Append('\b'); break;
				case 'f': FlushBytes(); sb.Append('\f'); break;
				case 'n': FlushBytes(); sb.Append('\n'); break;
				case 'r': FlushBytes(); sb.Append('\r'); break;
				case 't': FlushBytes(); sb.Append('\t'); break;
				case >= '0' and <= '7':
				{
					var value = 0;
					var count = 0;
					while (count < 3 && k < end && text[k] is >= '0' and <= '7')
					{
						value = value * 8 + (text[k] - '0');
						k++;
						count++;
					}

					k--;
					bytes.Add((byte)value);
					break;
				}
				case 'x':
				{
					var value = 0;
					var count = 0;
					while (count < 2 && k + 1 < end && char.IsAsciiHexDigit(text[k + 1]))
					{
						value = value * 16 + Convert.ToInt32(text[k + 1].ToString(), 16);
						k++;
						count++;
					}

					if (count == 0)
					{
						FlushBytes();
						sb.Append('x');
					}
					else
						bytes.Add((byte)value);
					break;
				}
				case 'u' or 'U':
				{
					var digits = e == 'u' ? 4 : 8;
					if (k + digits >= end
						|| !int.TryParse(text.AsSpan(k + 1, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
						|| code > 0x10FFFF)
						return null;

					FlushBytes();
					sb.Append(char.ConvertFromUtf32(code));
					k += digits;
					break;
				}
				default:
					FlushBytes();
					sb.Append(e);
					break;
			}
		}

		FlushBytes();
		return sb.ToString();
	}

	/// <summary>Quotes a value as an <c>E'…'</c> literal, safe whatever <c>standard_conforming_strings</c> is.</summary>
	public static string QuoteLiteral(string value)
	{
		var sb = new StringBuilder(value.Length + 4);
		sb.Append("E'");
		foreach (var c in value)
		{
			if (c is '\'' or '\\')
				sb.Append(c);
			sb.Append(c);
		}

		sb.Append('\'');
		return sb.ToString();
	}

	/// <summary>Quotes an identifier the way <c>quote_ident</c> does for names that need it (always quoting is fine too).</summary>
	public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
