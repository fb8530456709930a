using Amazon.Runtime;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// How <c>AddAuroraDsql</c> and <c>AddAuroraDsqlContext&lt;TContext&gt;</c> connect, set in code or bound from a configuration
/// section (by default <c>AuroraDsql</c>):
/// <code>
/// "AuroraDsql": {
///   "Endpoint": "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws",
///   "User": "app_writer", "Profile": "production",
///   "MaxPoolSize": 20, "ConnectionLifetime": "00:50:00",
///   "Retry": { "MaxRetries": 8, "BaseDelay": "00:00:00.050" }
/// }
/// </code>
/// Settings left unset keep the defaults of <see cref="AuroraDsqlConnectionOptions"/>. What cannot come from configuration
/// (credentials objects, hooks) is set in code.
/// </summary>
public sealed class AuroraDsqlServiceOptions
{
	/// <summary>The configuration section the settings are usually bound from: <c>AuroraDsql</c>.</summary>
	public const string DefaultSectionName = "AuroraDsql";

	/// <summary>Cluster endpoint, for example <c>abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws</c>. Required.</summary>
	public string? Endpoint { get; set; }

	/// <summary>AWS region; default: from the endpoint, else the AWS SDK's region chain.</summary>
	public string? Region { get; set; }

	/// <summary>Database role; default <c>admin</c>.</summary>
	public string? User { get; set; }

	/// <summary>Database; default <c>postgres</c>.</summary>
	public string? Database { get; set; }

	/// <summary>Port; default 5432.</summary>
	public int? Port { get; set; }

	/// <summary>Named AWS profile whose credentials sign the tokens; default: the AWS SDK's default credential chain.</summary>
	public string? Profile { get; set; }

	/// <summary>Credentials that sign the tokens (code only); they take precedence over <see cref="Profile"/>.</summary>
	public AWSCredentials? Credentials { get; set; }

	/// <summary>Lifetime of each token; default 15 minutes.</summary>
	public TimeSpan? TokenLifetime { get; set; }

	/// <summary>PEM file of the root certificate to trust; default: the system trust store.</summary>
	public string? RootCertificatePath { get; set; }

	/// <summary>Maximum pooled connections; default 10.</summary>
	public int? MaxPoolSize { get; set; }

	/// <summary>Minimum pooled connections; default 0.</summary>
	public int? MinPoolSize { get; set; }

	/// <summary>Pooled connections older than this are closed; default 55 minutes (DSQL ends connections after 60).</summary>
	public TimeSpan? ConnectionLifetime { get; set; }

	/// <summary>Idle pooled connections are closed after this long; default 10 minutes.</summary>
	public TimeSpan? ConnectionIdleLifetime { get; set; }

	/// <summary>Command timeout; default Npgsql's 30 seconds.</summary>
	public TimeSpan? CommandTimeout { get; set; }

	/// <summary>Application name reported to the server; default <c>linq2db-auroradsql/&lt;version&gt;</c>.</summary>
	public string? ApplicationName { get; set; }

	/// <summary>
	/// How conflicts are retried, by <c>InTransaction</c>'s callers that pass no options of their own, bulk copy, batched
	/// operations and (with <see cref="RetryStatements"/>) single statements. Default <see cref="AuroraDsqlRetryOptions.Default"/>.
	/// </summary>
	public AuroraDsqlRetryOptions? Retry { get; set; }

	/// <summary>
	/// Whether single statements outside transactions are retried on transient errors (<c>UseAuroraDsqlRetryPolicy</c>).
	/// Default <see langword="false"/>, as with <c>UseAuroraDsql</c>.
	/// </summary>
	public bool RetryStatements { get; set; }

	/// <summary>
	/// Whether the container's <c>ILoggerFactory</c> (when there is one) receives Npgsql's and the provider's logs.
	/// Default <see langword="true"/>.
	/// </summary>
	public bool UseLoggerFactory { get; set; } = true;

	/// <summary>Last adjustment of the connection options (code only), after the settings above are applied.</summary>
	public Func<AuroraDsqlConnectionOptions, AuroraDsqlConnectionOptions>? ConfigureConnection { get; set; }

	/// <summary>Adjusts the provider options (code only), for example the identity cache.</summary>
	public Func<AuroraDsqlOptions, AuroraDsqlOptions>? ConfigureProvider { get; set; }

	/// <summary>Adjusts the finished <see cref="DataOptions"/> (code only), for example mapping schema or tracing.</summary>
	public Func<DataOptions, DataOptions>? ConfigureDataOptions { get; set; }
}
