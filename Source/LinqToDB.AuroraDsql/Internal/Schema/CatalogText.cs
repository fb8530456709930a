using System.Globalization;
using System.Text;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

/// <summary>
/// Parses catalog values the schema provider reads as text (<c>int2vector::text</c>, <c>int2[]::text</c>, <c>text[]::text</c>),
/// so its queries need neither array types nor array functions.
/// </summary>
static class CatalogText
{
	/// <summary>Parses a one-dimensional array literal such as <c>{1,2}</c> or <c>{a,"b c",NULL}</c>.</summary>
	public static IReadOnlyList<string?> ParseArray(string? text)
	{
		if (string.IsNullOrEmpty(text))
			return [];

		var span = text.AsSpan().Trim();

		// an explicit lower bound prefix such as "[0:1]={…}"
		var equals = span.IndexOf('=');
		if (span.Length > 0 && span[0] == '[' && equals > 0)
			span = span[(equals + 1)..];

		if (span.Length < 2 || span[0] != '{' || span[^1] != '}')
			throw new FormatException($"Not an array literal: '{text}'.");

		span = span[1..^1];

		var items = new List<string?>();
		if (span.IsEmpty)
			return items;

		var current = new StringBuilder();
		var quoted  = false;
		var wasQuoted = false;

		for (var i = 0; i < span.Length; i++)
		{
			var c = span[i];

			if (quoted)
			{
				if (c == '\\' && i + 1 < span.Length)
					current.Append(span[++i]);
				else if (c == '"')
					quoted = false;
				else
					current.Append(c);
			}
			else if (c == '"')
			{
				quoted    = true;
				wasQuoted = true;
			}
			else if (c == '\\' && i + 1 < span.Length)
				current.Append(span[++i]);
			else if (c == ',')
			{
				items.Add(Finish(current, wasQuoted));
				current.Clear();
				wasQuoted = false;
			}
			else
				current.Append(c);
		}

		items.Add(Finish(current, wasQuoted));
		return items;

		static string? Finish(StringBuilder value, bool wasQuoted)
		{
			var item = wasQuoted ? value.ToString() : value.ToString().Trim();
			return !wasQuoted && string.Equals(item, "NULL", StringComparison.OrdinalIgnoreCase) ? null : item;
		}
	}

	/// <summary>Parses an array literal of integers (<c>{1,2}</c>).</summary>
	public static IReadOnlyList<long> ParseIntegerArray(string? text) =>
		ParseArray(text).Select(s => long.Parse(s ?? throw new FormatException("NULL in an integer array."), NumberStyles.Integer, CultureInfo.InvariantCulture)).ToList();

	/// <summary>Parses a space-separated vector (<c>int2vector</c>, <c>oidvector</c>: <c>1 0 3</c>).</summary>
	public static IReadOnlyList<long> ParseVector(string? text) =>
		string.IsNullOrWhiteSpace(text)
			? []
			: text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToList();
}
