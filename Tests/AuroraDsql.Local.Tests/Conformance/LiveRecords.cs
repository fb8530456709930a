using System.Text.Json;
using System.Text.RegularExpressions;

namespace AuroraDsql.Local.Tests.Conformance;

/// <summary>
/// The outcomes recorded on a live DSQL cluster (<c>Conformance/LiveRecords/*.json</c>, converted from the public records
/// of Dreamescaper/dsql-emulator; see THIRD-PARTY-NOTICES.md): the cases, and the schema they ran against.
/// </summary>
sealed partial class LiveRecords
{
	LiveRecords(IReadOnlyList<LiveRecordCase> cases, IReadOnlyList<LiveRecordTable> tables, IReadOnlyList<LiveRecordFile> files)
	{
		Cases = cases;
		Tables = tables;
		Files = files;
	}

	public IReadOnlyList<LiveRecordCase> Cases { get; }

	/// <summary>The recording's tables, in the order they were created.</summary>
	public IReadOnlyList<LiveRecordTable> Tables { get; }

	public IReadOnlyList<LiveRecordFile> Files { get; }

	public static string Directory => Path.Combine(TestContext.CurrentContext.TestDirectory, "Conformance", "LiveRecords");

	public static LiveRecords Load()
	{
		var files = new List<LiveRecordFile>();
		var cases = new List<LiveRecordCase>();
		foreach (var path in System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal))
		{
			if (Path.GetFileName(path) == "schema.json")
				continue;

			var file = JsonSerializer.Deserialize<LiveRecordFile>(File.ReadAllText(path))
				?? throw new InvalidDataException($"{path} is empty");
			files.Add(file);
			foreach (var c in file.Cases)
			{
				c.Group = Path.GetFileNameWithoutExtension(path);
				c.TableState = file.TableState ?? [];
				cases.Add(c);
			}
		}

		var duplicates = cases.GroupBy(c => c.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
		if (duplicates.Count > 0)
			throw new InvalidDataException("Cases recorded twice: " + string.Join(", ", duplicates));

		return new LiveRecords(cases, LoadTables(Path.Combine(Directory, "schema.json")), files);
	}

	static List<LiveRecordTable> LoadTables(string path)
	{
		using var document = JsonDocument.Parse(File.ReadAllText(path));
		return
		[
			.. document.RootElement.GetProperty("tables").EnumerateObject().Select(table => new LiveRecordTable(
				table.Name,
				table.Value.TryGetProperty("requires", out var requires) ? [.. requires.EnumerateArray().Select(r => r.GetString()!)] : [],
				[.. table.Value.GetProperty("sql").EnumerateArray().Select(s => s.GetString()!)])),
		];
	}

	/// <summary>The recording's tables a case names (with the tables they reference), in creation order.</summary>
	public IReadOnlyList<LiveRecordTable> TablesOf(LiveRecordCase c)
	{
		var named = c.AllSql().SelectMany(sql => TableName().Matches(sql)).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
		var byName = Tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
		var needed = new HashSet<string>(StringComparer.Ordinal);

		void Add(string name)
		{
			if (byName.TryGetValue(name, out var table) && needed.Add(name))
				foreach (var required in table.Requires)
					Add(required);
		}

		foreach (var name in named)
			Add(name);

		return [.. Tables.Where(t => needed.Contains(t.Name))];
	}

	[GeneratedRegex(@"\bbaseline_[a-z0-9_]+\b")]
	private static partial Regex TableName();
}
