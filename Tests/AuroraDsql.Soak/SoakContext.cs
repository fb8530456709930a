using System.Collections.Concurrent;

using Amazon.Runtime;

using AuroraDsql.Local;

using LinqToDB;
using LinqToDB.DataProvider.AuroraDsql;

using Npgsql;

namespace AuroraDsql.Soak;

/// <summary>What the workloads share: the endpoint, how to reach it, and what went wrong where it should not have.</summary>
sealed class SoakContext(LocalDsqlEndpoint endpoint, NpgsqlDataSource admin, int seed)
{
	public LocalDsqlEndpoint Endpoint { get; } = endpoint;

	/// <summary>Plain Npgsql connections through the endpoint, as admin (set-up and checks).</summary>
	public NpgsqlDataSource Admin { get; } = admin;

	public int Seed { get; } = seed;

	/// <summary>Errors no workload expects (each is a failed soak).</summary>
	public ConcurrentQueue<string> Unexpected { get; } = new();

	/// <summary>The provider's options for the endpoint, sessions marked with <paramref name="applicationName"/> (fault injection filters on it).</summary>
	public DataOptions ProviderOptions(string applicationName) =>
		new DataOptions().UseAuroraDsql(Endpoint.HostName, o => o with
		{
			Port                = Endpoint.Port,
			Region              = Endpoint.Region,
			Credentials         = new BasicAWSCredentials(Endpoint.AccessKeyId, Endpoint.SecretAccessKey),
			RootCertificatePath = Endpoint.CaCertificatePath,
			ApplicationName     = applicationName,
			// Idle pooled connections go soon, so that "no session left" can be checked a few seconds after the load.
			ConnectionIdleLifetime    = TimeSpan.FromSeconds(2),
			ConfigureConnectionString = b => b.ConnectionPruningInterval = 1,
		});

	public void Fail(string workload, Exception exception) => Unexpected.Enqueue($"{workload}: {exception.GetType().Name}: {exception.Message}");

	public async Task ExecuteAsync(string sql)
	{
		await using var command = Admin.CreateCommand(sql);
		await command.ExecuteNonQueryAsync();
	}

	public async Task<object?> ScalarAsync(string sql)
	{
		await using var command = Admin.CreateCommand(sql);
		return await command.ExecuteScalarAsync();
	}
}
