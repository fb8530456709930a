namespace AuroraDsql.Local;

/// <summary>How to run a <see cref="LocalDsqlEndpoint"/>. Every property has a working default.</summary>
public sealed record LocalDsqlEndpointOptions
{
	/// <summary>TCP port on 127.0.0.1 the endpoint listens on; 0 (the default) picks a free port.</summary>
	public int Port { get; init; }

	/// <summary>
	/// PostgreSQL data directory. <see langword="null"/> (the default) uses a temporary directory deleted on shutdown;
	/// a directory keeps the data between runs (initialized when empty).
	/// </summary>
	public string? DataDirectory { get; init; }

	/// <summary>
	/// The cluster host name clients use and sign tokens for (default <c>localhost</c>). It goes into the server
	/// certificate together with <c>localhost</c> and <c>127.0.0.1</c>; tokens signed for any of these (or for the TLS SNI
	/// name the client sent) are accepted.
	/// </summary>
	public string HostName { get; init; } = "localhost";

	/// <summary>The AWS region tokens must be signed for (default <c>us-east-1</c>).</summary>
	public string Region { get; init; } = "us-east-1";

	/// <summary>Credentials tokens may be signed with; default: <see cref="LocalDsqlCredential.Default"/>.</summary>
	public IReadOnlyList<LocalDsqlCredential> Credentials { get; init; } = [LocalDsqlCredential.Default];

	/// <summary>Connections are ended after this long, as on DSQL (default 60 minutes).</summary>
	public TimeSpan MaxConnectionDuration { get; init; } = TimeSpan.FromMinutes(60);

	/// <summary>Clock skew allowed around a token's signing time and expiry (default 5 minutes).</summary>
	public TimeSpan TokenClockSkew { get; init; } = TimeSpan.FromMinutes(5);

	/// <summary>
	/// Use an existing PostgreSQL server instead of starting one (Npgsql-style keys: Host, Port, Username, Password,
	/// Database). The login must be a superuser. Sessions then log in as that user and switch to the client's role with
	/// <c>SET SESSION AUTHORIZATION</c>, so this mode is no security boundary.
	/// </summary>
	public string? BackendConnectionString { get; init; }

	/// <summary>
	/// Directory of the PostgreSQL server programs (<c>initdb</c>, <c>postgres</c>); default: the <c>AURORA_DSQL_PG_BIN</c>
	/// environment variable, else searched, PostgreSQL 16 first (DSQL is PostgreSQL 16): the folder
	/// <c>Build/install-postgres16.sh</c> installs into (<c>~/.cache/aurora-dsql-local/postgresql-16/bin</c>, as root
	/// <c>/usr/local/lib/aurora-dsql-local/postgresql-16/bin</c>), <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>,
	/// <c>pg_config --bindir</c>, <c>PATH</c>. Another major version runs with a warning
	/// (<see cref="LocalDsqlEndpoint.BackendCompatibilityWarning"/>).
	/// </summary>
	public string? PostgresBinDirectory { get; init; }

	/// <summary>
	/// The PostgreSQL version the endpoint reports (<c>server_version</c>, <c>SHOW server_version[_num]</c>,
	/// <c>current_setting(…)</c>), <c>16.&lt;minor&gt;</c>; default: what DSQL reports as of the endpoint's release (16.15, late 2026).
	/// </summary>
	public string? ServerVersion { get; init; }

	/// <summary>
	/// Where the CA certificate (<c>ca.pem</c>) and its key are written; default: a temporary directory deleted on
	/// shutdown. A directory that already holds them keeps its CA, so clients can keep trusting it.
	/// </summary>
	public string? CertificateDirectory { get; init; }

	/// <summary>
	/// Holds every async job (index builds, constraint validations) this long before it completes: half of it in
	/// <c>submitted</c>, half in <c>processing</c>, with the index INVALID meanwhile. Default zero: jobs run at once.
	/// </summary>
	public TimeSpan JobCompletionDelay { get; init; }

	/// <summary>
	/// The DSQL release whose SQL rules the endpoint enforces (for example <c>2026-08-25</c>: before foreign keys);
	/// <see langword="null"/> (the default): the newest behaviour. Dates between releases mean the last release before them.
	/// </summary>
	public DateOnly? RulesAsOf { get; init; }

	/// <summary>Rows a transaction may modify (inserted, updated, deleted; cascades included), as on DSQL: 3,000.</summary>
	public int MaxRowsPerTransaction { get; init; } = 3000;

	/// <summary>Bytes of modified rows a transaction may write (checked at COMMIT), as on DSQL: 10 MiB.</summary>
	public long MaxBytesPerTransaction { get; init; } = 10 * 1024 * 1024;

