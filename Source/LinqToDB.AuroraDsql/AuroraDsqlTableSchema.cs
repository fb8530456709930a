using LinqToDB.SchemaProvider;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// A table or view read by the Aurora DSQL schema provider: linq2db's <see cref="TableSchema"/> plus the table's indexes,
/// its primary-key constraint name and, for a view, its definition. Every table in the <see cref="DatabaseSchema"/> returned by
/// <c>db.DataProvider.GetSchemaProvider().GetSchema(db)</c> is of this type, and its <see cref="TableSchema.Columns"/> are
/// <see cref="AuroraDsqlColumnSchema"/>.
/// </summary>
public sealed class AuroraDsqlTableSchema : TableSchema
{
	/// <summary>
	/// Indexes of the table, ordered by name: those behind the primary key and unique constraints too (see
	/// <see cref="AuroraDsqlIndexSchema.ConstraintName"/>), and invalid ones (an asynchronous build that failed or is still running,
	/// see <see cref="AuroraDsqlIndexSchema.IsValid"/>). Empty for views.
	/// </summary>
	public IReadOnlyList<AuroraDsqlIndexSchema> Indexes { get; set; } = [];

	/// <summary>Name of the primary-key constraint, or <see langword="null"/> when the table has none.</summary>
	public string? PrimaryKeyName { get; set; }

	/// <summary>For a view, its query as <c>pg_get_viewdef</c> prints it; otherwise <see langword="null"/>.</summary>
	public string? ViewDefinition { get; set; }
}
