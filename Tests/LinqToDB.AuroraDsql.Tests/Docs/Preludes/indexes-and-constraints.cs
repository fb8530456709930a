// The context of docs/indexes-and-constraints.md's C# fragments (see DocSampleTests); Pet is the document's own.
global using LinqToDB;
global using LinqToDB.Data;
global using LinqToDB.DataProvider.AuroraDsql;
global using LinqToDB.Mapping;

static partial class DocumentSamples
{
	static readonly DataConnection    db                = null!;
	static readonly CancellationToken cancellationToken = default;
}

[Table("owner")]
public class Owner
{
	[PrimaryKey, Identity] public Guid   Id   { get; set; }
	[Column, NotNull]      public string Name { get; set; } = "";
}
