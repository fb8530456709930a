namespace LinqToDB.AuroraDsql.Scaffold.Model;

/// <summary>The property generated for a column.</summary>
public sealed class PropertyModel
{
	/// <summary>What the tool read about the column.</summary>
	public required ColumnInfo Column { get; init; }

	/// <summary>Property name (not escaped; see <see cref="ScaffoldCode.MemberName"/>).</summary>
	public required string Name { get; set; }

	/// <summary>C# type as written, with <c>?</c> where the column is nullable (<c>DateOnly?</c>, <c>string?</c>).</summary>
	public required string TypeName { get; set; }

	/// <summary>The type is a reference type: a NOT NULL one gets <c>= null!</c> with nullable reference types.</summary>
	public bool IsReferenceType { get; set; }

	/// <summary>Mapped as <c>[Identity]</c>: an identity column, or a UUID key whose default is <c>gen_random_uuid()</c>.</summary>
	public bool IsIdentity { get; set; }

	/// <summary>The <c>DataType</c> of <c>[Column]</c> (the column's, unless a type option or override changed it).</summary>
	public DataType DataType { get; set; }

	/// <summary>Further attributes on the property, as written inside <c>[ ]</c>.</summary>
	public List<string> Attributes { get; } = [];

	/// <inheritdoc />
	public override string ToString() => TypeName + " " + Name;
}
