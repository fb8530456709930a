namespace LinqToDB.AuroraDsql.Scaffold.Model;

/// <summary>The class generated for a table or view.</summary>
public sealed class EntityModel
{
	/// <summary>What the tool read about the table.</summary>
	public required TableInfo Table { get; init; }

	/// <summary>Class name (not escaped; see <see cref="ScaffoldCode.TypeName"/>).</summary>
	public required string ClassName { get; set; }

	/// <summary>File name, relative to the output folder.</summary>
	public required string FileName { get; set; }

	/// <summary>Name of the data connection's property for this table.</summary>
	public string ContextPropertyName { get; set; } = "";

	/// <summary><c>class</c> (the default) or <c>record</c>: the keyword the type is declared with.</summary>
	public string TypeKeyword { get; set; } = "class";

	/// <summary>Base class, or <see langword="null"/>.</summary>
	public string? BaseClass { get; set; }

	/// <summary>Interfaces the class implements.</summary>
	public List<string> Interfaces { get; } = [];

	/// <summary>Further attributes on the class, as written inside <c>[ ]</c> (<c>Serializable</c>).</summary>
	public List<string> Attributes { get; } = [];

	/// <summary>Properties, one per column, in column order.</summary>
	public List<PropertyModel> Properties { get; } = [];

	/// <summary>Associations from foreign keys, both directions.</summary>
	public List<AssociationModel> Associations { get; } = [];

	/// <summary>Indexes declared with <c>[AuroraDsqlIndex]</c> (when index attributes are on).</summary>
	public List<IndexModel> Indexes { get; } = [];

	/// <summary>Foreign keys declared with <c>[AuroraDsqlForeignKey]</c> (when foreign-key attributes are on).</summary>
	public List<ForeignKeyModel> ForeignKeys { get; } = [];

	/// <summary>CHECK constraints declared with <c>[AuroraDsqlCheck]</c> (when check attributes are on).</summary>
	public List<CheckConstraintInfo> CheckConstraints { get; } = [];

	/// <summary>Remarks for the class's documentation (XML text): why an index or key is not declared, and the like.</summary>
	public List<string> Remarks { get; } = [];

	/// <summary>A view: read-only (init-only properties, an <c>IQueryable</c> on the data connection).</summary>
	public bool IsView => Table.IsView;

	/// <summary>The property of a column, or <see langword="null"/>.</summary>
	public PropertyModel? FindProperty(string columnName) => Properties.Find(p => p.Column.Name == columnName);

	/// <inheritdoc />
	public override string ToString() => ClassName + " (" + Table.QualifiedName + ")";
}
