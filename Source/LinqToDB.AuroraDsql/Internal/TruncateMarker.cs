using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

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

	/// <summary>Finds the marker anywhere in the command text (an interceptor may have prepended its own comments).</summary>
	public static bool TryParse(string commandText, out int batchSize, out string quotedTableName, out string quotedKeys)
	{
		batchSize       = 0;
		quotedTableName = "";
		quotedKeys      = "";

		if (!commandText.Contains(Prefix, StringComparison.Ordinal))
			return false;

		var match = MarkerPattern().Match(commandText);
		if (!match.Success)
			return false;

		batchSize       = int.Parse(match.Groups["batch"].Value, NumberStyles.Integer, CultureInfo.InvariantCulture);
		quotedTableName = Decode(match.Groups["table"].Value);
		quotedKeys      = Decode(match.Groups["keys"].Value);
		return true;
	}

	static string Encode(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

	static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));

	[GeneratedRegex(@"/\* AuroraDSQL:truncate batch=(?<batch>[0-9]+) table=(?<table>[A-Za-z0-9+/=]*) keys=(?<keys>[A-Za-z0-9+/=]*) \*/", RegexOptions.CultureInvariant)]
	private static partial Regex MarkerPattern();
}
