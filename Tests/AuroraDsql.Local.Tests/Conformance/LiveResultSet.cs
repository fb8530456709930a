using System.Text.Json;

namespace AuroraDsql.Local.Tests.Conformance;

/// <summary>One statement's successful answer: command tag, column names, rows (values as text).</summary>
sealed record LiveResultSet(string Tag, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows)
{
	public string Describe(bool withRows) =>
		Tag + " " + JsonSerializer.Serialize(Columns) + (withRows ? " " + JsonSerializer.Serialize(Rows) : "");
}
