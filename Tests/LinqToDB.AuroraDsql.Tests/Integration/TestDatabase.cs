using System.Reflection;

using Amazon.Runtime;
using Amazon.Runtime.Credentials;

using AuroraDsql.Local;

using LinqToDB.Data;
using LinqToDB.Internal.DataProvider.AuroraDsql.Connections;
using LinqToDB.DataProvider.PostgreSQL;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// The database every integration test runs against: the run's endpoint (<see cref="TestEndpoint"/>, which decides what
/// stands behind the tests): the local endpoint, or the cluster named by <c>DSQL_ENDPOINT</c>. The provider connects to
/// either exactly as to a cluster: <c>UseAuroraDsql</c> with tokens signed by the provider's own generator. Tables mapped
/// by the tests' entity classes get this run's id in their names (<see cref="RunTables"/>), and whatever a run leaves
/// behind is dropped at its end.
/// </summary>
[SetUpFixture]
public sealed class TestDatabase
{
	static NpgsqlDataSource? _npgsql;

	/// <summary>The run's local endpoint (for tests marked <see cref="LocalEndpointOnlyAttribute"/>).</summary>
	public static LocalDsqlEndpoint Endpoint => TestEndpoint.Local;

	/// <summary>The cluster of this run, or <see langword="null"/> when the run is against the local endpoint.</summary>
	public static TestCluster? Cluster => TestEndpoint.Cluster;

	/// <summary>The host the provider connects to and signs tokens for: the cluster's, or the local endpoint's.</summary>
	public static string HostName => Cluster?.Host ?? Endpoint.HostName;

	/// <summary>The database role the tests connect as: <c>admin</c>, or the cluster's <c>DSQL_USER</c>.</summary>
	public static string User => Cluster?.User ?? AuroraDsqlConnectionOptions.DefaultUser;

	/// <summary>The region tokens for the run's database are signed for (the endpoint's, or the cluster's as the provider resolves it).</summary>
	public static string Region => DataSourceFactory.Resolve(Configure(new AuroraDsqlConnectionOptions(HostName))).Region.SystemName;

	/// <summary>
	/// Renames the tables of the tests' entity classes (<c>[Table]</c>, <c>[Table("name")]</c>) to carry this run's id,
	/// so that runs sharing a cluster never meet each other's tables. Part of <see cref="Options"/> and <see cref="CreateOptions"/>.
	/// </summary>
	public static MappingSchema RunTables { get; } = CreateRunTables();

	/// <summary>Provider options pointing at the run's database, as role <c>admin</c> (or <c>DSQL_USER</c>).</summary>
	public static DataOptions Options { get; private set; } = null!;

	[OneTimeSetUp]
	public async Task StartAsync()
	{
		await TestEndpoint.StartAsync(clusterFromEnvironment: true);

		if (Cluster is { } cluster)
		{
			// The roles tests create log in with this run's credentials once admin maps their identity (AWS IAM GRANT).
			TestEndpoint.UseClusterIdentity(await ClusterIdentity.GetArnAsync(cluster.Host, cluster.Region));
			await TestContext.Progress.WriteLineAsync($"Provider tests run against the cluster {cluster.Host}:{cluster.Port} as {cluster.User}, " +
				$"IAM identity {TestEndpoint.IdentityArn} (run id {TestEndpoint.RunId}).");
		}

		Options = CreateOptions();
		_npgsql = AuroraDsqlTools.CreateDataSource(HostName, Configure);
	}

	[OneTimeTearDown]
	public async Task StopAsync()
	{
		try
		{
			if (Options != null)
				await DropRunTablesAsync();
		}
		finally
		{
			if (_npgsql != null)
				await _npgsql.DisposeAsync();

			await TestEndpoint.StopAsync();
		}
	}

	/// <summary>How the provider reaches the run's database: port, region, user and CA; credentials of the endpoint, or the default chain for a cluster.</summary>
	public static AuroraDsqlConnectionOptions Configure(AuroraDsqlConnectionOptions options) =>
		Cluster is { } cluster ? Configure(options, cluster) : Configure(options, Endpoint);

	/// <summary>How the provider reaches <paramref name="cluster"/>: only what a client of a cluster has; tokens signed with the default credential chain.</summary>
	public static AuroraDsqlConnectionOptions Configure(AuroraDsqlConnectionOptions options, TestCluster cluster) => options with
	{
		Port                = cluster.Port,
		Region              = cluster.Region ?? options.Region,
		User                = cluster.User,
		RootCertificatePath = cluster.RootCertificatePath,
	};

	/// <summary>How the provider reaches <paramref name="endpoint"/> (for tests that start an endpoint of their own).</summary>
	public static AuroraDsqlConnectionOptions Configure(AuroraDsqlConnectionOptions options, LocalDsqlEndpoint endpoint) => options with
	{
		Port                = endpoint.Port,
		Region              = endpoint.Region,
		Credentials         = new BasicAWSCredentials(endpoint.AccessKeyId, endpoint.SecretAccessKey),
		RootCertificatePath = endpoint.CaCertificatePath,
	};

	/// <summary>
	/// New provider options for the run's database (with <see cref="RunTables"/>), adjusted by <paramref name="configure"/>
	/// after <see cref="Configure(AuroraDsqlConnectionOptions)"/>: for tests that need their own pool, application name,
	/// token lifetime or role.
	/// </summary>
	public static DataOptions CreateOptions(Func<AuroraDsqlConnectionOptions, AuroraDsqlConnectionOptions>? configure = null) =>
		new DataOptions()
			.UseAuroraDsql(HostName, o => configure is null ? Configure(o) : configure(Configure(o)))
			.UseMappingSchema(RunTables);

