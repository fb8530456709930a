using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Remote;

using PetClinic.Model;

namespace PetClinic.Api;

/// <summary>Creates the clinic's tables and indexes at start-up if they are missing, and waits for the index builds.</summary>
public sealed class ClinicSchema(IDataContextFactory<ClinicDb> contexts, ILogger<ClinicSchema> logger) : IHostedService
{
	public async Task StartAsync(CancellationToken cancellationToken)
	{
		await using var db = contexts.CreateDataContext();

		var options = new AuroraDsqlEnsureSchemaOptions
		{
			WaitForIndexes = true,
			WaitTimeout    = TimeSpan.FromMinutes(5),
			Progress       = new SchemaLog(logger),
		};

		await db.EnsureSchemaAsync<Owner>(options, cancellationToken);
		await db.EnsureSchemaAsync<Specialty>(options, cancellationToken);
		await db.EnsureSchemaAsync<Vet>(options, cancellationToken);
		await db.EnsureSchemaAsync<Pet>(options, cancellationToken);
		await db.EnsureSchemaAsync<VetSpecialty>(options, cancellationToken);
	}

	public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

	sealed class SchemaLog(ILogger logger) : IProgress<AuroraDsqlSchemaProgress>
	{
		public void Report(AuroraDsqlSchemaProgress value) =>
			logger.SchemaStep(value.Step, value.ObjectName, value.Job?.Status);
	}
}
