namespace LinqToDB.AuroraDsql.Scaffold.Model;

/// <summary>An index the entity declares with <c>[AuroraDsqlIndex]</c>.</summary>
public sealed class IndexModel
{
	/// <summary>What the tool read about the index.</summary>
	public required IndexInfo Index { get; init; }

	/// <summary>Key parts in order.</summary>
	public required IReadOnlyList<IndexMemberModel> Keys { get; init; }

	/// <summary>INCLUDE columns in order.</summary>
	public required IReadOnlyList<IndexMemberModel> Include { get; init; }

	/// <inheritdoc />
	public override string ToString() => Index.Name;
}