	/// <summary>How long an explicit transaction may last, as on DSQL: 5 minutes.</summary>
	public TimeSpan MaxTransactionAge { get; init; } = TimeSpan.FromMinutes(5);

	/// <summary>
	/// How long a statement waits for a row lock another transaction holds before failing with DSQL's conflict error
	/// (40001 OC000). DSQL never waits; PostgreSQL has to, so keep this short. Default 100 ms. With
	/// <see cref="ConflictsAtCommit"/> a holder that is idle in its transaction loses the row long before that.
	/// </summary>
	public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

	/// <summary>
	/// Conflicts fail the later committer at COMMIT, as on DSQL, where the endpoint can tell who that is. When a statement
	/// waits for a row that a transaction idle between its statements wrote or locked, that transaction loses: it is rolled
	/// back at once (the waiting statement goes on). When a write in a transaction block meets a row that a transaction
	/// committed after its snapshot, the write is run again on a fresh snapshot (its result goes to the client) and rolled
	/// back. Either way the losing transaction's COMMIT fails with 40001 OC000 (or its next statement, if that is not
	/// COMMIT or ROLLBACK). Default <see langword="true"/>. When <see langword="false"/>, the conflicting statement fails
	/// with OC000 instead (after <see cref="LockTimeout"/> when it waits, unless the holder ends first).
	/// </summary>
	public bool ConflictsAtCommit { get; init; } = true;

	/// <summary>
	/// Lets sessions of role <c>admin</c> queue COMMIT failures with SQL, for test suites that cannot call
	/// <see cref="LocalDsqlEndpoint.FailNextCommits"/> (another language, psql in a CI script):
	/// <c>SELECT aurora_dsql_local.fail_next_commits(count [, code [, application_name [, role]]])</c> and
	/// <c>SELECT aurora_dsql_local.clear_commit_failures()</c>. These functions are the local endpoint's, not DSQL's: the
	/// proxy answers them itself, and nothing reaches PostgreSQL but a constant statement. Default <see langword="false"/>:
	/// they do not exist, and calling them fails as on DSQL (schema <c>aurora_dsql_local</c> does not exist).
	/// </summary>
	public bool AllowFaultInjection { get; init; }

	/// <summary>
	/// Simulated network latency: every answer the endpoint sends a client is held this long before it goes out, so each
	/// client round trip (a request the client waits for) costs this much more, as the network hop to DSQL does. The delay
	/// counts from the first piece of an answer, however the backend splits it. Answers keep their order, and a session's
	/// held answers never delay another session. Default zero: answers go out at once.
	/// </summary>
	public TimeSpan NetworkLatency { get; init; }

	/// <summary>
	/// Simulated commit latency: the answer to each commit (an explicit <c>COMMIT</c>, or a write outside a transaction
	/// block, which commits on its own) is held this much longer than <see cref="NetworkLatency"/>, as DSQL makes a commit
	/// durable across availability zones. Default zero.
	/// </summary>
	public TimeSpan CommitLatency { get; init; }

	/// <summary>Where the endpoint writes its log lines (connections, refusals, jobs; never secrets). Default: none.</summary>
	public TextWriter? Log { get; init; }

	/// <summary>
	/// How long a statement waits for a transaction idle on its row before that transaction loses (see
	/// <see cref="ConflictsAtCommit"/>). Default: 30 % of <see cref="LockTimeout"/>, at most 30 ms (tests).
	/// </summary>
	internal TimeSpan? IdleHolderGrace { get; init; }

	/// <summary>
	/// How long a write to a client (or to the backend) may make no progress before the session is ended: a client that
	/// stops reading, or vanishes without closing, cannot hold its backend session forever. Default 60 seconds.
	/// </summary>
	internal TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(60);

	/// <summary>How long a connection may take from its first byte to the end of its login (TLS, startup, token). Default 30 seconds.</summary>
	internal TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(30);

	/// <summary>
	/// How many connections may be logging in at once; further ones are refused at once with DSQL's 53400
	/// <c>Unable to accept connection, rate exceeded.</c> Default 256.
	/// </summary>
	internal int MaxPendingLogins { get; init; } = 256;

	/// <summary>The clock of transaction ages, token expiry, the maximum connection duration and delayed jobs (tests).</summary>
	internal TimeProvider TimeProvider { get; init; } = TimeProvider.System;

	/// <summary>Statement classifiers that run before the built-in DSQL rules and rewrites (tests).</summary>
	internal IReadOnlyList<Classification.IStatementClassifier> Classifiers { get; init; } = [];
}
