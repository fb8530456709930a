// The context of docs/bulk-operations.md's C# fragments (see DocSampleTests).
global using LinqToDB;
global using LinqToDB.Async;
global using LinqToDB.Data;
global using LinqToDB.DataProvider.AuroraDsql;
global using LinqToDB.Mapping;
global using Microsoft.Extensions.Logging;

static partial class DocumentSamples
{
	static readonly DataConnection    db    = null!;
	static readonly ITable<Item>      table = null!;
	static readonly IEnumerable<Item> rows  = [];
	static readonly CancellationToken ct    = default;
	static readonly ILogger           logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
}

[Table("items")]
public class Item
{
	[PrimaryKey] public int    Id   { get; set; }
	[Column]     public string Name { get; set; } = "";
}

[Table("orders")]
public class Order
{
	[PrimaryKey, Identity] public Guid   Id       { get; set; }
	[Column]               public bool   Archived { get; set; }
	[Column, NotNull]      public string Status   { get; set; } = "";
	[Column]               public Guid    CustomerId { get; set; }
	[Column]               public decimal Total      { get; set; }
}

[Table("staged_order")]
public class StagedOrder
{
	[PrimaryKey]           public Guid    Id         { get; set; }
	[Column]               public Guid    CustomerId { get; set; }
	[Column]               public decimal Total      { get; set; }
	[Column]               public bool    Valid      { get; set; }
}
