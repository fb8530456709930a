namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>An index of a table, as read by the Aurora DSQL schema provider (<see cref="AuroraDsqlTableSchema.Indexes"/>).</summary>
/// <remarks>Lists compare by reference in the record's equality.</remarks>
public sealed record AuroraDsqlIndexSchema
{
	/// <summary>Index name (indexes live in their table's schema).</summary>
	public required string Name { get; init; }

	/// <summary>Key parts in order: columns or expressions, with their NULLS order.</summary>
	public required IReadOnlyList<AuroraDsqlIndexKey> Keys { get; init; }

	/// <summary>Non-key columns stored in the index (<c>INCLUDE (…)</c>), in order.</summary>
	public IReadOnlyList<string> Include { get; init; } = [];

	/// <summary>A unique index.</summary>
	public bool IsUnique { get; init; }

	/// <summary>The index behind the table's primary key.</summary>
	public bool IsPrimaryKey { get; init; }

	/// <summary>
	/// Name of the <c>PRIMARY KEY</c> or <c>UNIQUE</c> constraint this index implements, or <see langword="null"/> for an index
	/// created on its own (<c>CREATE INDEX</c>).
	/// </summary>
	public string? ConstraintName { get; init; }

	/// <summary>For a unique index, NULLs compare equal (<c>NULLS NOT DISTINCT</c>).</summary>
	public bool NullsNotDistinct { get; init; }

	/// <summary>Partial-index predicate as SQL (the text after <c>WHERE</c>), or <see langword="null"/>.</summary>
	public string? Predicate { get; init; }

	/// <summary>
	/// <see langword="false"/> while an asynchronous build (<c>CREATE INDEX ASYNC</c>) has not completed, and after it failed (for
	/// example on duplicate keys for a unique index). Queries do not use an invalid index; a failed unique one still enforces
	/// uniqueness until dropped.
	/// </summary>
	public bool IsValid { get; init; } = true;

	/// <summary>The index definition as <c>pg_get_indexdef</c> prints it.</summary>
	public required string Definition { get; init; }
}
