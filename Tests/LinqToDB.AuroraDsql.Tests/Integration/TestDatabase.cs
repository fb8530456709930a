using AuroraDsql.Local.Backend;

using LinqToDB.Data;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// The database every integration test runs against, started once per test run and removed at the end.
/// This is the one place that decides what stands behind the provider.
/// </summary>
[SetUpFixture]
public sealed class TestDatabase
{
	static PostgresCluster? _cluster;

	/// <summary>Provider options pointing at the test database.</summary>
	public static DataOptions Options { get; private set; } = null!;

	/// <summary>Npgsql connection string with the same target as <see cref="Options"/>.</summary>
	public static string ConnectionString { get; private set; } = null!;

	[OneTimeSetUp]
	public async Task StartAsync()
	{
		_cluster = await PostgresCluster.StartAsync();

		ConnectionString = new NpgsqlConnectionStringBuilder(_cluster.SuperUserConnectionString) { Pooling = true }.ConnectionString;
		Options          = new DataOptions().UseAuroraDsqlConnectionString(ConnectionString);
	}

	[OneTimeTearDown]
	public async Task StopAsync()
	{
		NpgsqlConnection.ClearAllPools();

		if (_cluster != null)
			await _cluster.DisposeAsync();
	}

	/// <summary>A new data connection to the test database.</summary>
	public static DataConnection Connect(Func<DataOptions, DataOptions>? configure = null) =>
		new(configure is null ? Options : configure(Options));

	/// <summary>A plain Npgsql connection to the test database, for checks that bypass the provider.</summary>
	public static async Task<NpgsqlConnection> OpenNpgsqlAsync()
	{
		var connection = new NpgsqlConnection(ConnectionString);
		await connection.OpenAsync();
		return connection;
	}
}
