using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Mapping;

namespace PetClinic.Model;

/// <summary>The vet–specialty many-to-many link: a composite primary key with two foreign keys.</summary>
[Table("vet_specialty")]
[AuroraDsqlForeignKey("fk_vet_specialty_vet", typeof(Vet), nameof(VetId), OnDelete = AuroraDsqlReferentialAction.Cascade)]
[AuroraDsqlForeignKey("fk_vet_specialty_specialty", typeof(Specialty), nameof(SpecialtyId), OnDelete = AuroraDsqlReferentialAction.Cascade)]
public sealed class VetSpecialty
{
	[PrimaryKey(1)] public Guid VetId       { get; set; }
	[PrimaryKey(2)] public Guid SpecialtyId { get; set; }

	[Association(ThisKey = nameof(SpecialtyId), OtherKey = nameof(PetClinic.Model.Specialty.Id), CanBeNull = false)]
	public Specialty? Specialty { get; set; }
}
