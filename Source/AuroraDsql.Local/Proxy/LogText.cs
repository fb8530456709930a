using System.Globalization;
using System.Text;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// Text a client sent (role names, database names, host names, protocol garbage), made safe for one log line: control
/// characters, quotes and backslashes are escaped (<c>\n</c>, <c>\"</c>, <c>\x1b</c>…) and long values cut, so a client
/// cannot forge or split the endpoint's log lines.
/// </summary>
static class LogText
{
	const int MaxLength = 200;

	/// <summary>A value a client sent, for a log line (escaped, quoted characters included, and cut at 200 characters).</summary>
	public static string Escape(string? value)
	{
		if (string.IsNullOrEmpty(value))
			return "";

		var sb = new StringBuilder(Math.Min(value.Length, MaxLength) + 8);
		foreach (var c in value)
		{
			if (sb.Length >= MaxLength)
			{
				sb.Append('…');
				break;
			}

			switch (c)
			{
				case '\n': sb.Append("\\n"); break;
				case '\r': sb.Append("\\r"); break;
				case '\t': sb.Append("\\t"); break;
				case '"': sb.Append("\\\""); break;
				case '\\': sb.Append("\\\\"); break;
				default:
					if (char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085')
						sb.Append("\\x").Append(((int)c).ToString(c > 0xFF ? "x4" : "x2", CultureInfo.InvariantCulture));
					else
						sb.Append(c);
					break;
			}
		}

		return sb.ToString();
	}

	/// <summary>
	/// A whole log line: control characters (line breaks above all) escaped, so that whatever a message holds it stays one
	/// line. Applied to every line the endpoint writes.
	/// </summary>
	public static string OneLine(string message)
	{
		var clean = true;
		foreach (var c in message)
		{
			if (char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085')
			{
				clean = false;
				break;
			}
		}

		if (clean)
			return message;

		var sb = new StringBuilder(message.Length + 16);
		foreach (var c in message)
		{
			switch (c)
			{
				case '\n': sb.Append("\\n"); break;
				case '\r': sb.Append("\\r"); break;
				case '\t': sb.Append("\\t"); break;
				default:
					if (char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085')
						sb.Append("\\x").Append(((int)c).ToString(c > 0xFF ? "x4" : "x2", CultureInfo.InvariantCulture));
					else
						sb.Append(c);
					break;
			}
		}

		return sb.ToString();
	}
}
