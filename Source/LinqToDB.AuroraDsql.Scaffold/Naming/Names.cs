using System.Globalization;
using System.Text;

namespace LinqToDB.AuroraDsql.Scaffold.Naming;

/// <summary>How database names become C# names.</summary>
public enum ClassNaming
{
	/// <summary>PascalCase: words split at non-alphanumeric characters and lower-to-upper case changes, each word capitalized.</summary>
	Pascal,

	/// <summary>The database name as it is, with characters C# does not allow replaced by <c>_</c>.</summary>
	Preserve,
}

/// <summary>Turns database names into valid, deterministic C# identifiers.</summary>
static class Names
{
	static readonly HashSet<string> _keywords = new(StringComparer.Ordinal)
	{
		"abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
		"decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
		"fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock", "long",
		"namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected", "public",
		"readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string", "struct", "switch",
		"this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void",
		"volatile", "while",
	};

	/// <summary>A C# keyword that needs <c>@</c> to be used as an identifier.</summary>
	public static bool IsKeyword(string name) => _keywords.Contains(name);

	/// <summary>The identifier as it must be written in code: keywords get <c>@</c>.</summary>
	public static string Escape(string identifier) => IsKeyword(identifier) ? "@" + identifier : identifier;

	/// <summary>Makes a database name a C# identifier (not yet escaped; see <see cref="Escape"/>).</summary>
	public static string ToIdentifier(string name, ClassNaming naming)
	{
		var result = naming == ClassNaming.Pascal ? ToPascalCase(name) : Sanitize(name);

		if (result.Length == 0)
			result = "_";

		if (!IsIdentifierStart(result[0]))
			result = "_" + result;

		return result;
	}

	/// <summary>Splits a name into words and capitalizes each: <c>order_line</c> → <c>OrderLine</c>, <c>HTTPStatus</c> → <c>HttpStatus</c>.</summary>
	public static string ToPascalCase(string name)
	{
		var result = new StringBuilder(name.Length);

		foreach (var word in SplitWords(name))
		{
			var lower = word.All(c => !char.IsLetter(c) || char.IsUpper(c)) && word.Any(char.IsLetter) ? word.ToLowerInvariant() : word;
			result.Append(char.ToUpperInvariant(lower[0])).Append(lower.AsSpan(1));
		}

		return result.ToString();
	}

	/// <summary>
	/// Words of a name: runs of letters and digits, also split where a lower-case letter or digit is followed by an upper-case one
	/// (<c>camelCase</c>) and before the last capital of an acronym followed by lower case (<c>HTTPStatus</c> → HTTP, Status).
	/// </summary>
	public static IEnumerable<string> SplitWords(string name)
	{
		var word = new StringBuilder();

		for (var i = 0; i < name.Length; i++)
		{
			var c = name[i];

			if (!IsIdentifierPart(c) || c == '_')
			{
				if (word.Length > 0)
					yield return word.ToString();
				word.Clear();
				continue;
			}

			if (word.Length > 0 && char.IsUpper(c))
			{
				var previous = word[^1];
				var nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);

				if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && nextIsLower))
				{
					yield return word.ToString();
					word.Clear();
				}
			}

			word.Append(c);
		}

		if (word.Length > 0)
			yield return word.ToString();
	}

	static string Sanitize(string name)
	{
		var result = new StringBuilder(name.Length);
		foreach (var c in name)
			result.Append(IsIdentifierPart(c) ? c : '_');
		return result.ToString();
	}

	static bool IsIdentifierStart(char c) => c == '_' || char.IsLetter(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.LetterNumber;

	static bool IsIdentifierPart(char c) =>
		c == '_' || char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is
			UnicodeCategory.LetterNumber or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or
			UnicodeCategory.ConnectorPunctuation;

	/// <summary>
	/// Returns <paramref name="name"/>, or it followed by 2, 3, … — the first candidate <paramref name="isTaken"/> rejects not.
	/// </summary>
	public static string MakeUnique(string name, Func<string, bool> isTaken)
	{
		if (!isTaken(name))
			return name;

		for (var i = 2; ; i++)
		{
			var candidate = name + i.ToString(CultureInfo.InvariantCulture);
			if (!isTaken(candidate))
				return candidate;
		}
	}
}
