using System.Collections.Concurrent;
using System.Globalization;

using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

using LinqToDB.DataProvider.AuroraDsql;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Connections;

/// <summary>
/// Builds the <see cref="NpgsqlDataSource"/> behind <c>UseAuroraDsql</c>: one per distinct configuration, with a password
/// provider that signs a fresh IAM token for every physical connection.
/// </summary>
static class DataSourceFactory
{
	/// <summary>Shared data sources, by configuration and by instance of credentials.</summary>
	sealed class Cache
	{
		public readonly ConcurrentDictionary<string, Lazy<NpgsqlDataSource>> DataSources = new(StringComparer.Ordinal);

		public readonly System.Runtime.CompilerServices.ConditionalWeakTable<AWSCredentials, ConcurrentDictionary<string, Lazy<NpgsqlDataSource>>> ByCredentials = [];
	}

	static readonly Cache _shared = new();

	// A logger factory is part of a data source: data sources that log somewhere live as long as that logger factory.
	static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Microsoft.Extensions.Logging.ILoggerFactory, Cache> _byLoggerFactory = [];

	/// <summary>
	/// The shared data source for <paramref name="options"/> (validated first). Options that connect the same way share
	/// one data source (and so one pool) even when they were built separately, for example with a new
	/// <see cref="BasicAWSCredentials"/> per call: the key is the connection string, region, token lifetime and identity of
	/// the credentials, not the options object.
	/// </summary>
	public static NpgsqlDataSource GetOrCreate(AuroraDsqlConnectionOptions options)
	{
		var resolved = Resolve(options);

		// Credentials other than static keys are identified by instance: their data sources live as long as the instance.
		var caches = resolved.Options.LoggerFactory is { } loggerFactory ? _byLoggerFactory.GetValue(loggerFactory, _ => new Cache()) : _shared;
		var cache = resolved.Options.Credentials is { } credentials and not (BasicAWSCredentials or SessionAWSCredentials)
			? caches.ByCredentials.GetValue(credentials, _ => new ConcurrentDictionary<string, Lazy<NpgsqlDataSource>>(StringComparer.Ordinal))
			: caches.DataSources;

		return cache.GetOrAdd(CacheKey(resolved), _ => new Lazy<NpgsqlDataSource>(() => Create(resolved), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
	}

	static string KeyHash(ImmutableCredentials credentials) =>
		Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
			System.Text.Encoding.UTF8.GetBytes(credentials.AccessKey + "\n" + credentials.SecretKey + "\n" + credentials.Token)));

	static string CacheKey(ResolvedOptions resolved)
	{
		var options = resolved.Options;

		var credentials = options.Credentials switch
		{
			null => options.ProfileName is null ? "chain" : "profile:" + options.ProfileName,
			// Static keys are identified by a hash of the key material (never the secret itself); other providers by instance.
			BasicAWSCredentials or SessionAWSCredentials => options.Credentials.GetType().Name + ":" + KeyHash(options.Credentials.GetCredentials()),
			_ => "instance", // the cache is per instance (see GetOrCreate)
		};

		return string.Join('\n',
			BuildConnectionString(options),
			resolved.Region.SystemName,
			options.TokenLifetime.Ticks.ToString(CultureInfo.InvariantCulture),
			credentials);
	}

	/// <summary>A new data source the caller owns.</summary>
	public static NpgsqlDataSource Create(AuroraDsqlConnectionOptions options) => Create(Resolve(options));

	static NpgsqlDataSource Create(ResolvedOptions resolved)
	{
		var builder = new NpgsqlDataSourceBuilder(BuildConnectionString(resolved.Options));
		var tokens  = new TokenSource(resolved);

		if (resolved.Options.LoggerFactory is { } loggerFactory)
			builder.UseLoggerFactory(loggerFactory);

		builder.UsePasswordProvider(
			passwordProvider     : _ => tokens.Generate(),
			passwordProviderAsync: (_, _) => new ValueTask<string>(tokens.GenerateAsync()));

		return builder.Build();
	}

	/// <summary>Npgsql's write buffer per connection: 64 KiB.</summary>
	internal const int DefaultWriteBufferSize = 64 * 1024;

