using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.DependencyInjection;

/// <summary>
/// The data source and <see cref="DataOptions"/> of one registration (one context type, or the untyped
/// <see cref="DataConnection"/>): built from the named settings on first use, a singleton of the container, which disposes
/// the data source with itself.
/// </summary>
sealed class AuroraDsqlRegistration<TContext> : IDisposable, IAsyncDisposable
	where TContext : IDataContext
{
	public AuroraDsqlRegistration(IOptionsMonitor<AuroraDsqlServiceOptions> settings, IServiceProvider services)
	{
		var options       = settings.Get(Name);
		var loggerFactory = options.UseLoggerFactory ? services.GetService<ILoggerFactory>() : null;
		var connection    = ConnectionOptions(options, loggerFactory);

		DataSource  = AuroraDsqlTools.CreateDataSource(connection.Host, _ => connection);
		DataOptions = DataOptionsFor(DataSource, options, loggerFactory);
	}

	/// <summary>The name of this registration's settings: the context type's full name, or the default name for the untyped one.</summary>
	public static string Name => typeof(TContext) == typeof(DataConnection) ? Microsoft.Extensions.Options.Options.DefaultName : typeof(TContext).FullName!;

	public NpgsqlDataSource DataSource  { get; }
	public DataOptions      DataOptions { get; }

	internal static AuroraDsqlConnectionOptions ConnectionOptions(AuroraDsqlServiceOptions options, ILoggerFactory? loggerFactory)
	{
		if (string.IsNullOrWhiteSpace(options.Endpoint))
			throw new InvalidOperationException(
				$"Aurora DSQL is registered for {typeof(TContext).Name} without an endpoint. Set Endpoint in the configuration section " +
				$"(\"{AuroraDsqlServiceOptions.DefaultSectionName}:Endpoint\") or in code, for example \"abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws\".");

		var connection = new AuroraDsqlConnectionOptions(options.Endpoint.Trim()) { LoggerFactory = loggerFactory };

		if (options.Region              is { } region)      connection = connection with { Region              = region };
		if (options.User                is { } user)        connection = connection with { User                = user };
		if (options.Database            is { } database)    connection = connection with { Database            = database };
		if (options.Port                is { } port)        connection = connection with { Port                = port };
		if (options.Profile             is { } profile)     connection = connection with { ProfileName         = profile };
		if (options.Credentials         is { } credentials) connection = connection with { Credentials         = credentials };
		if (options.TokenLifetime       is { } token)       connection = connection with { TokenLifetime       = token };
		if (options.RootCertificatePath is { } root)        connection = connection with { RootCertificatePath = root };
		if (options.MaxPoolSize         is { } max)         connection = connection with { MaxPoolSize         = max };
		if (options.MinPoolSize         is { } min)         connection = connection with { MinPoolSize         = min };
		if (options.ConnectionLifetime  is { } lifetime)    connection = connection with { ConnectionLifetime  = lifetime };
		if (options.ConnectionIdleLifetime is { } idle)     connection = connection with { ConnectionIdleLifetime = idle };
		if (options.CommandTimeout      is { } timeout)     connection = connection with { CommandTimeout      = timeout };
		if (options.ApplicationName     is { } application) connection = connection with { ApplicationName     = application };

		return options.ConfigureConnection is { } configure
			? configure(connection) ?? throw new InvalidOperationException("ConfigureConnection returned null.")
			: connection;
	}

	static DataOptions DataOptionsFor(NpgsqlDataSource dataSource, AuroraDsqlServiceOptions options, ILoggerFactory? loggerFactory)
	{
		var dataOptions = new DataOptions().UseAuroraDsql(dataSource, provider =>
		{
			provider = provider with { LoggerFactory = loggerFactory };
			if (options.Retry is { } retry)
				provider = provider with { RetryOptions = retry };
			return options.ConfigureProvider is { } configure ? configure(provider) : provider;
		});

		if (options.RetryStatements)
			dataOptions = dataOptions.UseAuroraDsqlRetryPolicy(defaults => options.Retry ?? defaults);

		return options.ConfigureDataOptions is { } configureData
			? configureData(dataOptions) ?? throw new InvalidOperationException("ConfigureDataOptions returned null.")
			: dataOptions;
	}

	public void Dispose() => DataSource.Dispose();

	public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
