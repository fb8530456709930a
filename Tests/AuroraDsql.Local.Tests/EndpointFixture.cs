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
}
