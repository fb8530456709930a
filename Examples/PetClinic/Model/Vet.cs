using LinqToDB.Mapping;

namespace PetClinic.Model;

/// <summary>A veterinarian. <see cref="Visits"/> is the row the conflict demonstration updates from two places at once.</summary>
[Table("vet")]
public sealed class Vet
{
	[PrimaryKey]      public Guid   Id     { get; set; }
	[Column, NotNull] public string Name   { get; set; } = "";
	[Column]          public int    Visits { get; set; }

	[Association(ThisKey = nameof(Id), OtherKey = nameof(VetSpecialty.VetId))]
	public List<VetSpecialty> Specialties { get; set; } = [];
}
