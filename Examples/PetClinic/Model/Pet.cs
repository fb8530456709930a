using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Mapping;

namespace PetClinic.Model;

/// <summary>A pet and its owner. DSQL does not index foreign key columns, so the owner lookup gets an async index.</summary>
[Table("pet")]
[AuroraDsqlForeignKey("fk_pet_owner", typeof(Owner), nameof(OwnerId), OnDelete = AuroraDsqlReferentialAction.Cascade)]
[AuroraDsqlIndex("ix_pet_owner", nameof(OwnerId), nameof(Name) + " NULLS LAST")]
public sealed class Pet
{
	[PrimaryKey, Identity]   public Guid     Id        { get; set; }
	[Column, NotNull]        public string   Name      { get; set; } = "";
	[Column]                 public DateOnly BirthDate { get; set; }
	[Column, NotNull]        public Guid     OwnerId   { get; set; }

	[Association(ThisKey = nameof(OwnerId), OtherKey = nameof(PetClinic.Model.Owner.Id), CanBeNull = false)]
	public Owner? Owner { get; set; }
}
