using System.Text.Json.Serialization;

namespace AuroraDsql.Local.Tests.Conformance;

/// <summary>
/// One recorded case: the statements of one session (<see cref="Steps"/>) or of two concurrent ones
/// (<see cref="Sessions"/>), with the state the case expects before it starts (<see cref="Setup"/>, besides the tables it
/// names). <see cref="Excluded"/> says why a case cannot apply to a local endpoint; it is then counted apart.
/// </summary>
sealed record LiveRecordCase
{
	[JsonPropertyName("name")]
	public required string Name { get; init; }

	[JsonPropertyName("note")]
	public string? Note { get; init; }

	/// <summary><c>simple</c> for a query string sent as one Query message; otherwise the extended protocol.</summary>
	[JsonPropertyName("protocol")]
	public string? Protocol { get; init; }

	/// <summary>Rows that cannot match across systems (job ids, the cluster's job log); tag and columns still count.</summary>
	[JsonPropertyName("ignoreRows")]
	public bool IgnoreRows { get; init; }

	[JsonPropertyName("excluded")]
	public string? Excluded { get; init; }

	[JsonPropertyName("setup")]
	public string[]? Setup { get; init; }

	[JsonPropertyName("steps")]
	public LiveRecordStep[]? Steps { get; init; }

	[JsonPropertyName("sessions")]
	public LiveRecordStep[][]? Sessions { get; init; }

	/// <summary>The group (file) the case came from; set when loaded.</summary>
	[JsonIgnore]
	public string Group { get; set; } = "";

	/// <summary>Rows the recording's earlier cases had left in a table, applied when the table is created; set when loaded.</summary>
	[JsonIgnore]
	public IReadOnlyDictionary<string, string[]> TableState { get; set; } = new Dictionary<string, string[]>();

	public bool IsSimpleProtocol => string.Equals(Protocol, "simple", StringComparison.Ordinal);

	/// <summary>Every statement of the case, set-up included (for finding the tables it names).</summary>
	public IEnumerable<string> AllSql() =>
		(Setup ?? []).Concat((Steps ?? []).Select(s => s.Sql)).Concat((Sessions ?? []).SelectMany(s => s).Select(s => s.Sql));

	public override string ToString() => $"{Group}/{Name}";
}
