namespace LinqToDB.AuroraDsql.Scaffold.Naming;

/// <summary>
/// Simple, deterministic English singular and plural forms, applied to the last word of a name (<c>OrderLines</c> →
/// <c>OrderLine</c>, <c>order_line</c> → <c>order_lines</c>). Unknown irregular words get the regular rules.
/// </summary>
static class Inflector
{
	static readonly Dictionary<string, string> _irregularPlural = new(StringComparer.OrdinalIgnoreCase)
	{
		["person"] = "people", ["man"] = "men", ["woman"] = "women", ["child"] = "children", ["mouse"] = "mice",
		["goose"] = "geese", ["tooth"] = "teeth", ["foot"] = "feet", ["ox"] = "oxen", ["leaf"] = "leaves",
		["life"] = "lives", ["knife"] = "knives", ["wife"] = "wives", ["half"] = "halves", ["index"] = "indexes",
		["matrix"] = "matrices", ["vertex"] = "vertices", ["axis"] = "axes", ["criterion"] = "criteria",
		["movie"] = "movies", ["cookie"] = "cookies", ["quiz"] = "quizzes",
	};

	static readonly Dictionary<string, string> _irregularSingular =
		_irregularPlural.ToDictionary(p => p.Value, p => p.Key, StringComparer.OrdinalIgnoreCase);

	static readonly HashSet<string> _uncountable = new(StringComparer.OrdinalIgnoreCase)
	{
		"data", "metadata", "information", "equipment", "news", "series", "species", "status", "staff", "sheep", "fish",
		"deer", "money", "rice", "software", "hardware", "feedback", "media", "audio", "info", "settings", "analytics",
	};

	/// <summary>The plural of the last word of <paramref name="name"/>.</summary>
	public static string Pluralize(string name) => Apply(name, ToPlural);

	/// <summary>The singular of the last word of <paramref name="name"/>.</summary>
	public static string Singularize(string name) => Apply(name, ToSingular);

	static string Apply(string name, Func<string, string> inflect)
	{
		// the last word: trailing letters, starting after a non-letter, at the last lower-to-upper case change, or where an
		// upper-case run ends in the first letter of a capitalized word (XMLFile → File, BOwner → Owner)
		var end = name.Length;
		if (end == 0 || !char.IsLetter(name[end - 1]))
			return name;

		var start = end - 1;
		while (start > 0 && char.IsLetter(name[start - 1]) && !StartsWord(name, start, end))
			start--;

		var word = name[start..end];
		var inflected = inflect(word.ToLowerInvariant());

		if (word.All(char.IsUpper) && word.Length > 1)
			inflected = inflected.ToUpperInvariant();
		else if (char.IsUpper(word[0]))
			inflected = char.ToUpperInvariant(inflected[0]) + inflected[1..];

		return name[..start] + inflected;
	}

	static bool StartsWord(string name, int i, int end) =>
		char.IsUpper(name[i]) && (char.IsLower(name[i - 1]) || (char.IsUpper(name[i - 1]) && i + 1 < end && char.IsLower(name[i + 1])));

	static string ToPlural(string word)
	{
		if (_uncountable.Contains(word) || _irregularSingular.ContainsKey(word))
			return word;
		if (_irregularPlural.TryGetValue(word, out var plural))
			return plural;

		// already plural
		if (word.Length > 2 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal) && !word.EndsWith("is", StringComparison.Ordinal))
			return word;

		if (word.Length > 1 && word.EndsWith('y') && !IsVowel(word[^2]))
			return word[..^1] + "ies";

		if (word.EndsWith('s') || word.EndsWith('x') || word.EndsWith('z') || word.EndsWith("ch", StringComparison.Ordinal) || word.EndsWith("sh", StringComparison.Ordinal))
			return word + "es";

		return word + "s";
	}

	static string ToSingular(string word)
	{
		if (_uncountable.Contains(word) || _irregularPlural.ContainsKey(word))
			return word;
		if (_irregularSingular.TryGetValue(word, out var singular))
			return singular;

		if (word.Length > 3 && word.EndsWith("ies", StringComparison.Ordinal))
			return word[..^3] + "y";

		if (word.EndsWith("sses", StringComparison.Ordinal) || word.EndsWith("xes", StringComparison.Ordinal) || word.EndsWith("zzes", StringComparison.Ordinal) ||
			word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("shes", StringComparison.Ordinal))
			return word[..^2];

		if (word.EndsWith("ss", StringComparison.Ordinal) || word.EndsWith("us", StringComparison.Ordinal) || word.EndsWith("is", StringComparison.Ordinal) || word.Length <= 2)
			return word;

		if (word.EndsWith('s'))
			return word[..^1];

		return word;
	}

	static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';
}
