// The context of docs/transactions.md's C# fragments (see DocSampleTests).
global using System.Data;
global using System.Transactions;
global using LinqToDB;
global using LinqToDB.Async;
global using LinqToDB.Data;
global using LinqToDB.DataProvider.AuroraDsql;
global using LinqToDB.Mapping;

global using IsolationLevel = System.Transactions.IsolationLevel;

static partial class DocumentSamples
{
	static readonly DataOptions       options           = new();
	static readonly DataConnection    db                = null!;
	static readonly Guid              id                = Guid.Empty;
	static readonly string            endpoint          = "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws";
	static readonly CancellationToken cancellationToken = default;
}

[Table("owner")]
public class Owner
{
	[PrimaryKey, Identity] public Guid   Id   { get; set; }
	[Column, NotNull]      public string Name { get; set; } = "";
	[Column]               public string? City { get; set; }
}

[Table("pet")]
public class Pet
{
	[PrimaryKey, Identity] public Guid   Id      { get; set; }
	[Column, NotNull]      public string Name    { get; set; } = "";
	[Column]               public Guid   OwnerId { get; set; }
}

[Table("vet")]
public class Vet
{
	[PrimaryKey, Identity] public Guid Id     { get; set; }
	[Column]               public int  Visits { get; set; }
}

[Table("orders")]
public class Order
{
	[PrimaryKey, Identity] public Guid   Id     { get; set; }
	[Column, NotNull]      public string Status { get; set; } = "";
}
