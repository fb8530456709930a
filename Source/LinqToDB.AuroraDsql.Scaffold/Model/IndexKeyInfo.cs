namespace LinqToDB.AuroraDsql.Scaffold.Model;

/// <summary>One key part of an <see cref="IndexInfo"/>: a column or an expression.</summary>
public sealed class IndexKeyInfo
{
	/// <summary>Column name, or <see langword="null"/> for an expression key.</summary>
	public string? ColumnName { get; init; }

	/// <summary>Expression as SQL (<c>lower(name)</c>), or <see langword="null"/> for a column key.</summary>
	public string? Expression { get; init; }

	/// <summary>Sorted descending (possible on PostgreSQL, not on Aurora DSQL).</summary>
	public bool Descending { get; init; }

	/// <summary><c>NULLS FIRST</c>.</summary>
	public bool NullsFirst { get; init; }

	/// <inheritdoc />
	public override string ToString() => (ColumnName ?? Expression ?? "") + (NullsFirst ? " NULLS FIRST" : "");
}
