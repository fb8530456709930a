namespace LinqToDB.AuroraDsql.Scaffold.Model;

/// <summary>A table or view as the tool read it from the Aurora DSQL catalogs.</summary>
public sealed class TableInfo
{
	/// <summary>Schema name, as in the database.</summary>
	public required string SchemaName { get; init; }

	/// <summary>Table or view name, as in the database.</summary>
	public required string Name { get; init; }

	/// <summary>A view (read-only in the model).</summary>
	public bool IsView { get; init; }

	/// <summary>The table's comment (<c>COMMENT ON TABLE</c>), or <see langword="null"/>.</summary>
	public string? Description { get; init; }

	/// <summary>Name of the primary-key constraint, or <see langword="null"/> when the table has none.</summary>
	public string? PrimaryKeyName { get; init; }

	/// <summary>For a view, its query as <c>pg_get_viewdef</c> prints it; otherwise <see langword="null"/>.</summary>
	public string? ViewDefinition { get; init; }

	/// <summary>Columns in table order.</summary>
	public IReadOnlyList<ColumnInfo> Columns { get; init; } = [];

	/// <summary>
	/// Indexes ordered by name, with those behind the primary key and UNIQUE constraints and those whose asynchronous build
	/// failed or has not finished (<see cref="IndexInfo.IsValid"/>). Empty for views.
	/// </summary>
	public IReadOnlyList<IndexInfo> Indexes { get; init; } = [];

	/// <summary>Foreign keys of this table (it is the referencing side), ordered by name.</summary>
	public IReadOnlyList<ForeignKeyInfo> ForeignKeys { get; init; } = [];

	/// <summary>CHECK constraints of this table, ordered by name (domain checks are not listed).</summary>
	public IReadOnlyList<CheckConstraintInfo> CheckConstraints { get; init; } = [];

	/// <summary><c>schema.name</c>.</summary>
	public string QualifiedName => SchemaName.Length == 0 ? Name : SchemaName + "." + Name;

	/// <inheritdoc />
	public override string ToString() => QualifiedName;
}
