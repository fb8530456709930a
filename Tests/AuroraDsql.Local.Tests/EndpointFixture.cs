using Npgsql;

namespace AuroraDsql.Local.Tests;

/// <summary>One endpoint (default options) shared by the whole test run.</summary>
[SetUpFixture]
public sealed class EndpointFixture
{
	static LocalDsqlEndpoint? _endpoint;

	public static LocalDsqlEndpoint Endpoint => _endpoint ?? throw new InvalidOperationException("The endpoint is not running.");

	[OneTimeSetUp]
	public async Task StartAsync()
	{
		_endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { Log = TestContext.Progress });
	}

	[OneTimeTearDown]
	public async Task StopAsync()
	{
		NpgsqlConnection.ClearAllPools();
		if (_endpoint != null)
			await _endpoint.DisposeAsync();
	}

	/// <summary>An open connection through the endpoint (pooling off, so every test sees a fresh session).</summary>
	public static async Task<NpgsqlConnection> OpenAsync(string role = "admin", LocalDsqlEndpoint? endpoint = null, Action<NpgsqlConnectionStringBuilder>? configure = null)
	{
		endpoint ??= Endpoint;
		var builder = new NpgsqlConnectionStringBuilder(endpoint.CreateConnectionString(role)) { Pooling = false };
		configure?.Invoke(builder);
		var connection = new NpgsqlConnection(builder.ConnectionString);
		await connection.OpenAsync();
		return connection;
	}

	/// <summary>A direct superuser connection to the backend.</summary>
	public static async Task<NpgsqlConnection> OpenBackendAsync(LocalDsqlEndpoint? endpoint = null)
	{
		var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder((endpoint ?? Endpoint).BackendConnectionString) { Pooling = false }.ConnectionString);
		await connection.OpenAsync();
		return connection;
	}

	/// <summary>A unique lower-case name for test objects.</summary>
	public static string UniqueName(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..10];

	/// <summary>Runs <paramref name="sql"/> and returns the rows it affected.</summary>
	public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null)
	{
		await using var command = new NpgsqlCommand(sql, connection, transaction);
		return await command.ExecuteNonQueryAsync();
	}

	/// <summary>The first column of the first row of <paramref name="sql"/>.</summary>
	public static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
	{
		await using var command = new NpgsqlCommand(sql, connection);
		return await command.ExecuteScalarAsync();
	}

	/// <summary>A new table <c>(id int PRIMARY KEY, v int NOT NULL, note text)</c> with rows 1 … <paramref name="rows"/> (v 0, note '').</summary>
	public static async Task<string> CounterTableAsync(LocalDsqlEndpoint? endpoint = null, int rows = 1)
	{
		var table = UniqueName("occ");
		await using var connection = await OpenAsync(endpoint: endpoint);
		await ExecuteAsync(connection, $"CREATE TABLE {table} (id int PRIMARY KEY, v int NOT NULL, note text)");
		await ExecuteAsync(connection, $"INSERT INTO {table} SELECT g, 0, '' FROM generate_series(1, {rows}) g");
		return table;
	}
}
