// The context of docs/scaffolding.md's C# fragments (see DocSampleTests): the rest of the generated model that the
// document shows in part.
global using LinqToDB;
global using LinqToDB.Data;
global using LinqToDB.DataProvider.AuroraDsql;
global using LinqToDB.Mapping;

public partial class Pet
{
	[Column("owner_id")]   public long      OwnerId   { get; set; }
	[Column("birth_date")] public DateOnly? BirthDate { get; set; }
}

[Table(Schema = "shop", Name = "owner")]
public partial class Owner
{
	[Column("id"), PrimaryKey, Identity] public long   Id   { get; set; }
	[Column("name"), NotNull]            public string Name { get; set; } = null!;
}

[Table(Schema = "shop", Name = "pet_owner_view", IsView = true)]
public partial class PetOwnerView
{
	[Column("pet_name")] public string? PetName { get; set; }
}

namespace Shop.Model
{
	public partial class Pet
	{
		public string  Name     { get; set; } = "";
		public string? Nickname { get; set; }
	}
}
