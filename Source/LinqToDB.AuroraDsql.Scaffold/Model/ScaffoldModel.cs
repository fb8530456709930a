namespace LinqToDB.AuroraDsql.Scaffold.Model;

/// <summary>
/// The data model the tool writes: the schema it read (<see cref="EntityModel.Table"/>) with every C# name and type decided. A
/// T4 template (<c>scaffold --customize</c>) gets it as <c>Model</c>, may change any settable part, and writes the files.
/// </summary>
public sealed class ScaffoldModel
{
	/// <summary>Namespace of the generated classes.</summary>
	public required string Namespace { get; set; }

	/// <summary>Name of the generated <c>DataConnection</c> subclass.</summary>
	public required string ContextClassName { get; set; }

	/// <summary>Base class of the data connection.</summary>
	public string ContextBaseClass { get; set; } = "DataConnection";

	/// <summary>File of the data connection, relative to the output folder.</summary>
	public required string ContextFileName { get; set; }

	/// <summary>Generate for nullable reference types (<c>#nullable enable</c>, <c>string?</c>, <c>= null!</c>).</summary>
	public bool NullableReferenceTypes { get; set; }

	/// <summary>One entity per table and view, in a stable order (schemas by precedence, then names).</summary>
	public List<EntityModel> Entities { get; } = [];

	/// <summary>The entity of a table, or <see langword="null"/>.</summary>
	public EntityModel? FindEntity(string schemaName, string tableName) =>
		Entities.Find(e => e.Table.SchemaName == schemaName && e.Table.Name == tableName);
}
