// The context of docs/linq.md's C# fragments (see DocSampleTests).
global using LinqToDB;
global using LinqToDB.Async;
global using LinqToDB.Data;
global using LinqToDB.Mapping;

static partial class DocumentSamples
{
	static readonly DataConnection db      = null!;
	static readonly Guid           ownerId = Guid.Empty;
}

[Table("pet")]
public class Pet
{
	[PrimaryKey, Identity] public Guid      Id        { get; set; }
	[Column]               public Guid      OwnerId   { get; set; }
	[Column]               public DateOnly? BirthDate { get; set; }
}
