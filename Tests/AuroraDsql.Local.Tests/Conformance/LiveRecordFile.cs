using System.Text.Json.Serialization;

namespace AuroraDsql.Local.Tests.Conformance;

/// <summary>One file of <c>LiveRecords/</c>: the cases of one group, where they were recorded, and when.</summary>
sealed record LiveRecordFile
{
	[JsonPropertyName("source")]
	public required string Source { get; init; }

	[JsonPropertyName("recordedAt")]
	public required DateTimeOffset RecordedAt { get; init; }

	[JsonPropertyName("server")]
	public string? Server { get; init; }

	[JsonPropertyName("comment")]
	public string? Comment { get; init; }

	[JsonPropertyName("tableState")]
	public Dictionary<string, string[]>? TableState { get; init; }

	[JsonPropertyName("cases")]
	public required LiveRecordCase[] Cases { get; init; }
}
