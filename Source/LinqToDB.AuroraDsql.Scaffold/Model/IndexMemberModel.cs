namespace LinqToDB.AuroraDsql.Scaffold.Model;

/// <summary>A key or INCLUDE part of an <see cref="IndexModel"/>: a property, a column without one, or an expression.</summary>
public sealed class IndexMemberModel
{
	/// <summary>The property of the column, or <see langword="null"/> (an expression, or a column the entity does not map).</summary>
	public PropertyModel? Property { get; init; }

	/// <summary>The column name, or <see langword="null"/> for an expression.</summary>
	public string? ColumnName { get; init; }

	/// <summary>The SQL expression, in parentheses (<c>(lower(name))</c>), or <see langword="null"/> for a column.</summary>
	public string? Expression { get; init; }

	/// <summary><c>NULLS FIRST</c>.</summary>
	public bool NullsFirst { get; init; }
}
