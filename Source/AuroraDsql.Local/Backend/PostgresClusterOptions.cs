namespace AuroraDsql.Local.Backend;

/// <summary>How to start a throwaway PostgreSQL cluster from the installed server programs.</summary>
public sealed record PostgresClusterOptions
{
	/// <summary>
	/// Directory holding <c>initdb</c> and <c>postgres</c>. When <see langword="null"/>: the <c>AURORA_DSQL_PG_BIN</c>
	/// environment variable, else a search that takes the first PostgreSQL 16 (DSQL's version), else the first server found,
	/// in the folders <c>Build/install-postgres16.sh</c> installs into (<c>~/.cache/aurora-dsql-local/postgresql-16/bin</c>,
	/// <c>/usr/local/lib/aurora-dsql-local/postgresql-16/bin</c>), <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> (newest
	/// first), <c>pg_config --bindir</c> and <c>PATH</c>.
	/// </summary>
	public string? BinDirectory { get; init; }

	/// <summary>
	/// Data directory. When <see langword="null"/> a temporary directory is created and deleted on shutdown; when set,
	/// the directory is initialized if empty and kept, so data survives between runs.
	/// </summary>
	public string? DataDirectory { get; init; }

	/// <summary>
	/// The port number (the Unix socket's file name, and the TCP port if <see cref="Settings"/> sets <c>listen_addresses</c>,
	/// for example to <c>127.0.0.1</c>); 0 picks a free one.
	/// </summary>
	public int Port { get; init; }

	/// <summary>
	/// Operating-system user that runs the server when the current process is root (PostgreSQL refuses to run as root).
	/// Defaults to <c>postgres</c> when that user exists, else <c>nobody</c>.
	/// </summary>
	public string? ServerUser { get; init; }

	/// <summary>
	/// Extra <c>postgresql.conf</c> settings, applied on every start. The server listens on its Unix socket only unless
	/// <c>listen_addresses</c> is given here (then TCP logins need a password: <c>scram-sha-256</c>).
	/// </summary>
	public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

	/// <summary>How long to wait for the server to accept connections.</summary>
	public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
