using AuroraDsql.Local;

using Npgsql;

namespace AuroraDsql.Testing;

/// <summary>
/// The DSQL endpoint a test run works against, shared by the test projects (each starts it from its own set-up fixture):
/// a local DSQL endpoint (TLS, IAM tokens, DSQL's rules, async index jobs) in front of a throwaway PostgreSQL, started
/// once per run and removed at the end. This is the one place that decides what stands behind the tests; a run against
/// a real cluster would be chosen here, and <see cref="Local"/> would then skip the tests that need the local endpoint's
/// controls.
/// </summary>
public static class TestEndpoint
{
	static LocalDsqlEndpoint? _shared;

	/// <summary>
	/// The local endpoint of this run, for tests that need its controls (fault injection, the backend connection string,
	/// tokens it signs, shortened limits on an endpoint of their own).
	/// </summary>
	public static LocalDsqlEndpoint Local => _shared ?? throw new InvalidOperationException("The test endpoint is not running.");

	/// <summary>Starts the endpoint of this run (from a project's one-time set-up).</summary>
	public static async Task StartAsync(LocalDsqlEndpointOptions? options = null)
	{
		if (_shared != null)
			throw new InvalidOperationException("The test endpoint is running already.");
		_shared = await LocalDsqlEndpoint.StartAsync(options ?? new LocalDsqlEndpointOptions());
	}

	/// <summary>Stops the endpoint of this run and drops the pooled connections to it (from a project's one-time tear-down).</summary>
	public static async Task StopAsync()
	{
		NpgsqlConnection.ClearAllPools();

		var endpoint = _shared;
		_shared = null;
		if (endpoint != null)
			await endpoint.DisposeAsync();
	}

	/// <summary>
	/// An open Npgsql connection through <paramref name="endpoint"/> (default: this run's) as <paramref name="role"/>,
	/// pooling off, so that every test sees a fresh session.
	/// </summary>
	public static async Task<NpgsqlConnection> OpenAsync(string role = "admin", LocalDsqlEndpoint? endpoint = null, Action<NpgsqlConnectionStringBuilder>? configure = null)
	{
		var builder = new NpgsqlConnectionStringBuilder((endpoint ?? Local).CreateConnectionString(role)) { Pooling = false };
		configure?.Invoke(builder);
		var connection = new NpgsqlConnection(builder.ConnectionString);
		await connection.OpenAsync();
		return connection;
	}

	/// <summary>A direct superuser connection to the backend PostgreSQL of <paramref name="endpoint"/> (default: this run's), bypassing it.</summary>
	public static async Task<NpgsqlConnection> OpenBackendAsync(LocalDsqlEndpoint? endpoint = null)
	{
		var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder((endpoint ?? Local).BackendConnectionString) { Pooling = false }.ConnectionString);
		await connection.OpenAsync();
		return connection;
	}

	/// <summary>A unique lower-case name for test objects.</summary>
	public static string UniqueName(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..10];
}
