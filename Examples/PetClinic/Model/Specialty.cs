using LinqToDB.Mapping;

namespace PetClinic.Model;

/// <summary>A veterinary specialty.</summary>
[Table("specialty")]
public sealed class Specialty
{
	[PrimaryKey]      public Guid   Id   { get; set; }
	[Column, NotNull] public string Name { get; set; } = "";
}
