namespace AuroraDsql.Rules;

/// <summary>
/// The client encodings DSQL speaks: UTF-8 only. <c>SQL_ASCII</c> is taken as well: the server then converts nothing and
/// checks what the client sends as UTF-8, so the text is read the same way (psql asks for it in a C locale).
/// </summary>
static class ClientEncodings
{
	/// <summary>
	/// True when <paramref name="name"/> (as given to <c>client_encoding</c>; PostgreSQL ignores case and anything not a
	/// letter or digit, so <c>utf-8</c> is <c>UTF8</c>) means UTF-8 or SQL_ASCII.
	/// </summary>
	public static bool IsAccepted(string name)
	{
		Span<char> clean = stackalloc char[Math.Min(name.Length, 64)];
		var length = 0;
		foreach (var c in name)
		{
			if (!char.IsAsciiLetterOrDigit(c))
				continue;
			if (length == clean.Length)
				return false;
			clean[length++] = char.ToLowerInvariant(c);
		}

		var cleaned = clean[..length];
		return cleaned is "utf8" or "unicode" or "sqlascii";
	}
}
