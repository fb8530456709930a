using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

using AuroraDsql.Sql;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

/// <summary>
/// linq2db's temporary tables (<c>CreateTempTable</c>, <c>IntoTempTable</c>, <c>TempTable&lt;T&gt;</c>, or any table with a
/// temporary <see cref="TableOptions"/>) on DSQL, which has none: each becomes a regular table with a unique name,
/// <c>tmp_&lt;UTC creation time&gt;_&lt;random&gt;_&lt;name&gt;</c>. The SQL builder writes such a table's name as a placeholder
/// identifier (<see cref="Placeholder"/> + the name linq2db knows); before a command is sent the placeholders are replaced
/// with the unique name the data connection's <c>CREATE TABLE</c> chose, so every statement of that connection (and only
/// of that connection, as with a session's temporary table) reaches the same table. <c>DROP TABLE</c> forgets it. A
/// placeholder that reaches the server unresolved names no table (42P01): it never falls through to a regular table of
/// the same name.
/// </summary>
static partial class TemporaryTables
{
	/// <summary>Starts the placeholder identifier; the builder quotes it, so it cannot be taken for a real name.</summary>
	public const string Placeholder = "~dsql-temp~";

	/// <summary>The prefix of every table created for a temporary one.</summary>
	public const string Prefix = "tmp_";

	const int MaxNameBytes = 63;

	static readonly ConditionalWeakTable<DataConnection, Dictionary<string, string>> _names = [];

	/// <summary>Replaces every placeholder in <paramref name="commandText"/> with the connection's table for it.</summary>
	public static string Resolve(DataConnection db, string commandText, bool inTransaction)
	{
		if (!commandText.Contains(Placeholder, StringComparison.Ordinal))
			return commandText;

		var names  = _names.GetOrCreateValue(db);
		var result = new StringBuilder(commandText.Length);
		var at     = 0;

		foreach (var statement in StatementSplitter.Split(commandText))
		{
			var creates = statement.IsKeyword(0, "create") && statement.IsKeyword(1, "table");
			var drops   = statement.IsKeyword(0, "drop")   && statement.IsKeyword(1, "table");

			foreach (Match match in PlaceholderPattern().Matches(commandText[statement.Start..statement.End]))
			{
				var logical = match.Groups["name"].Value.Replace("\"\"", "\"", StringComparison.Ordinal);
				string physical;

				lock (names)
				{
					if (creates)
					{
						if (inTransaction)
							throw new AuroraDsqlNotSupportedException(
								$"Temporary table '{logical}' cannot be created inside a transaction: Aurora DSQL has no temporary tables, and the provider creates a regular table " +
								"instead, which is DDL and must run in a transaction of its own. Nothing was sent. Create the temporary table (CreateTempTable, IntoTempTable) " +
								"before beginning the transaction or TransactionScope, and use it inside.");

						if (!names.TryGetValue(logical, out physical!))
							names[logical] = physical = NewName(logical, DateTime.UtcNow);
					}
					else if (names.TryGetValue(logical, out var known))
					{
						physical = known;
						if (drops)
							names.Remove(logical);
					}
					else
					{
						// Not created on this connection: a name no table has, so the server answers 42P01 as for a missing temporary table.
						physical = NewName(logical, DateTime.UtcNow);
					}
				}

				var start = statement.Start + match.Index;
				result.Append(commandText, at, start - at).Append('"').Append(physical).Append('"');
				at = start + match.Length;
			}
		}

		return result.Append(commandText, at, commandText.Length - at).ToString();
	}

	/// <summary>The unique table created on <paramref name="db"/> for temporary table <paramref name="logicalName"/>, if any.</summary>
	public static string? Find(DataConnection db, string logicalName)
	{
		if (!_names.TryGetValue(db, out var names))
			return null;

		lock (names)
			return names.TryGetValue(logicalName, out var physical) ? physical : null;
	}

	/// <summary><c>tmp_yyyyMMddHHmmss_xxxxxxxx_name</c>: creation time (UTC), 8 random hex digits, the name's safe part; at most 63 bytes.</summary>
	public static string NewName(string logicalName, DateTime utcNow)
	{
		var head = string.Create(CultureInfo.InvariantCulture, $"{Prefix}{utcNow:yyyyMMddHHmmss}_{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}");
		var tail = new string(logicalName.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' ? c : '_').ToArray()).Trim('_');

		if (tail.Length == 0)
			return head;

		var room = MaxNameBytes - head.Length - 1;
		return head + "_" + (tail.Length <= room ? tail : tail[..room]);
	}

	/// <summary>When a table named by <see cref="NewName"/> was created; <see langword="null"/> for any other name.</summary>
	public static DateTime? CreatedAt(string tableName)
	{
		var match = NamePattern().Match(tableName);
		return match.Success && DateTime.TryParseExact(match.Groups["time"].Value, "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
			DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var created)
			? created
			: null;
	}

	[GeneratedRegex("\"" + Placeholder + "(?<name>(?:[^\"]|\"\")*)\"", RegexOptions.CultureInvariant)]
	private static partial Regex PlaceholderPattern();

	[GeneratedRegex(@"^tmp_(?<time>[0-9]{14})_[0-9a-f]{8}(_[a-z0-9_]*)?$", RegexOptions.CultureInvariant)]
	private static partial Regex NamePattern();
}
