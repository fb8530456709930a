using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuroraDsql.Local;
using AuroraDsql.Local.Backend;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Npgsql;

namespace LinqToDB.AuroraDsql.Benchmarks;

/// <summary>
/// What the local endpoint costs: a single-row query round trip and the throughput of 32 concurrent clients, directly
/// against a PostgreSQL cluster like the endpoint's (TCP on 127.0.0.1, no TLS) and through the endpoint (TLS, IAM token, proxy → Unix
/// socket → PostgreSQL). The direct run is the baseline, so the ratio column is the endpoint's overhead. For reference,
/// "direct, TLS" is a PostgreSQL cluster of its own with <c>ssl=on</c>, so the cost of TLS alone can be told apart, and
/// "plain relay" goes through a <see cref="PlainTcpRelay"/> that only copies bytes, the floor of any proxy on the machine;
/// "TLS relay" through a <see cref="TlsTerminatingRelay"/>, which copies bytes too but under TLS on the client's side as the
/// endpoint: the floor of a proxy like the endpoint.
/// </summary>
[Config(typeof(Config))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet's [GlobalCleanup] disposes them.")]
public class EndpointBenchmarks
{
	const int Clients = 32;
	const int QueriesPerClient = 200;

	LocalDsqlEndpoint _endpoint = null!;
	PostgresCluster _directCluster = null!;
	PostgresCluster _tlsCluster = null!;
	string _tlsDirectory = null!;
	NpgsqlDataSource _directTls = null!;
	NpgsqlConnection _directTlsConnection = null!;
	NpgsqlCommand _directTlsCommand = null!;
	NpgsqlDataSource _direct = null!;
	NpgsqlDataSource _proxied = null!;
	PlainTcpRelay _relay = null!;
	NpgsqlDataSource _relayed = null!;
	NpgsqlConnection _relayedConnection = null!;
	NpgsqlCommand _relayedCommand = null!;
	TlsTerminatingRelay _tlsRelay = null!;
	NpgsqlDataSource _tlsRelayed = null!;
	NpgsqlConnection _tlsRelayedConnection = null!;
	NpgsqlCommand _tlsRelayedCommand = null!;
	NpgsqlConnection _directConnection = null!;
	NpgsqlConnection _proxiedConnection = null!;
	NpgsqlCommand _directCommand = null!;
	NpgsqlCommand _proxiedCommand = null!;

	sealed class Config : ManualConfig
	{
		public Config()
		{
			AddJob(Job.Default.WithStrategy(RunStrategy.Throughput).WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10));
			Options |= ConfigOptions.DisableOptimizationsValidator;
		}
	}

	[GlobalSetup]
	public async Task SetupAsync()
	{
		_endpoint = await LocalDsqlEndpoint.StartAsync();

		// The endpoint's cluster listens on its Unix socket only: the direct baseline is a cluster of its own from the same
		// server programs, reached over TCP with a password (its TCP listener uses SCRAM).
		var password = "bench-" + Guid.NewGuid().ToString("N");
		_directCluster = await PostgresCluster.StartAsync(new PostgresClusterOptions
		{
			Settings = new Dictionary<string, string> { ["listen_addresses"] = "127.0.0.1" },
		});
		var port = _directCluster.Port;
		await using (var setup = new NpgsqlConnection(_directCluster.SuperUserConnectionString))
		{
			await setup.OpenAsync();
			await using var command = new NpgsqlCommand($"ALTER ROLE postgres PASSWORD '{password}'", setup);
			await command.ExecuteNonQueryAsync();
		}

		var direct = new NpgsqlConnectionStringBuilder
		{
			Host = "127.0.0.1", Port = port, Username = "postgres", Password = password, Database = "postgres",
			SslMode = SslMode.Disable, MaxPoolSize = Clients + 4,
		};
		_direct = NpgsqlDataSource.Create(direct.ConnectionString);

		_relay   = new PlainTcpRelay(port);
		_relayed = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = _relay.Port }.ConnectionString);

		_tlsRelay   = new TlsTerminatingRelay(port);
		_tlsRelayed = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(direct.ConnectionString)
		{
			Port = _tlsRelay.Port, SslMode = SslMode.Require,
		}.ConnectionString);

		_proxied = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_endpoint.CreateConnectionString())
		{
			Host = "127.0.0.1", MaxPoolSize = Clients + 4,
		}.ConnectionString);

		await StartTlsClusterAsync(password);
		_directTlsConnection = await _directTls.OpenConnectionAsync();
		_directTlsCommand    = new NpgsqlCommand("SELECT 1", _directTlsConnection);
		await WarmPoolAsync(_directTls);

		_directConnection  = await _direct.OpenConnectionAsync();
		_proxiedConnection = await _proxied.OpenConnectionAsync();
		_directCommand     = new NpgsqlCommand("SELECT 1", _directConnection);
		_proxiedCommand    = new NpgsqlCommand("SELECT 1", _proxiedConnection);

		_relayedConnection = await _relayed.OpenConnectionAsync();
		_relayedCommand    = new NpgsqlCommand("SELECT 1", _relayedConnection);

		_tlsRelayedConnection = await _tlsRelayed.OpenConnectionAsync();
		_tlsRelayedCommand    = new NpgsqlCommand("SELECT 1", _tlsRelayedConnection);

		// Open every pooled connection once, so the throughput runs measure queries, not logins.
		await WarmPoolAsync(_relayed);
		await WarmPoolAsync(_tlsRelayed);
		await WarmPoolAsync(_direct);
		await WarmPoolAsync(_proxied);
	}

	/// <summary>A second cluster with TLS on, its certificate made here, its superuser given the same password.</summary>
	async Task StartTlsClusterAsync(string password)
	{
		_tlsDirectory = Path.Combine(Path.GetTempPath(), "auroradsql-bench-tls-" + Guid.NewGuid().ToString("N")[..8]);
		Directory.CreateDirectory(_tlsDirectory);
		using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
		{
			var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
			using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
			await File.WriteAllTextAsync(Path.Combine(_tlsDirectory, "server.crt"), certificate.ExportCertificatePem());
			await File.WriteAllTextAsync(Path.Combine(_tlsDirectory, "server.key"), key.ExportPkcs8PrivateKeyPem());
		}

		if (!OperatingSystem.IsWindows())
		{
			File.SetUnixFileMode(Path.Combine(_tlsDirectory, "server.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
			if (Environment.IsPrivilegedProcess)
			{
				// the server runs as 'postgres' when started by root, and must own its key
				using var chown = Process.Start("chown", ["-R", "postgres", _tlsDirectory]);
				await chown.WaitForExitAsync();
			}
		}

		_tlsCluster = await PostgresCluster.StartAsync(new PostgresClusterOptions
		{
			Settings = new Dictionary<string, string>
			{
				["listen_addresses"] = "127.0.0.1",
				["ssl"]           = "on",
				["ssl_cert_file"] = Path.Combine(_tlsDirectory, "server.crt"),
				["ssl_key_file"]  = Path.Combine(_tlsDirectory, "server.key"),
			},
		});

		await using (var setup = new NpgsqlConnection(_tlsCluster.SuperUserConnectionString))
		{
			await setup.OpenAsync();
			await using var command = new NpgsqlCommand($"ALTER ROLE postgres PASSWORD '{password}'", setup);
			await command.ExecuteNonQueryAsync();
		}

		_directTls = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder
		{
			Host = "127.0.0.1", Port = _tlsCluster.Port, Username = "postgres", Password = password, Database = "postgres",
			SslMode = SslMode.Require, MaxPoolSize = Clients + 4,
		}.ConnectionString);
	}

	static async Task WarmPoolAsync(NpgsqlDataSource dataSource)
	{
		var connections = await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => dataSource.OpenConnectionAsync().AsTask()));
		foreach (var connection in connections)
			await connection.DisposeAsync();
	}

	[GlobalCleanup]
	public async Task CleanupAsync()
	{
		await _directTlsCommand.DisposeAsync();
		await _directTlsConnection.DisposeAsync();
		await _directTls.DisposeAsync();
		await _tlsCluster.DisposeAsync();
		Directory.Delete(_tlsDirectory, recursive: true);
		await _relayedCommand.DisposeAsync();
		await _relayedConnection.DisposeAsync();
		await _relayed.DisposeAsync();
		_relay.Dispose();
		await _tlsRelayedCommand.DisposeAsync();
		await _tlsRelayedConnection.DisposeAsync();
		await _tlsRelayed.DisposeAsync();
		_tlsRelay.Dispose();
		await _directCommand.DisposeAsync();
		await _proxiedCommand.DisposeAsync();
		await _directConnection.DisposeAsync();
		await _proxiedConnection.DisposeAsync();
		await _direct.DisposeAsync();
		await _proxied.DisposeAsync();
		await _endpoint.DisposeAsync();
		await _directCluster.DisposeAsync();
	}

	[Benchmark(Baseline = true, Description = "round trip, direct")]
	[BenchmarkCategory("RoundTrip")]
	public async Task<object?> RoundTripDirect() => await _directCommand.ExecuteScalarAsync();

	[Benchmark(Description = "round trip, direct, TLS")]
	[BenchmarkCategory("RoundTrip")]
	public async Task<object?> RoundTripDirectTls() => await _directTlsCommand.ExecuteScalarAsync();

	[Benchmark(Description = "round trip, plain relay")]
	[BenchmarkCategory("RoundTrip")]
	public async Task<object?> RoundTripPlainRelay() => await _relayedCommand.ExecuteScalarAsync();

	[Benchmark(Description = "round trip, TLS relay")]
	[BenchmarkCategory("RoundTrip")]
	public async Task<object?> RoundTripTlsRelay() => await _tlsRelayedCommand.ExecuteScalarAsync();

	[Benchmark(Description = "round trip, endpoint")]
	[BenchmarkCategory("RoundTrip")]
	public async Task<object?> RoundTripEndpoint() => await _proxiedCommand.ExecuteScalarAsync();

	[Benchmark(Baseline = true, Description = "32 clients, direct", OperationsPerInvoke = Clients * QueriesPerClient)]
	[BenchmarkCategory("Throughput")]
	public Task ThroughputDirect() => RunClientsAsync(_direct);

	[Benchmark(Description = "32 clients, direct, TLS", OperationsPerInvoke = Clients * QueriesPerClient)]
	[BenchmarkCategory("Throughput")]
	public Task ThroughputDirectTls() => RunClientsAsync(_directTls);

	[Benchmark(Description = "32 clients, plain relay", OperationsPerInvoke = Clients * QueriesPerClient)]
	[BenchmarkCategory("Throughput")]
	public Task ThroughputPlainRelay() => RunClientsAsync(_relayed);

	[Benchmark(Description = "32 clients, TLS relay", OperationsPerInvoke = Clients * QueriesPerClient)]
	[BenchmarkCategory("Throughput")]
	public Task ThroughputTlsRelay() => RunClientsAsync(_tlsRelayed);

	[Benchmark(Description = "32 clients, endpoint", OperationsPerInvoke = Clients * QueriesPerClient)]
	[BenchmarkCategory("Throughput")]
	public Task ThroughputEndpoint() => RunClientsAsync(_proxied);

	static Task RunClientsAsync(NpgsqlDataSource dataSource) =>
		Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
		{
			await using var connection = await dataSource.OpenConnectionAsync();
			await using var command = new NpgsqlCommand("SELECT 1", connection);
			for (var k = 0; k < QueriesPerClient; k++)
				await command.ExecuteScalarAsync();
		}));
}
