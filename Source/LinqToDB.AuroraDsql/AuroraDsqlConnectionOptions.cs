using System.Text;

using Amazon.Runtime;

using Microsoft.Extensions.Logging;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// How to connect to an Aurora DSQL cluster with IAM authentication: passed to the configure callback of
/// <c>UseAuroraDsql</c>. Every physical connection gets a freshly generated token as its password.
/// </summary>
/// <remarks><see cref="ToString"/> never prints credentials.</remarks>
public sealed record AuroraDsqlConnectionOptions
{
	/// <summary>Default database role: <c>admin</c> (signed with <c>dsql:DbConnectAdmin</c>).</summary>
	public const string DefaultUser = "admin";

	/// <summary>The only database of a DSQL cluster: <c>postgres</c>.</summary>
	public const string DefaultDatabase = "postgres";

	/// <summary>DSQL's port: 5432.</summary>
	public const int DefaultPort = 5432;

	/// <summary>Creates options for a cluster endpoint.</summary>
	/// <param name="host">Cluster endpoint, for example <c>abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws</c>.</param>
	public AuroraDsqlConnectionOptions(string host)
	{
		Host = host;
	}

	/// <summary>Cluster endpoint host name (also the host the token is signed for). No scheme, no port.</summary>
	public string Host { get; init; }

	/// <summary>Database role. Default <c>admin</c>; any other role is signed with <c>dsql:DbConnect</c>.</summary>
	public string User { get; init; } = DefaultUser;

	/// <summary>Database. Default <c>postgres</c>.</summary>
	public string Database { get; init; } = DefaultDatabase;

	/// <summary>Port. Default 5432.</summary>
	public int Port { get; init; } = DefaultPort;

	/// <summary>
	/// AWS region of the cluster (for example <c>us-east-1</c>). Default: parsed from <see cref="Host"/>
	/// (<c>&lt;id&gt;.dsql.&lt;region&gt;.on.aws</c>), else the AWS SDK's region chain (<c>AWS_REGION</c>, profile).
	/// </summary>
	public string? Region { get; init; }

	/// <summary>
	/// Credentials that sign tokens. Default: <see cref="ProfileName"/> when set, else the AWS SDK's default credential
	/// chain (environment, profile, SSO, container and instance roles).
	/// </summary>
	public AWSCredentials? Credentials { get; init; }

	/// <summary>Named profile from the shared AWS config/credentials files, used when <see cref="Credentials"/> is not set.</summary>
	public string? ProfileName { get; init; }

	/// <summary>Lifetime of each generated token. Default 15 minutes; between 1 second and 7 days.</summary>
	public TimeSpan TokenLifetime { get; init; } = DsqlAuthTokenGenerator.DefaultExpiresIn;

	/// <summary>
	/// PEM file with the root certificate to trust. Default <see langword="null"/>: the system trust store
	/// (Amazon Root CA 1 is in it).
	/// </summary>
	public string? RootCertificatePath { get; init; }

	/// <summary>TLS mode. Default <see cref="Npgsql.SslMode.VerifyFull"/>; DSQL refuses plaintext.</summary>
	public SslMode SslMode { get; init; } = SslMode.VerifyFull;

	/// <summary>TLS negotiation. Default <see cref="Npgsql.SslNegotiation.Direct"/> (saves a round trip; DSQL supports it).</summary>
	public SslNegotiation SslNegotiation { get; init; } = SslNegotiation.Direct;

	/// <summary>Maximum pooled connections. Default 10.</summary>
	public int MaxPoolSize { get; init; } = 10;

	/// <summary>Minimum pooled connections. Default 0.</summary>
	public int MinPoolSize { get; init; }

	/// <summary>
	/// Pooled connections older than this are closed on return. Default 55 minutes, under DSQL's 60-minute cut-off.
	/// </summary>
	public TimeSpan ConnectionLifetime { get; init; } = TimeSpan.FromMinutes(55);

	/// <summary>Idle pooled connections are closed after this long. Default 10 minutes.</summary>
	public TimeSpan ConnectionIdleLifetime { get; init; } = TimeSpan.FromMinutes(10);

	/// <summary>Application name reported to the server. Default <c>linq2db-auroradsql/&lt;version&gt;</c>.</summary>
	public string ApplicationName { get; init; } = AuroraDsqlTools.DefaultApplicationName;

	/// <summary>
	/// Command timeout. Default <see langword="null"/>: Npgsql's 30 seconds. DSQL refuses <c>SET statement_timeout</c>;
	/// this client-side timeout is the way to bound a statement.
	/// </summary>
	public TimeSpan? CommandTimeout { get; init; }

	/// <summary>
	/// Last-chance hook to adjust the Npgsql connection string (for example <c>Timeout</c>, <c>KeepAlive</c>, logging).
	/// The password is always the generated token, and <c>NoResetOnClose=true</c> is always applied after the hook,
	/// because DSQL has no <c>DISCARD ALL</c>. <c>Enlist</c> stays as the hook leaves it (Npgsql's default,
	/// <see langword="true"/>, enlists connections in an ambient <c>TransactionScope</c>; set it to <see langword="false"/>
	/// to keep them out).
	/// </summary>
	public Action<NpgsqlConnectionStringBuilder>? ConfigureConnectionString { get; init; }

	/// <summary>
	/// Where Npgsql's data source logs (connections, commands; parameter values only if you enable Npgsql's parameter
	/// logging) and, through <c>UseAuroraDsql</c>, where the provider logs (<see cref="AuroraDsqlOptions.LoggerFactory"/>).
	/// Default <see langword="null"/>: no logging. Tokens and credentials are never logged.
	/// </summary>
	public ILoggerFactory? LoggerFactory { get; init; }

	/// <summary>Lists the settings; never credentials or tokens.</summary>
	bool PrintMembers(StringBuilder builder)
	{
		builder
			.Append("Host = ").Append(Host)
			.Append(", Port = ").Append(Port)
			.Append(", User = ").Append(User)
			.Append(", Database = ").Append(Database)
			.Append(", Region = ").Append(Region ?? "(from host)")
			.Append(", Credentials = ").Append(Credentials is null ? (ProfileName is null ? "(default chain)" : "(profile " + ProfileName + ")") : Credentials.GetType().Name)
			.Append(", TokenLifetime = ").Append(TokenLifetime)
			.Append(", SslMode = ").Append(SslMode)
			.Append(", SslNegotiation = ").Append(SslNegotiation)
			.Append(", RootCertificatePath = ").Append(RootCertificatePath ?? "(system store)")
			.Append(", MaxPoolSize = ").Append(MaxPoolSize)
			.Append(", MinPoolSize = ").Append(MinPoolSize)
			.Append(", ConnectionLifetime = ").Append(ConnectionLifetime)
			.Append(", ConnectionIdleLifetime = ").Append(ConnectionIdleLifetime)
			.Append(", ApplicationName = ").Append(ApplicationName)
			.Append(", CommandTimeout = ").Append(CommandTimeout?.ToString() ?? "(default)")
			.Append(", LoggerFactory = ").Append(LoggerFactory is null ? "(none)" : LoggerFactory.GetType().Name);

		return true;
	}
}