	internal static string BuildConnectionString(AuroraDsqlConnectionOptions options)
	{
		var builder = new NpgsqlConnectionStringBuilder
		{
			Host                   = options.Host,
			Port                   = options.Port,
			Database               = options.Database,
			Username               = options.User,
			SslMode                = options.SslMode,
			SslNegotiation         = options.SslNegotiation,
			MaxPoolSize            = options.MaxPoolSize,
			MinPoolSize            = options.MinPoolSize,
			ConnectionLifetime     = (int)Math.Ceiling(options.ConnectionLifetime.TotalSeconds),
			ConnectionIdleLifetime = (int)Math.Ceiling(options.ConnectionIdleLifetime.TotalSeconds),
			ApplicationName        = options.ApplicationName,
			// Larger writes than Npgsql's 8 KiB: fewer TLS records and socket writes for bulk copy and large values (the
			// hook can set another size).
			WriteBufferSize        = DefaultWriteBufferSize,
		};

		if (options.RootCertificatePath != null)
			builder.RootCertificate = options.RootCertificatePath;

		if (options.CommandTimeout is { } timeout)
			builder.CommandTimeout = (int)Math.Ceiling(timeout.TotalSeconds);

		options.ConfigureConnectionString?.Invoke(builder);

		// The password is always the generated token; the invariants hold whatever the hook did.
		builder.Password = null;
		ConnectionStrings.ApplyInvariants(builder);

		return builder.ConnectionString;
	}

	internal sealed record ResolvedOptions(AuroraDsqlConnectionOptions Options, RegionEndpoint Region, Func<AWSCredentials> Credentials);

	/// <summary>Validates the options and resolves the region now, so mistakes surface before any connection is made.</summary>
	internal static ResolvedOptions Resolve(AuroraDsqlConnectionOptions options)
	{
		ArgumentNullException.ThrowIfNull(options);

		if (string.IsNullOrWhiteSpace(options.Host))
			throw new ArgumentException("The Aurora DSQL cluster endpoint (Host) is empty. Pass the endpoint shown in the console, for example 'abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws'.", nameof(options));

		if (options.Host.Contains("://", StringComparison.Ordinal) || options.Host.Contains('/', StringComparison.Ordinal) || options.Host.Contains(':', StringComparison.Ordinal))
			throw new ArgumentException($"The cluster endpoint '{options.Host}' must be a bare host name: no scheme, path or port (set Port separately).", nameof(options));

		if (options.Host.Contains(',', StringComparison.Ordinal))
			throw new ArgumentException($"The cluster endpoint '{options.Host}' names several hosts; a token is signed for one cluster endpoint.", nameof(options));

		if (string.IsNullOrWhiteSpace(options.User))
			throw new ArgumentException("The database role (User) is empty; DSQL's default role is 'admin'.", nameof(options));

		if (options.Port is <= 0 or > 65535)
			throw new ArgumentOutOfRangeException(nameof(options), options.Port, "Port must be between 1 and 65535.");

		if (options.TokenLifetime < TimeSpan.FromSeconds(1) || options.TokenLifetime > DsqlAuthTokenGenerator.MaxExpiresIn)
			throw new ArgumentOutOfRangeException(nameof(options), options.TokenLifetime, "TokenLifetime must be between 1 second and 7 days.");

		if (options.MaxPoolSize < 1 || options.MinPoolSize < 0 || options.MinPoolSize > options.MaxPoolSize)
			throw new ArgumentOutOfRangeException(nameof(options), $"Pool sizes must satisfy 0 <= MinPoolSize <= MaxPoolSize and MaxPoolSize >= 1 (got {options.MinPoolSize}..{options.MaxPoolSize}).");

		if (options.ConnectionLifetime <= TimeSpan.Zero)
			throw new ArgumentOutOfRangeException(nameof(options), options.ConnectionLifetime, "ConnectionLifetime must be positive (Npgsql reads zero as no limit, and DSQL ends connections after 60 minutes).");

		if (options.ConnectionIdleLifetime < TimeSpan.Zero)
			throw new ArgumentOutOfRangeException(nameof(options), "ConnectionIdleLifetime cannot be negative.");

		if (options.ConnectionLifetime >= TimeSpan.FromMinutes(60))
			throw new ArgumentOutOfRangeException(nameof(options), options.ConnectionLifetime, "ConnectionLifetime must stay under DSQL's 60-minute connection limit (default 55 minutes).");

		if (options.CommandTimeout is { } timeout && timeout < TimeSpan.Zero)
			throw new ArgumentOutOfRangeException(nameof(options), timeout, "CommandTimeout cannot be negative.");

		if (options.RootCertificatePath != null && !File.Exists(options.RootCertificatePath))
			throw new FileNotFoundException($"The root certificate file '{options.RootCertificatePath}' does not exist.", options.RootCertificatePath);

		var region      = ResolveRegion(options);
		var credentials = CredentialsResolver(options);

		return new ResolvedOptions(options, region, credentials);
	}

