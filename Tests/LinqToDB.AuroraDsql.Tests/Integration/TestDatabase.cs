using Amazon.Runtime;

using AuroraDsql.Local;

using LinqToDB.Data;
using LinqToDB.DataProvider.PostgreSQL;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// The database every integration test runs against: the run's endpoint (<see cref="TestEndpoint"/>, which decides what
/// stands behind the tests). The provider connects to it exactly as to a cluster: <c>UseAuroraDsql</c> with tokens signed
/// by the provider's own generator.
/// </summary>
[SetUpFixture]
public sealed class TestDatabase
{
	static NpgsqlDataSource? _npgsql;

	/// <summary>The run's endpoint.</summary>
	public static LocalDsqlEndpoint Endpoint => TestEndpoint.Local;

	/// <summary>Provider options pointing at the endpoint, as role <c>admin</c>.</summary>
	public static DataOptions Options { get; private set; } = null!;

	[OneTimeSetUp]
	public async Task StartAsync()
	{
		await TestEndpoint.StartAsync();

		Options = new DataOptions().UseAuroraDsql(Endpoint.HostName, Configure);
		_npgsql = AuroraDsqlTools.CreateDataSource(Endpoint.HostName, Configure);
	}

	[OneTimeTearDown]
	public async Task StopAsync()
	{
		if (_npgsql != null)
			await _npgsql.DisposeAsync();

		await TestEndpoint.StopAsync();
	}

	/// <summary>How the provider reaches the endpoint: its port, region, CA and test credentials.</summary>
	public static AuroraDsqlConnectionOptions Configure(AuroraDsqlConnectionOptions options) => Configure(options, Endpoint);

	/// <summary>How the provider reaches <paramref name="endpoint"/> (for tests that start an endpoint of their own).</summary>
	public static AuroraDsqlConnectionOptions Configure(AuroraDsqlConnectionOptions options, LocalDsqlEndpoint endpoint) => options with
	{
		Port                = endpoint.Port,
		Region              = endpoint.Region,
		Credentials         = new BasicAWSCredentials(endpoint.AccessKeyId, endpoint.SecretAccessKey),
		RootCertificatePath = endpoint.CaCertificatePath,
	};

	/// <summary>A new data connection to the test database.</summary>
	public static DataConnection Connect(Func<DataOptions, DataOptions>? configure = null) =>
		new(configure is null ? Options : configure(Options));

	/// <summary>
	/// A data connection of linq2db's own PostgreSQL provider (15 dialect) straight to the endpoint's backend PostgreSQL,
	/// bypassing the endpoint: the reference the provider's results are compared with, and a view of what was committed.
	/// </summary>
	public static DataConnection ConnectStock(Func<DataOptions, DataOptions>? configure = null)
	{
		var options = new DataOptions().UsePostgreSQL(Endpoint.BackendConnectionString, PostgreSQLVersion.v15);
		return new(configure is null ? options : configure(options));
	}

	/// <summary>A plain Npgsql connection through the endpoint (as admin), for checks that bypass the provider.</summary>
	public static async Task<NpgsqlConnection> OpenNpgsqlAsync() =>
		await (_npgsql ?? throw new InvalidOperationException("The test database is not running.")).OpenConnectionAsync();
}
