// The context of docs/linq.md's C# fragments (see DocSampleTests).
global using LinqToDB;
global using LinqToDB.Async;
global using LinqToDB.Data;
global using LinqToDB.DataProvider.AuroraDsql;
global using LinqToDB.Mapping;

static partial class DocumentSamples
{
	static readonly DataConnection db      = null!;
	static readonly Guid           ownerId = Guid.Empty;
	static readonly List<Stock>    incoming = [];
	static readonly List<Guid>     orderIds = [];
}

[Table("pet")]
public class Pet
{
	[PrimaryKey, Identity] public Guid      Id        { get; set; }
	[Column]               public Guid      OwnerId   { get; set; }
	[Column]               public DateOnly? BirthDate { get; set; }
}

[Table("stock")]
public class Stock
{
	[PrimaryKey] public string Sku      { get; set; } = "";
	[Column]     public int    Quantity { get; set; }
}

[Table("orders")]
public class Order
{
	[PrimaryKey] public Guid Id { get; set; }
}

public class IdRow
{
	[PrimaryKey] public Guid Id { get; set; }
}
