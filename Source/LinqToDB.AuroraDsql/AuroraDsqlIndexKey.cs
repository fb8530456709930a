namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>One key part of an <see cref="AuroraDsqlIndexSchema"/>: a column or an expression.</summary>
public sealed record AuroraDsqlIndexKey
{
	/// <summary>Column name, or <see langword="null"/> for an expression key.</summary>
	public string? ColumnName { get; init; }

	/// <summary>Expression as SQL (for example <c>lower(email)</c>), or <see langword="null"/> for a column key.</summary>
	public string? Expression { get; init; }

	/// <summary>Sorted descending (PostgreSQL only: DSQL does not accept ASC/DESC on index keys).</summary>
	public bool Descending { get; init; }

	/// <summary>NULLs sort first (<c>NULLS FIRST</c>); the default is NULLs last for ascending keys.</summary>
	public bool NullsFirst { get; init; }
}
