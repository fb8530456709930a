using LinqToDB.DataProvider.AuroraDsql;

namespace LinqToDB.AuroraDsql.Scaffold.Model;

/// <summary>A foreign key as the tool read it from the Aurora DSQL catalogs.</summary>
public sealed class ForeignKeyInfo
{
	/// <summary>Constraint name.</summary>
	public required string Name { get; init; }

	/// <summary>Referencing columns of this table, in key order.</summary>
	public required IReadOnlyList<string> Columns { get; init; }

	/// <summary>Schema of the referenced table.</summary>
	public required string ReferencedSchema { get; init; }

	/// <summary>The referenced table.</summary>
	public required string ReferencedTable { get; init; }

	/// <summary>Referenced columns, in key order.</summary>
	public required IReadOnlyList<string> ReferencedColumns { get; init; }

	/// <summary>Action when the referenced row is deleted (<c>ON DELETE</c>).</summary>
	public AuroraDsqlReferentialAction OnDelete { get; init; }

	/// <summary>Action when the referenced key is updated (<c>ON UPDATE</c>).</summary>
	public AuroraDsqlReferentialAction OnUpdate { get; init; }

	/// <summary><see langword="false"/> for a key added <c>NOT VALID</c> whose validation has not run (or failed).</summary>
	public bool IsValidated { get; init; } = true;

	/// <summary>The definition as <c>pg_get_constraintdef</c> prints it.</summary>
	public string Definition { get; init; } = "";

	/// <inheritdoc />
	public override string ToString() => Name + " " + Definition;
}
