using LinqToDB;
using LinqToDB.Data;

namespace PetClinic.Model;

/// <summary>The clinic's tables.</summary>
public sealed class ClinicDb(DataOptions options) : DataConnection(options)
{
	public ITable<Owner>        Owners          => this.GetTable<Owner>();
	public ITable<Pet>          Pets            => this.GetTable<Pet>();
	public ITable<Vet>          Vets            => this.GetTable<Vet>();
	public ITable<Specialty>    Specialties     => this.GetTable<Specialty>();
	public ITable<VetSpecialty> VetSpecialties  => this.GetTable<VetSpecialty>();
}
