namespace LinqToDB.AuroraDsql.Scaffold.Model;

/// <summary>An index as the tool read it from the Aurora DSQL catalogs.</summary>
public sealed class IndexInfo
{
	/// <summary>Index name (indexes live in their table's schema).</summary>
	public required string Name { get; init; }

	/// <summary>Key parts in order: columns or expressions.</summary>
	public required IReadOnlyList<IndexKeyInfo> Keys { get; init; }

	/// <summary>Non-key columns stored in the index (<c>INCLUDE (…)</c>), in order.</summary>
	public IReadOnlyList<string> Include { get; init; } = [];

	/// <summary>A unique index.</summary>
	public bool IsUnique { get; init; }

	/// <summary>The index behind the primary key.</summary>
	public bool IsPrimaryKey { get; init; }

	/// <summary>The PRIMARY KEY or UNIQUE constraint the index implements, or <see langword="null"/> for a <c>CREATE INDEX</c> one.</summary>
	public string? ConstraintName { get; init; }

	/// <summary>For a unique index, NULLs compare equal (<c>NULLS NOT DISTINCT</c>).</summary>
	public bool NullsNotDistinct { get; init; }

	/// <summary>Partial-index predicate as SQL (the text after <c>WHERE</c>), or <see langword="null"/>.</summary>
	public string? Predicate { get; init; }

	/// <summary>
	/// The state of the asynchronous build (<c>CREATE INDEX ASYNC</c>): <see langword="false"/> while the build runs and after it
	/// failed. Queries do not use an invalid index, and the tool does not declare it.
	/// </summary>
	public bool IsValid { get; init; } = true;

	/// <summary>The definition as <c>pg_get_indexdef</c> prints it.</summary>
	public required string Definition { get; init; }

	/// <inheritdoc />
	public override string ToString() => Definition;
}
