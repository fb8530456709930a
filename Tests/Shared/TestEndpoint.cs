using AuroraDsql.Local;

using Npgsql;

namespace AuroraDsql.Testing;

/// <summary>
/// The DSQL endpoint a test run works against, shared by the test projects (each starts it from its own set-up fixture).
/// This is the one place that decides what stands behind the tests: by default a local DSQL endpoint (TLS, IAM tokens,
/// DSQL's rules, async index jobs) in front of a throwaway PostgreSQL, started once per run and removed at the end; for a
/// project that allows it, the cluster named by <c>DSQL_ENDPOINT</c> (<see cref="TestCluster"/>), reached with only what
/// a client of a real cluster has. Tests that need the local endpoint's controls are marked
/// <see cref="LocalEndpointOnlyAttribute"/> and skipped then; <see cref="Local"/> refuses to hand out an endpoint.
/// </summary>
public static class TestEndpoint
{
	static LocalDsqlEndpoint? _shared;

	/// <summary>
	/// This run's id (<c>r</c> and 8 hex digits): part of every object name <see cref="UniqueName"/> makes, so that runs
	/// sharing a cluster never collide and a run can find and drop what it left behind.
	/// </summary>
	public static string RunId { get; } = "r" + Guid.NewGuid().ToString("N")[..8];

	/// <summary>The cluster this run works against, or <see langword="null"/> for the local endpoint.</summary>
	public static TestCluster? Cluster { get; private set; }

	/// <summary>
	/// The local endpoint of this run, for tests that need its controls (fault injection, the backend connection string,
	/// tokens it signs, shortened limits on an endpoint of their own).
	/// </summary>
	/// <exception cref="InvalidOperationException">The run is against a cluster (the test lacks <see cref="LocalEndpointOnlyAttribute"/>), or nothing was started.</exception>
	public static LocalDsqlEndpoint Local => _shared ?? throw new InvalidOperationException(Cluster is { } cluster
		? $"This run is against the cluster {cluster.Host}, which has no local endpoint controls: mark the test [LocalEndpointOnly(\"why\")]."
		: "The test endpoint is not running.");

	/// <summary>
	/// Starts the endpoint of this run (from a project's one-time set-up). With <paramref name="clusterFromEnvironment"/>
	/// and <c>DSQL_ENDPOINT</c> set, nothing is started: the run is against that cluster (<see cref="Cluster"/>).
	/// </summary>
	public static async Task StartAsync(LocalDsqlEndpointOptions? options = null, bool clusterFromEnvironment = false)
	{
		if (_shared != null || Cluster != null)
			throw new InvalidOperationException("The test endpoint is running already.");

		if (clusterFromEnvironment && TestCluster.FromEnvironment() is { } cluster)
		{
			Cluster = cluster;
			return;
		}

		_shared = await LocalDsqlEndpoint.StartAsync(options ?? new LocalDsqlEndpointOptions());
	}

	/// <summary>Stops the endpoint of this run and drops the pooled connections to it (from a project's one-time tear-down).</summary>
	public static async Task StopAsync()
	{
		NpgsqlConnection.ClearAllPools();

		var endpoint = _shared;
		_shared = null;
		Cluster = null;
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

	static string? _clusterIdentityArn;

	/// <summary>
	/// The ARN of the IAM identity this run's tokens come from: the local endpoint's credentials' identity, or for a cluster
	/// the identity the project's set-up found (<see cref="UseClusterIdentity"/>, from STS <c>GetCallerIdentity</c>).
	/// </summary>
	public static string IdentityArn => Cluster is { } cluster
		? _clusterIdentityArn ?? throw new InvalidOperationException($"The IAM identity of this run's credentials for the cluster {cluster.Host} is not known: the project's set-up must call UseClusterIdentity.")
		: Local.IdentityArn;

	/// <summary>Records the IAM identity (role or user ARN) the run's tokens for the cluster come from.</summary>
	public static void UseClusterIdentity(string identityArn) => _clusterIdentityArn = identityArn;

	/// <summary>
	/// As admin on <paramref name="admin"/>: lets this run's IAM identity log in as <paramref name="role"/> (DSQL's
	/// <c>AWS IAM GRANT role TO 'arn'</c>), which a custom role needs before its DbConnect tokens are accepted.
	/// </summary>
	public static async Task GrantIdentityAsync(NpgsqlConnection admin, string role)
	{
		await using var command = new NpgsqlCommand($"AWS IAM GRANT {role} TO '{IdentityArn.Replace("'", "''", StringComparison.Ordinal)}'", admin);
		await command.ExecuteNonQueryAsync();
	}

	/// <summary>A unique lower-case name for test objects: <paramref name="prefix"/>, this run's <see cref="RunId"/> and a unique suffix.</summary>
	public static string UniqueName(string prefix) => prefix + "_" + RunId + "_" + Guid.NewGuid().ToString("N")[..8];
}
