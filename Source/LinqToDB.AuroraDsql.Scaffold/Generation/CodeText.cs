using System.Globalization;
using System.Text;

using LinqToDB.AuroraDsql.Scaffold.Naming;

namespace LinqToDB.AuroraDsql.Scaffold.Generation;

/// <summary>Small helpers that turn values into C# source text.</summary>
static class CodeText
{
	/// <summary>A regular C# string literal.</summary>
	public static string Literal(string value)
	{
		var sb = new StringBuilder(value.Length + 2).Append('"');

		foreach (var c in value)
		{
			switch (c)
			{
				case '"' : sb.Append("\\\""); break;
				case '\\': sb.Append("\\\\"); break;
				case '\0': sb.Append("\\0");  break;
				case '\n': sb.Append("\\n");  break;
				case '\r': sb.Append("\\r");  break;
				case '\t': sb.Append("\\t");  break;
				default:
					if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\u0085')
						sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
					else
						sb.Append(c);
					break;
			}
		}

		return sb.Append('"').ToString();
	}

	/// <summary>A member name as written in code (<c>@class</c>).</summary>
	public static string EscapeMember(string name) => Names.Escape(name);

	/// <summary>
	/// A type name as written in code: keywords, and names of lower-case ASCII letters only (CS8981: such names may become
	/// keywords), get <c>@</c>.
	/// </summary>
	public static string EscapeType(string name) =>
		Names.IsKeyword(name) || name.All(char.IsAsciiLetterLower) ? "@" + name : name;

	/// <summary>Escapes text for XML documentation.</summary>
	public static string Xml(string text) =>
		XmlCharacters(OneLine(text)).Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

	// Characters XML cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF) become U+FFFD: they would break the doc comment (CS1570).
	static string XmlCharacters(string text)
	{
		if (!text.Any(c => c < ' ' && c != '\t' || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF'))
			return text;

		var result = new StringBuilder(text.Length);

		for (var i = 0; i < text.Length; i++)
		{
			var c = text[i];

			if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
			{
				result.Append(c).Append(text[++i]);
				continue;
			}

			result.Append(c < ' ' && c != '\t' || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF' ? '\uFFFD' : c);
		}

		return result.ToString();
	}

	/// <summary>Every character C# treats as a line end (CR, LF, NEL, LS, PS).</summary>
	public static readonly char[] LineTerminators = ['\r', '\n', '\u0085', '\u2028', '\u2029'];

	/// <summary>
	/// Text from the database on one line: inside a <c>///</c> comment any line terminator would end the comment and let the
	/// rest become code.
	/// </summary>
	public static string OneLine(string text) =>
		text.IndexOfAny(LineTerminators) < 0 ? text : string.Join(' ', text.Split(LineTerminators, StringSplitOptions.RemoveEmptyEntries));

	/// <summary>An integer in invariant culture.</summary>
	public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
