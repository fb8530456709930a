using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

using AuroraDsql.Sql;

using LinqToDB.DataProvider.AuroraDsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Commands;

/// <summary>
/// The comment that marks the statement <c>Truncate()</c> builds (a plain <c>DELETE FROM table</c>), telling
/// <see cref="AuroraDsqlCommandInterceptor"/> to run it as a batched delete:
/// <c>/* AuroraDSQL:truncate batch=3000 table=&lt;base64&gt; keys=&lt;base64&gt; */</c>. The names are base64-encoded so any
/// quoted identifier survives. If the marker is ever missed, the plain DELETE fails loudly on a large table (54000)
/// instead of deleting part of it.
/// </summary>
static partial class TruncateMarker
{
	const string Prefix = "/* AuroraDSQL:truncate ";

	public static string Format(int batchSize, string quotedTableName, IReadOnlyList<string> quotedKeys) =>
		string.Create(CultureInfo.InvariantCulture,
			$"{Prefix}batch={batchSize} table={Encode(quotedTableName)} keys={Encode(string.Join(", ", quotedKeys))} */");

	/// <summary>
	/// Recognizes the statement <c>Truncate()</c> builds: exactly one <c>DELETE FROM table</c> (no condition) preceded by
	/// the marker as a comment (interceptors and query tags may add comments around it), whose table is that statement's
	/// table and whose keys are plain identifiers. Marker text anywhere else (in a literal, after the statement, in front of
	/// another statement or naming another table) is not the provider's and is ignored.
	/// </summary>
	public static bool TryParse(string commandText, out int batchSize, out string quotedTableName, out string quotedKeys)
	{
		batchSize       = 0;
		quotedTableName = "";
		quotedKeys      = "";

		if (!commandText.Contains(Prefix, StringComparison.Ordinal))
			return false;

		if (StatementSplitter.Split(commandText) is not [var statement] || statement.HasLexicalError)
			return false;

		var match = MarkerPattern().Match(commandText);
		if (!match.Success || match.Index + match.Length > statement.Start)
			return false;

		if (statement.Tokens.Count < 3 || !statement.IsKeyword(0, "delete") || !statement.IsKeyword(1, "from"))
			return false;

		if (!TryDecode(match.Groups["table"].Value, out var table) || !TryDecode(match.Groups["keys"].Value, out var keys))
			return false;

		if (table != commandText[statement.Tokens[2].Start..statement.End] || !IsNameList(table, ".") || (keys.Length > 0 && !IsNameList(keys, ",")))
			return false;

		batchSize       = Math.Min(int.Parse(match.Groups["batch"].Value, NumberStyles.Integer, CultureInfo.InvariantCulture), AuroraDsqlOptions.DsqlMaxRowsPerTransaction);
		quotedTableName = table;
		quotedKeys      = keys;
		return batchSize > 0;
	}

	/// <summary>Identifiers (plain or quoted) separated by <paramref name="separator"/>, and nothing else.</summary>
	static bool IsNameList(string text, string separator)
	{
		if (StatementSplitter.Split(text) is not [var names] || names.HasLexicalError || names.Tokens.Count % 2 == 0)
			return false;

		for (var i = 0; i < names.Tokens.Count; i++)
		{
			if (i % 2 == 0 ? names.NameAt(i) is null : !names.IsSymbol(i, separator))
				return false;
		}

		return true;
	}

	static string Encode(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

	static bool TryDecode(string base64, out string text)
	{
		var bytes = new byte[base64.Length];
		if (!Convert.TryFromBase64String(base64, bytes, out var written))
		{
			text = "";
			return false;
		}

		text = Encoding.UTF8.GetString(bytes, 0, written);
		return true;
	}

	[GeneratedRegex(@"/\* AuroraDSQL:truncate batch=(?<batch>[0-9]+) table=(?<table>[A-Za-z0-9+/=]*) keys=(?<keys>[A-Za-z0-9+/=]*) \*/", RegexOptions.CultureInvariant)]
	private static partial Regex MarkerPattern();
}