	static RegionEndpoint ResolveRegion(AuroraDsqlConnectionOptions options)
	{
		var name = options.Region ?? ClusterEndpoint.TryParseRegion(options.Host);

		if (name is null)
		{
			try
			{
				name = FallbackRegionFactory.GetRegionEndpoint()?.SystemName;
			}
			catch (AmazonClientException)
			{
				name = null;
			}
		}

		if (string.IsNullOrWhiteSpace(name))
			throw new ArgumentException(
				$"Cannot tell the AWS region of '{options.Host}': it is not a '<cluster-id>.dsql.<region>.on.aws' endpoint and no default region is configured. Set Region (for example \"us-east-1\").",
				nameof(options));

		return RegionEndpoint.GetBySystemName(name.Trim().ToLowerInvariant());
	}

	static Func<AWSCredentials> CredentialsResolver(AuroraDsqlConnectionOptions options)
	{
		if (options.Credentials is { } explicitCredentials)
			return () => explicitCredentials;

		// Resolved on first use (the first physical connection), not while configuring: the default chain may call
		// the instance metadata service or SSO.
		// PublicationOnly: a failed lookup (a transient metadata-service or SSO error) is tried again on the next connection.
		var lazy = new Lazy<AWSCredentials>(() =>
		{
			try
			{
				if (options.ProfileName is { } profile)
				{
					if (new CredentialProfileStoreChain().TryGetAWSCredentials(profile, out var fromProfile))
						return fromProfile;

					throw new AmazonClientException($"The AWS profile '{profile}' was not found in the shared config or credentials files.");
				}

				return DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
			}
			catch (InvalidOperationException ex) when (CredentialPackages.Explain(ex, options.ProfileName) is { } explained)
			{
				throw explained;
			}
		}, LazyThreadSafetyMode.PublicationOnly);

		return () => lazy.Value;
	}

	/// <summary>Signs one token per physical connection for the configured role.</summary>
	sealed class TokenSource(ResolvedOptions resolved)
	{
		readonly bool   _admin    = string.Equals(resolved.Options.User, AuroraDsqlConnectionOptions.DefaultUser, StringComparison.Ordinal);
		readonly string _hostname = resolved.Options.Host.Trim().ToLowerInvariant();

		public string Generate()
		{
			try
			{
				var credentials = resolved.Credentials();
				return _admin
					? DsqlAuthTokenGenerator.GenerateDbConnectAdminAuthToken(credentials, resolved.Region, _hostname, resolved.Options.TokenLifetime)
					: DsqlAuthTokenGenerator.GenerateDbConnectAuthToken(credentials, resolved.Region, _hostname, resolved.Options.TokenLifetime);
			}
			catch (InvalidOperationException ex) when (CredentialPackages.Explain(ex, resolved.Options.ProfileName) is { } explained)
			{
				throw explained;
			}
		}

		public async Task<string> GenerateAsync()
		{
			try
			{
				var credentials = resolved.Credentials();
				return await (_admin
					? DsqlAuthTokenGenerator.GenerateDbConnectAdminAuthTokenAsync(credentials, resolved.Region, _hostname, resolved.Options.TokenLifetime)
					: DsqlAuthTokenGenerator.GenerateDbConnectAuthTokenAsync(credentials, resolved.Region, _hostname, resolved.Options.TokenLifetime)).ConfigureAwait(false);
			}
			catch (InvalidOperationException ex) when (CredentialPackages.Explain(ex, resolved.Options.ProfileName) is { } explained)
			{
				throw explained;
			}
		}

		public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"TokenSource({_hostname})");
	}
}
