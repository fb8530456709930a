using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.SchemaProvider;

namespace LinqToDB.AuroraDsql.Scaffold.Generation;

/// <summary>The C# model to write: names decided, nothing left to the code writer but formatting.</summary>
sealed class DataModel
{
	public required GenerationOptions     Options  { get; init; }
	public required string                ContextClassName { get; init; }
	public required IReadOnlyList<EntityModel> Entities { get; init; }
}

sealed class EntityModel
{
	public required AuroraDsqlTableSchema Table                { get; init; }
	public required string                ClassName            { get; init; }
	public required string                FileName             { get; init; }
	public string                         ContextPropertyName  { get; set; } = "";
	public List<PropertyModel>            Properties           { get; } = [];
	public List<AssociationModel>         Associations         { get; } = [];
	public List<IndexModel>               Indexes              { get; } = [];
	public List<string>                   Notes                { get; } = [];

	public bool IsView => Table.IsView;
}

sealed class PropertyModel
{
	public required AuroraDsqlColumnSchema Column     { get; init; }
	public required string                 Name       { get; init; }
	/// <summary>C# type as written, with <c>?</c> where nullable.</summary>
	public required string                 TypeName   { get; init; }
	public required bool                   IsReference { get; init; }
	/// <summary>Mapped as <c>[Identity]</c>: an identity column, or a UUID key the database fills with <c>gen_random_uuid()</c>.</summary>
	public required bool                   IsIdentity { get; init; }
}

sealed class AssociationModel
{
	public required ForeignKeySchema        Key          { get; init; }
	public required string                  Name         { get; init; }
	public required EntityModel             Other        { get; init; }
	public required IReadOnlyList<PropertyModel> ThisKeys  { get; init; }
	public required IReadOnlyList<PropertyModel> OtherKeys { get; init; }
	/// <summary>One-to-many side: a collection of <see cref="Other"/>.</summary>
	public required bool                    IsCollection { get; init; }
	public required bool                    CanBeNull    { get; init; }
	/// <summary>The side without the foreign key (the referenced table).</summary>
	public required bool                    IsBackReference { get; init; }
	/// <summary>The foreign key's table (the referencing side) and the referenced table, for documentation.</summary>
	public required AuroraDsqlTableSchema   ForeignKeyTable { get; init; }
	public required AuroraDsqlTableSchema   ReferencedTable { get; init; }
}

sealed class IndexModel
{
	public required AuroraDsqlIndexSchema Index { get; init; }
	/// <summary>Key parts as C# expressions: <c>nameof(Name)</c>, <c>nameof(Name) + " NULLS FIRST"</c> or a string literal.</summary>
	public required IReadOnlyList<string> KeyExpressions { get; init; }
	public required IReadOnlyList<string> IncludeExpressions { get; init; }
}