	/// <summary>The credentials tokens are signed with: the endpoint's test key, or what the AWS SDK's default chain finds for a cluster.</summary>
	public static ImmutableCredentials SigningCredentials() => Cluster is null
		? new ImmutableCredentials(Endpoint.AccessKeyId, Endpoint.SecretAccessKey, null)
		: DefaultAWSCredentialsIdentityResolver.GetCredentials(null).GetCredentials();

	/// <summary>
	/// An Npgsql connection string for the run's database with a token as its password, signed as the provider signs
	/// (its generator, the configured region and credentials): what a user passes to <c>UseAuroraDsqlConnectionString</c>.
	/// </summary>
	public static string CreateConnectionStringWithToken()
	{
		var resolved    = DataSourceFactory.Resolve(Configure(new AuroraDsqlConnectionOptions(HostName)));
		var credentials = resolved.Credentials();
		var host        = resolved.Options.Host.ToLowerInvariant();
		var token       = resolved.Options.User == AuroraDsqlConnectionOptions.DefaultUser
			? DsqlAuthTokenGenerator.GenerateDbConnectAdminAuthToken(credentials, resolved.Region, host, DsqlAuthTokenGenerator.DefaultExpiresIn)
			: DsqlAuthTokenGenerator.GenerateDbConnectAuthToken(credentials, resolved.Region, host, DsqlAuthTokenGenerator.DefaultExpiresIn);

		return new NpgsqlConnectionStringBuilder(DataSourceFactory.BuildConnectionString(resolved.Options)) { Password = token }.ConnectionString;
	}

	/// <summary>Clears the endpoint's pending COMMIT failures (nothing to clear on a cluster, which has no fault injection).</summary>
	public static void ClearCommitFailures()
	{
		if (Cluster is null)
			Endpoint.ClearCommitFailures();
	}

	/// <summary>A new data connection to the test database.</summary>
	public static DataConnection Connect(Func<DataOptions, DataOptions>? configure = null) =>
		new(configure is null ? Options : configure(Options));

	/// <summary>The name of <typeparamref name="T"/>'s table in this run (for SQL written by hand).</summary>
	public static string TableName<T>() => RunTables.GetEntityDescriptor(typeof(T)).Name.Name;

	/// <summary>
	/// A data connection of linq2db's own PostgreSQL provider (15 dialect): the reference the provider's results are
	/// compared with, and a view of what was committed. On the local endpoint it goes straight to the backend PostgreSQL,
	/// bypassing the endpoint; on a cluster, which has no backend to reach, it goes to the cluster with a token of its own
	/// (so there the reference is the stock provider's SQL run by DSQL).
	/// </summary>
	public static DataConnection ConnectStock(Func<DataOptions, DataOptions>? configure = null)
	{
		var connectionString = Cluster is null
			? Endpoint.BackendConnectionString
			: new NpgsqlConnectionStringBuilder(CreateConnectionStringWithToken()) { Pooling = false }.ConnectionString;

		var options = new DataOptions().UsePostgreSQL(connectionString, PostgreSQLVersion.v15).UseMappingSchema(RunTables);
		return new(configure is null ? options : configure(options));
	}

	/// <summary>A plain Npgsql connection to the run's database (as admin), for checks that bypass the provider.</summary>
	public static async Task<NpgsqlConnection> OpenNpgsqlAsync() =>
		await (_npgsql ?? throw new InvalidOperationException("The test database is not running.")).OpenConnectionAsync();

	static MappingSchema CreateRunTables()
	{
		var schema  = new MappingSchema("run_" + TestEndpoint.RunId);
		var builder = new FluentMappingBuilder(schema);
		var rename  = typeof(TestDatabase).GetMethod(nameof(RenameTable), BindingFlags.NonPublic | BindingFlags.Static)!;

		foreach (var type in typeof(TestDatabase).Assembly.GetTypes())
			if (type.GetCustomAttribute<TableAttribute>(inherit: false) is { } table)
				rename.MakeGenericMethod(type).Invoke(null, [builder, (table.Name ?? type.Name) + "_" + TestEndpoint.RunId]);

		builder.Build();
		return schema;
	}

	static void RenameTable<T>(FluentMappingBuilder builder, string name) => builder.Entity<T>().HasTableName(name);

	/// <summary>
	/// Drops every table whose name carries this run's id: what tests left behind when they failed before their own
	/// clean-up. Tables other tables refer to go after them.
	/// </summary>
	static async Task DropRunTablesAsync()
	{
		await using var db = new DataConnection(Options);

		var left = await db.QueryToListAsync<string>(
			"SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables " +
			"WHERE table_type = 'BASE TABLE' AND position(@run in table_name) > 0 ORDER BY 1",
			new DataParameter("run", TestEndpoint.RunId));

		if (left.Count > 0)
			await TestContext.Progress.WriteLineAsync($"Dropping {left.Count} table(s) of run {TestEndpoint.RunId} that tests left behind: {string.Join(", ", left)}");

		var errors = new List<string>();
		while (left.Count > 0)
		{
			var before = left.Count;
			errors.Clear();

			foreach (var table in left.ToList())
			{
				try
				{
					await db.ExecuteAsync("DROP TABLE IF EXISTS " + table);
					left.Remove(table);
				}
				catch (PostgresException ex)
				{
					errors.Add($"{table}: {ex.SqlState} {ex.MessageText}");
				}
			}

			if (left.Count == before)
				throw new InvalidOperationException("Tables of this run could not be dropped: " + string.Join("; ", errors));
		}
	}
}
