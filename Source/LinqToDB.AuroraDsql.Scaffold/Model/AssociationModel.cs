namespace LinqToDB.AuroraDsql.Scaffold.Model;

/// <summary>An association property generated for a foreign key, on either side of it.</summary>
public sealed class AssociationModel
{
	/// <summary>The foreign key.</summary>
	public required ForeignKeyInfo Key { get; init; }

	/// <summary>Property name.</summary>
	public required string Name { get; set; }

	/// <summary>The entity on the other side.</summary>
	public required EntityModel Other { get; init; }

	/// <summary>Key properties of this entity, in key order.</summary>
	public required IReadOnlyList<PropertyModel> ThisKeys { get; init; }

	/// <summary>Key properties of <see cref="Other"/>, in key order.</summary>
	public required IReadOnlyList<PropertyModel> OtherKeys { get; init; }

	/// <summary>A collection of <see cref="Other"/> (the referenced side of a one-to-many key).</summary>
	public required bool IsCollection { get; init; }

	/// <summary>The association may find no row.</summary>
	public required bool CanBeNull { get; set; }

	/// <summary>This is the referenced side (the table without the foreign key).</summary>
	public required bool IsBackReference { get; init; }

	/// <summary>The referencing table (the foreign key's).</summary>
	public required TableInfo ForeignKeyTable { get; init; }

	/// <summary>The referenced table.</summary>
	public required TableInfo ReferencedTable { get; init; }

	/// <inheritdoc />
	public override string ToString() => Name + " (" + Key.Name + ")";
}
