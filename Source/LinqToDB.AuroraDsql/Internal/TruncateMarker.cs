using System.Globalization;
using System.Text.RegularExpressions;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>
/// The comment that opens the statement <c>Truncate()</c> builds, telling <see cref="AuroraDsqlCommandInterceptor"/>
/// to run it as a batched delete: <c>/* AuroraDSQL:truncate batch=3000 keyed=1 table="s"."t" */</c>.
/// </summary>
static partial class TruncateMarker
{
	const string Prefix = "/* AuroraDSQL:truncate ";

	public static string Format(int batchSize, bool keyed, string quotedTableName) =>
		string.Create(CultureInfo.InvariantCulture, $"{Prefix}batch={batchSize} keyed={(keyed ? 1 : 0)} table={quotedTableName} */");

	public static bool TryParse(string commandText, out int batchSize, out bool keyed, out string quotedTableName)
	{
		batchSize       = 0;
		keyed           = false;
		quotedTableName = "";

		if (!commandText.StartsWith(Prefix, StringComparison.Ordinal))
			return false;

		var match = MarkerPattern().Match(commandText);
		if (!match.Success)
			return false;

		batchSize       = int.Parse(match.Groups["batch"].Value, NumberStyles.Integer, CultureInfo.InvariantCulture);
		keyed           = match.Groups["keyed"].Value == "1";
		quotedTableName = match.Groups["table"].Value;
		return true;
	}

	[GeneratedRegex(@"^/\* AuroraDSQL:truncate batch=(?<batch>[0-9]+) keyed=(?<keyed>[01]) table=(?<table>.+?) \*/\r?\n", RegexOptions.CultureInvariant)]
	private static partial Regex MarkerPattern();
}
