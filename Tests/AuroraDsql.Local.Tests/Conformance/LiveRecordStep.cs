using System.Text.Json.Serialization;

namespace AuroraDsql.Local.Tests.Conformance;

/// <summary>
/// One statement (or, over the simple protocol, one query string) as the recording client sent it, and what the live
/// cluster answered: an error (<see cref="Error"/>: SQLSTATE and message), or a command tag with its columns and rows, or
/// for a query string of several statements one result per statement (<see cref="Results"/>).
/// </summary>
sealed record LiveRecordStep
{
	[JsonPropertyName("sql")]
	public required string Sql { get; init; }

	[JsonPropertyName("error")]
	public string[]? Error { get; init; }

	[JsonPropertyName("tag")]
	public string? Tag { get; init; }

	[JsonPropertyName("columns")]
	public string[]? Columns { get; init; }

	[JsonPropertyName("rows")]
	public string[][]? Rows { get; init; }

	[JsonPropertyName("results")]
	public LiveRecordResult[]? Results { get; init; }

	/// <summary>The recorded answer in the form a replay's answer is compared in.</summary>
	public LiveOutcome Recorded() => Error is { Length: 2 } error
		? LiveOutcome.Failed(error[0], error[1])
		: LiveOutcome.Succeeded(Results is { } results
			? [.. results.Select(r => new LiveResultSet(r.Tag, r.Columns ?? [], r.Rows ?? []))]
			: [new LiveResultSet(Tag ?? "", Columns ?? [], Rows ?? [])]);
}
