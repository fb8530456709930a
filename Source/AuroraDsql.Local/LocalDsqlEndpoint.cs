using System.Data.Common;
using System.Globalization;
using AuroraDsql.Local.Backend;
using AuroraDsql.Local.Classification;
using AuroraDsql.Local.Enforcement;
using AuroraDsql.Local.Jobs;
using AuroraDsql.Local.Proxy;
using AuroraDsql.Local.Security;
using AuroraDsql.Rules;
using AuroraDsql.Signing;

namespace AuroraDsql.Local;

/// <summary>
/// A local endpoint that behaves like Amazon Aurora DSQL on the wire: a PostgreSQL protocol proxy on 127.0.0.1 that
/// requires TLS, authenticates IAM tokens, answers as PostgreSQL 16 and runs <c>CREATE INDEX ASYNC</c> as jobs, in front
/// of a throwaway PostgreSQL cluster it starts (or an existing server). Start it with <see cref="StartAsync"/>, connect
/// with <see cref="CreateConnectionString"/>, stop it with <see cref="DisposeAsync"/>.
/// </summary>
public sealed class LocalDsqlEndpoint : IAsyncDisposable
{
	readonly LocalDsqlEndpointOptions _options;
	readonly PostgresCluster? _cluster;
	readonly ProxyServer _server;
	readonly JobManager _jobs;
	readonly EndpointCertificates _certificates;
	readonly string? _temporaryCertificateDirectory;
	readonly EndpointServices _services;
	int _disposed;

	LocalDsqlEndpoint(LocalDsqlEndpointOptions options, PostgresCluster? cluster, ProxyServer server, JobManager jobs, EndpointCertificates certificates,
		string? temporaryCertificateDirectory, string backendConnectionString, EndpointServices services)
	{
		_services                      = services;
		_options                       = options;
		_cluster                       = cluster;
		_server                        = server;
		_jobs                          = jobs;
		_certificates                  = certificates;
		_temporaryCertificateDirectory = temporaryCertificateDirectory;
		BackendConnectionString        = backendConnectionString;
	}

