using System.Text;
using System.Text.RegularExpressions;

namespace LinqToDB.AuroraDsql.Scaffold;

/// <summary>
/// A line-buffered writer that masks secrets before anything reaches the console: the values it is given (connection string,
/// password) and any <c>Password=…</c> / <c>Pwd=…</c> pair, so even a mistyped option that echoes its value stays masked.
/// </summary>
sealed partial class MaskingWriter(TextWriter inner) : TextWriter
{
	readonly StringBuilder _line = new();
	readonly List<string>  _secrets = [];

	public override Encoding Encoding => inner.Encoding;

	/// <summary>Adds values to mask.</summary>
	public void AddSecrets(IEnumerable<string> secrets)
	{
		lock (_line)
		{
			_secrets.AddRange(secrets.Where(s => s.Length > 0));
			_secrets.Sort((a, b) => b.Length.CompareTo(a.Length));
		}
	}

	public override void Write(char value)
	{
		lock (_line)
		{
			if (value == '\n')
			{
				inner.Write(Mask(_line.ToString()));
				inner.Write('\n');
				_line.Clear();
			}
			else
				_line.Append(value);
		}
	}

	public override void Write(string? value)
	{
		if (value is null)
			return;

		foreach (var c in value)
			Write(c);
	}

	public override void Flush()
	{
		lock (_line)
		{
			if (_line.Length > 0)
			{
				inner.Write(Mask(_line.ToString()));
				_line.Clear();
			}

			inner.Flush();
		}
	}

	protected override void Dispose(bool disposing)
	{
		if (disposing)
			Flush();

		base.Dispose(disposing);
	}

	/// <summary>The text with every secret replaced by <c>***</c>.</summary>
	public string Mask(string text)
	{
		foreach (var secret in _secrets)
			text = text.Replace(secret, "***", StringComparison.Ordinal);

		return PasswordPair().Replace(text, m => m.Groups["key"].Value + "=***");
	}

	[GeneratedRegex(@"(?<key>\b(?:password|pwd)\s*)=\s*(?:'[^']*'|""[^""]*""|[^;\r\n""']*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
	private static partial Regex PasswordPair();
}
