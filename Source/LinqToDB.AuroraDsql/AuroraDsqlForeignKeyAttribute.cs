using System.Globalization;

using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// Declares a foreign key that <c>CreateTable</c> (and <c>EnsureSchema</c>) emits inline:
/// <c>CONSTRAINT name FOREIGN KEY (…) REFERENCES principal (…)</c>. linq2db's <see cref="AssociationAttribute"/> stays
/// query-only; this attribute is what creates the constraint. Turn emission off with
/// <see cref="AuroraDsqlOptions.EmitForeignKeys"/>. DSQL does not index the referencing columns: add an index if you join
/// or delete through them.
/// </summary>
/// <example>
/// <code>
/// [AuroraDsqlForeignKey("fk_pet_owner", typeof(Owner), nameof(OwnerId), OnDelete = AuroraDsqlReferentialAction.Cascade)]
/// public class Pet { … }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Interface, AllowMultiple = true, Inherited = true)]
public sealed class AuroraDsqlForeignKeyAttribute : MappingAttribute
{
	/// <summary>Declares a foreign key.</summary>
	/// <param name="name">Constraint name.</param>
	/// <param name="principal">The referenced entity.</param>
	/// <param name="members">Members (or column names) of this entity that hold the reference, in key order.</param>
	public AuroraDsqlForeignKeyAttribute(string name, Type principal, params string[] members)
	{
		Name      = name;
		Principal = principal;
		Members   = members;
	}

	/// <summary>Constraint name.</summary>
	public string Name { get; }

	/// <summary>The referenced entity.</summary>
	public Type Principal { get; }

	/// <summary>Referencing members or columns of this entity.</summary>
	public IReadOnlyList<string> Members { get; }

	/// <summary>Referenced members or columns of <see cref="Principal"/>; empty (the default) means its primary key.</summary>
	public string[] PrincipalMembers { get; set; } = [];

	/// <summary>Action when the referenced row is deleted.</summary>
	public AuroraDsqlReferentialAction OnDelete { get; set; }

	/// <summary>Action when the referenced key is updated.</summary>
	public AuroraDsqlReferentialAction OnUpdate { get; set; }

	/// <inheritdoc />
	public override string GetObjectID() =>
		string.Create(CultureInfo.InvariantCulture,
			$".{Configuration}.{Name}.{Principal.FullName}.{string.Join(",", Members)}.{string.Join(",", PrincipalMembers)}.{(int)OnDelete}.{(int)OnUpdate}.");
}
