using LinqToDB;
using LinqToDB.Data;

namespace PetClinic.Model;

/// <summary>The clinic's tables.</summary>
public sealed class ClinicDb(DataOptions options) : DataConnection(options)
{
	/// <summary>The constructor dependency injection uses (<c>AddAuroraDsqlContext&lt;ClinicDb&gt;</c>): options of this context only.</summary>
	public ClinicDb(DataOptions<ClinicDb> options) : this(options.Options)
	{
	}

	public ITable<Owner>        Owners          => this.GetTable<Owner>();
	public ITable<Pet>          Pets            => this.GetTable<Pet>();
	public ITable<Vet>          Vets            => this.GetTable<Vet>();
	public ITable<Specialty>    Specialties     => this.GetTable<Specialty>();
	public ITable<VetSpecialty> VetSpecialties  => this.GetTable<VetSpecialty>();
}
