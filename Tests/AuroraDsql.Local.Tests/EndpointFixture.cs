using AuroraDsql.Testing;

using Npgsql;

namespace AuroraDsql.Local.Tests;

/// <summary>
/// Starts the run's endpoint (<see cref="TestEndpoint"/>, default options, log to the test output) for every test of this
/// project, and the conveniences the endpoint's tests share.
/// </summary>
[SetUpFixture]
public sealed class EndpointFixture
{
	/// <summary>The run's endpoint.</summary>
	public static LocalDsqlEndpoint Endpoint => TestEndpoint.Local;

	[OneTimeSetUp]
	public Task StartAsync() => TestEndpoint.StartAsync(new LocalDsqlEndpointOptions { Log = TestContext.Progress });

	[OneTimeTearDown]
	public Task StopAsync() => TestEndpoint.StopAsync();

	/// <inheritdoc cref="TestEndpoint.OpenAsync"/>
	public static Task<NpgsqlConnection> OpenAsync(string role = "admin", LocalDsqlEndpoint? endpoint = null, Action<NpgsqlConnectionStringBuilder>? configure = null) =>
		TestEndpoint.OpenAsync(role, endpoint, configure);

	/// <inheritdoc cref="TestEndpoint.OpenBackendAsync"/>
	public static Task<NpgsqlConnection> OpenBackendAsync(LocalDsqlEndpoint? endpoint = null) => TestEndpoint.OpenBackendAsync(endpoint);

	/// <inheritdoc cref="TestEndpoint.UniqueName"/>
	public static string UniqueName(string prefix) => TestEndpoint.UniqueName(prefix);

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