	/// <summary>The address the endpoint listens on: always <c>127.0.0.1</c>.</summary>
	[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Instance API: an endpoint's address.")]
	public string Host => "127.0.0.1";

	/// <summary>The TCP port the endpoint listens on.</summary>
	public int Port => _server.Port;

	/// <summary>The cluster host name tokens are signed for (see <see cref="LocalDsqlEndpointOptions.HostName"/>).</summary>
	public string HostName => _options.HostName;

	/// <summary>The AWS region tokens are signed for.</summary>
	public string Region => _options.Region;

	/// <summary>PEM file of the endpoint's CA certificate: the root certificate clients verify the server with.</summary>
	public string CaCertificatePath => _certificates.CaCertificatePath;

	/// <summary>Access key id of the first configured credentials (by default the fixed local test key).</summary>
	public string AccessKeyId => _options.Credentials[0].AccessKeyId;

	/// <summary>Secret key of the first configured credentials (by default the fixed local test key).</summary>
	public string SecretAccessKey => _options.Credentials[0].SecretAccessKey;

	/// <summary>
	/// IAM identity of the first configured credentials (by default <see cref="LocalDsqlCredential.DefaultIdentityArn"/>): the
	/// ARN admin maps to a custom role with <c>AWS IAM GRANT role TO 'arn'</c> before that role can log in with their tokens.
	/// </summary>
	public string IdentityArn => _options.Credentials[0].IdentityArn;

	/// <summary>
	/// An Npgsql connection string for the backend PostgreSQL superuser, bypassing the endpoint (no TLS, no token, no DSQL
	/// behaviour): for test set-up, inspection and benchmarks.
	/// </summary>
	public string BackendConnectionString { get; }

	/// <summary>Starts the backend (or connects to the configured one), prepares it and starts listening.</summary>
	/// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
	/// <param name="cancellationToken">Cancels the start-up.</param>
	/// <returns>The running endpoint.</returns>
	public static async Task<LocalDsqlEndpoint> StartAsync(LocalDsqlEndpointOptions? options = null, CancellationToken cancellationToken = default)
	{
		options ??= new LocalDsqlEndpointOptions();
		Validate(options);

		var logWriter = options.Log is null ? null : TextWriter.Synchronized(options.Log);
		Action<string> log = logWriter is null
			? static _ => { }
			: message => logWriter.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {LogText.OneLine(message)}"));

		PostgresCluster? cluster = null;
		EndpointCertificates? certificates = null;
		string? temporaryCertificates = null;
		JobManager? jobs = null;
		ProxyServer? server = null;

		try
		{
			BackendEndpoint backend;
			string backendConnectionString;

			if (options.BackendConnectionString is { } external)
			{
				backend = BackendEndpoint.FromConnectionString(external);
				backendConnectionString = external;
			}
			else
			{
				cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions
				{
					BinDirectory  = options.PostgresBinDirectory,
					DataDirectory = options.DataDirectory,
					Settings      = new Dictionary<string, string>(StringComparer.Ordinal)
					{
						// A backend whose client (the proxy session) went away stops its query instead of running on.
						["client_connection_check_interval"] = "1s",
						// Deadlocks are found (and reported as DSQL conflicts) quickly; DSQL never waits at all.
						["deadlock_timeout"] = "50ms",
					},
				}, cancellationToken).ConfigureAwait(false);

				backend = new BackendEndpoint
				{
					UnixSocketPath = cluster.SocketPath,
					SuperUser      = PostgresCluster.SuperUser,
					Database       = "postgres",
				};
				backendConnectionString = string.Create(CultureInfo.InvariantCulture,
					$"Host={cluster.SocketDirectory};Port={cluster.Port};Username={PostgresCluster.SuperUser};Database=postgres");
			}

			BackendCompatibility compatibility;
			var bootstrap = await InternalConnection.OpenAsync(backend, cancellationToken).ConfigureAwait(false);
			await using (bootstrap.ConfigureAwait(false))
			{
				compatibility = await BackendCompatibility.ReadAsync(bootstrap, cancellationToken).ConfigureAwait(false);
				await BackendBootstrap.RunAsync(bootstrap, backend.Database, cancellationToken).ConfigureAwait(false);
			}

			log($"backend: PostgreSQL {compatibility.Version}");
			if (compatibility.Warning is { } warning)
				log("warning: " + warning);

			var certificateDirectory = options.CertificateDirectory;
			if (certificateDirectory is null)
			{
				temporaryCertificates = Path.Combine(Path.GetTempPath(), "auroradsql-ca-" + Guid.NewGuid().ToString("N")[..12]);
				certificateDirectory  = temporaryCertificates;
				if (OperatingSystem.IsWindows())
					Directory.CreateDirectory(certificateDirectory);
				else
					Directory.CreateDirectory(certificateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
			}

			certificates = EndpointCertificates.Create(certificateDirectory, [options.HostName]);

			var rules    = DsqlRuleSet.AsOf(options.RulesAsOf ?? DsqlRuleSet.Latest.Date);
			var version  = options.ServerVersion is { } reported ? DsqlServerVersion.Parse(reported) : DsqlServerVersion.Latest;
			var schema   = new SchemaVersion();
			var failures = new CommitFailureInjector();

			jobs = new JobManager(backend, options.JobCompletionDelay, log, schema.Bump, options.TimeProvider);
			await jobs.StartAsync(cancellationToken).ConfigureAwait(false);

			var services = new EndpointServices
			{
				Options       = options,
				Backend       = backend,
				Verifier      = new IamTokenVerifier(options.Credentials, options.Region, options.TokenClockSkew, options.TimeProvider),
				Certificates  = certificates,
				Classifiers   = new ClassifierChain([.. options.Classifiers,
					new SessionStatisticsRelations(() => server is null ? [] : SessionStatistics(server)),
					.. options.AllowFaultInjection ? [new FaultInjectionFunctions(rules, failures, log)] : Array.Empty<IStatementClassifier>(),
					new DsqlRuleClassifier(rules, options.MaxTransactionAge, options.TimeProvider, failures, schema, log, version)]),
				Jobs           = jobs,
				Log            = log,
				Rules          = rules,
				CommitFailures = failures,
				ServerVersion  = version,
				Compatibility  = compatibility,
				Schema         = schema,
				Latency        = new SimulatedLatency(options.NetworkLatency, options.CommitLatency, options.TimeProvider),
				AcceptedHosts = [.. new[] { options.HostName, "localhost", "127.0.0.1" }.Distinct(StringComparer.OrdinalIgnoreCase)],
			};

			server = new ProxyServer(services, options.Port);
			server.Start();
			log($"listening on 127.0.0.1:{server.Port}");

			return new LocalDsqlEndpoint(options, cluster, server, jobs, certificates, temporaryCertificates, backendConnectionString, services);
		}
		catch
		{
			if (jobs != null)
				await jobs.DisposeAsync().ConfigureAwait(false);
			certificates?.Dispose();
			TryDeleteDirectory(temporaryCertificates);
			if (cluster != null)
				await cluster.DisposeAsync().ConfigureAwait(false);
			throw;
		}
	}

	static void Validate(LocalDsqlEndpointOptions options)
	{
		if (options.Port is < 0 or > 65535)
			throw new ArgumentOutOfRangeException(nameof(options), "Port must be between 0 and 65535.");
		if (string.IsNullOrWhiteSpace(options.HostName))
			throw new ArgumentException("HostName must not be empty.", nameof(options));
		if (string.IsNullOrWhiteSpace(options.Region))
			throw new ArgumentException("Region must not be empty.", nameof(options));
		if (options.Credentials is null || options.Credentials.Count == 0)
			throw new ArgumentException("At least one credential is required.", nameof(options));
		if (options.MaxConnectionDuration <= TimeSpan.Zero)
			throw new ArgumentOutOfRangeException(nameof(options), "MaxConnectionDuration must be positive.");
		if (options.TokenClockSkew < TimeSpan.Zero)
			throw new ArgumentOutOfRangeException(nameof(options), "TokenClockSkew must not be negative.");
		if (options.JobCompletionDelay < TimeSpan.Zero)
			throw new ArgumentOutOfRangeException(nameof(options), "JobCompletionDelay must not be negative.");
		if (options.MaxRowsPerTransaction <= 0)
			throw new ArgumentOutOfRangeException(nameof(options), "MaxRowsPerTransaction must be positive.");
		if (options.MaxBytesPerTransaction <= 0)
			throw new ArgumentOutOfRangeException(nameof(options), "MaxBytesPerTransaction must be positive.");
		if (options.MaxTransactionAge <= TimeSpan.Zero)
			throw new ArgumentOutOfRangeException(nameof(options), "MaxTransactionAge must be positive.");
		if (options.LockTimeout <= TimeSpan.Zero)
			throw new ArgumentOutOfRangeException(nameof(options), "LockTimeout must be positive.");
		if (options.ServerVersion is { } version)
			DsqlServerVersion.Parse(version);
		if (options.NetworkLatency < TimeSpan.Zero || options.NetworkLatency > TimeSpan.FromMinutes(1))
			throw new ArgumentOutOfRangeException(nameof(options), "NetworkLatency must be between zero and one minute.");
		if (options.CommitLatency < TimeSpan.Zero || options.CommitLatency > TimeSpan.FromMinutes(1))
			throw new ArgumentOutOfRangeException(nameof(options), "CommitLatency must be between zero and one minute.");
	}

	/// <summary>Client connections open now (logging in or in a session): for tests and the soak run.</summary>
	internal int OpenConnections => _server.ConnectionCount;

	/// <summary>Client connections still logging in.</summary>
	internal int PendingLogins => _server.PendingLogins;

	/// <summary>Snapshots of transactions that lost a row while idle, kept so they can be run again at COMMIT (tests).</summary>
	internal int KeptSnapshots => _services.KeptSnapshots;

	/// <summary>Sessions waiting for an asynchronous job now (tests).</summary>
	internal int JobWaiters => _jobs.Waiters;

	/// <summary>The backend's PostgreSQL version (<c>server_version</c>, e.g. <c>16.14</c>); clients see <see cref="LocalDsqlEndpointOptions.ServerVersion"/>.</summary>
	public string BackendServerVersion => _services.Compatibility.Version;

	/// <summary>
	/// What differs from DSQL because the backend is not PostgreSQL 16 (DSQL is), and how to install PostgreSQL 16;
	/// <see langword="null"/> on a PostgreSQL 16 backend. Also logged at start, and printed by the command-line tool.
	/// </summary>
	public string? BackendCompatibilityWarning => _services.Compatibility.Warning;

	/// <summary>Answers held for the simulated latency now, over all sessions (tests).</summary>
	internal int HeldAnswers => _services.Latency.Held;

	/// <summary>Whole answers (up to their ReadyForQuery) held for the simulated latency now, over all sessions (tests).</summary>
	internal int HeldReadyForQuery => _services.Latency.HeldReadyForQuery;

	/// <summary>
	/// The round trips, statements and commits of every client session open now, counted since its login. The counts are
	/// the endpoint's: what a client costs on DSQL, whatever it does locally.
	/// </summary>
	/// <returns>One entry per open session, in process id order.</returns>
	public IReadOnlyList<LocalDsqlSessionStatistics> GetSessionStatistics() => SessionStatistics(_server);

	static IReadOnlyList<LocalDsqlSessionStatistics> SessionStatistics(ProxyServer server) =>
		[.. server.Sessions.Where(s => s.Role.Length > 0).OrderBy(s => s.ProcessId).Select(Statistics)];

	/// <summary>The round trips, statements and commits of the open session with this process id.</summary>
	/// <param name="processId">The session's process id as the client sees it (<c>NpgsqlConnection.ProcessID</c>).</param>
	/// <returns>Its counts, or <see langword="null"/> when no such session is open.</returns>
	public LocalDsqlSessionStatistics? GetSessionStatistics(int processId) =>
		_server.TryGetSession(processId, out var session) && session.Role.Length > 0 ? Statistics(session) : null;

	static LocalDsqlSessionStatistics Statistics(ClientSession session) => new()
	{
		ProcessId       = session.ProcessId,
		Role            = session.Role,
		ApplicationName = session.ApplicationName,
		RoundTrips      = session.Counters.RoundTrips,
		Statements      = session.Counters.Statements,
		Commits         = session.Counters.Commits,
	};

	/// <summary>The DSQL release date whose SQL rules the endpoint enforces (see <see cref="LocalDsqlEndpointOptions.RulesAsOf"/>).</summary>
	public DateOnly RulesVersion => _services.Rules.Date;

	/// <summary>
	/// Makes the next <paramref name="count"/> COMMITs fail exactly like a DSQL conflict: the COMMIT answers the error and
	/// the transaction ends rolled back. Failures queue up in call order; only explicit COMMITs (BEGIN … COMMIT) of
	/// sessions matching the filters consume them.
	/// </summary>
	/// <param name="count">How many COMMITs fail.</param>
	/// <param name="code">
	/// <c>OC000</c> (40001 <c>change conflicts with another transaction (OC000)</c>), <c>OC001</c> (40001
	/// <c>schema has been updated by another transaction (OC001)</c>) or <c>XX000</c> (<c>server unavailable</c>).
	/// </param>
	/// <param name="applicationName">Only sessions with this <c>application_name</c>; <see langword="null"/>: any.</param>
	/// <param name="role">Only sessions of this role; <see langword="null"/>: any.</param>
	public void FailNextCommits(int count, string code = "OC000", string? applicationName = null, string? role = null)
	{
		ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
		ArgumentNullException.ThrowIfNull(code);
		var verdict = CommitFailureInjector.Verdict(_services.Rules, code)
			?? throw new ArgumentException("The failure code must be OC000, OC001 or XX000.", nameof(code));

		_services.CommitFailures.Add(count, verdict, applicationName, role);
	}

	/// <summary>How many injected COMMIT failures are still queued (with exactly these filters; <see langword="null"/>: any).</summary>
	/// <param name="applicationName">Count only failures queued for this <c>application_name</c>.</param>
	/// <param name="role">Count only failures queued for this role.</param>
	/// <returns>The number of COMMITs that will still fail.</returns>
	public int RemainingCommitFailures(string? applicationName = null, string? role = null) => _services.CommitFailures.Remaining(applicationName, role);

	/// <summary>Drops every queued COMMIT failure.</summary>
	public void ClearCommitFailures() => _services.CommitFailures.Clear();

	/// <summary>
	/// An IAM authentication token for <paramref name="role"/>, signed like the AWS SDKs do with the first configured
	/// credentials for <see cref="HostName"/> and <see cref="Region"/> (DbConnectAdmin for <c>admin</c>, else DbConnect).
	/// </summary>
	/// <param name="role">The database role to log in as.</param>
	/// <param name="expiresIn">Token lifetime (default 15 minutes, at most 7 days).</param>
	/// <returns>The token, to be used as the password.</returns>
	public string GenerateToken(string role = "admin", TimeSpan? expiresIn = null)
	{
		var credential = _options.Credentials[0];
		var seconds = (int)(expiresIn ?? TimeSpan.FromMinutes(15)).TotalSeconds;
		return SigV4QuerySigner.CreateToken(HostName, Region, SigV4QuerySigner.ActionForRole(role), credential.AccessKeyId, credential.SecretAccessKey,
			credential.SessionToken, _options.TimeProvider.GetUtcNow(), seconds);
	}

	/// <summary>
	/// An Npgsql connection string for <paramref name="role"/> through the endpoint: <c>Host=localhost</c>, the port,
	/// database <c>postgres</c>, <c>SslMode=VerifyFull</c> against <see cref="CaCertificatePath"/>, <c>No Reset On Close=true</c>
	/// (DSQL has no <c>DISCARD ALL</c>, which Npgsql's pool sends by default) and a fresh token as password.
	/// </summary>
	/// <param name="role">The database role to log in as.</param>
	/// <returns>The connection string.</returns>
	public string CreateConnectionString(string role = "admin")
	{
		var builder = new DbConnectionStringBuilder
		{
			["Host"]            = "localhost",
			["Port"]            = Port.ToString(CultureInfo.InvariantCulture),
			["Username"]        = role,
			["Database"]        = "postgres",
			["SslMode"]         = "VerifyFull",
			["RootCertificate"] = CaCertificatePath,
			["No Reset On Close"] = "true",
			["Password"]        = GenerateToken(role),
		};
		return builder.ConnectionString;
	}

	/// <summary>Ends all client sessions, stops the job worker and the cluster, and deletes temporary directories.</summary>
	public async ValueTask DisposeAsync()
	{
		if (Interlocked.Exchange(ref _disposed, 1) != 0)
			return;

		await _server.DisposeAsync().ConfigureAwait(false);
		await _jobs.DisposeAsync().ConfigureAwait(false);

		if (_cluster != null)
			await _cluster.DisposeAsync().ConfigureAwait(false);

		_certificates.Dispose();
		TryDeleteDirectory(_temporaryCertificateDirectory);
	}

	static void TryDeleteDirectory(string? path)
	{
		try
		{
			if (path != null && Directory.Exists(path))
				Directory.Delete(path, recursive: true);
		}
		catch (IOException)
		{
		}
		catch (UnauthorizedAccessException)
		{
		}
	}
}
