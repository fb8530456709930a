namespace LinqToDB.AuroraDsql.Scaffold.Model;

/// <summary>A foreign key the entity declares with <c>[AuroraDsqlForeignKey]</c>, so that <c>CreateTable</c> creates it.</summary>
public sealed class ForeignKeyModel
{
	/// <summary>What the tool read about the key.</summary>
	public required ForeignKeyInfo Key { get; init; }

	/// <summary>The referenced entity.</summary>
	public required EntityModel Principal { get; init; }

	/// <summary>Referencing properties of this entity, in key order.</summary>
	public required IReadOnlyList<PropertyModel> Properties { get; init; }

	/// <summary>Referenced properties of <see cref="Principal"/>, in key order.</summary>
	public required IReadOnlyList<PropertyModel> PrincipalProperties { get; init; }

	/// <summary>The referenced columns are the principal's primary key, in key order (the attribute then names no principal members).</summary>
	public required bool ReferencesPrimaryKey { get; init; }

	/// <inheritdoc />
	public override string ToString() => Key.Name;
}
