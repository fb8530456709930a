using System.Text.Json.Serialization;

namespace AuroraDsql.Local.Tests.Conformance;

/// <summary>The result of one statement of a multi-statement simple query, as recorded.</summary>
sealed record LiveRecordResult
{
	[JsonPropertyName("tag")]
	public required string Tag { get; init; }

	[JsonPropertyName("columns")]
	public string[]? Columns { get; init; }

	[JsonPropertyName("rows")]
	public string[][]? Rows { get; init; }
}
