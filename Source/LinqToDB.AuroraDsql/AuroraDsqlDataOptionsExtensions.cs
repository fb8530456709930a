using Amazon;

using LinqToDB.Internal.DataProvider.AuroraDsql.Connections;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary><see cref="DataOptions"/> extensions that configure linq2db for Aurora DSQL.</summary>
public static class AuroraDsqlDataOptionsExtensions
{
	/// <summary>
	/// Connects to an Aurora DSQL cluster with IAM authentication. One pooled <see cref="NpgsqlDataSource"/> is shared by every
	/// <see cref="DataOptions"/> built from the same settings; each physical connection gets a fresh token.
	/// </summary>
	/// <param name="options">Options to configure.</param>
	/// <param name="clusterEndpoint">Cluster endpoint, for example <c>abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws</c>.</param>
	/// <param name="configure">
	/// Adjusts how to connect: user (default <c>admin</c>), region (default: from the endpoint), credentials (default: the AWS
	/// SDK's default chain), token lifetime, TLS, pool sizes, timeouts. See <see cref="AuroraDsqlConnectionOptions"/>.
	/// </param>
	/// <param name="optionSetter">Adjusts provider options such as the identity cache. See <see cref="AuroraDsqlOptions"/>.</param>
	/// <example>
	/// <code>
	/// var options = new DataOptions().UseAuroraDsql("abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws");
	/// using var db = new DataConnection(options);
	/// </code>
	/// </example>
	public static DataOptions UseAuroraDsql(
		this DataOptions                                                   options,
		string                                                             clusterEndpoint,
		Func<AuroraDsqlConnectionOptions, AuroraDsqlConnectionOptions>?   configure    = null,
		Func<AuroraDsqlOptions, AuroraDsqlOptions>?                       optionSetter = null)
	{
		ArgumentNullException.ThrowIfNull(options);
		ArgumentNullException.ThrowIfNull(clusterEndpoint);

		var connectionOptions = new AuroraDsqlConnectionOptions(clusterEndpoint);
		if (configure != null)
			connectionOptions = configure(connectionOptions) ?? throw new InvalidOperationException("The configure callback returned null.");

		var dataSource = DataSourceFactory.GetOrCreate(connectionOptions);
		options = options.UseAuroraDsql(dataSource, optionSetter);

		// The provider logs where Npgsql does, unless the option setter chose otherwise.
		return connectionOptions.LoggerFactory is { } loggerFactory && options.FindOrDefault(AuroraDsqlOptions.Default).LoggerFactory is null
			? options.UseAuroraDsqlOptions(o => o with { LoggerFactory = loggerFactory })
			: options;
	}

	/// <summary>Connects to the Aurora DSQL cluster <paramref name="clusterId"/> in <paramref name="region"/> with IAM authentication.</summary>
	/// <param name="options">Options to configure.</param>
	/// <param name="clusterId">Cluster id: 26 lower-case letters and digits.</param>
	/// <param name="region">Region of the cluster.</param>
	/// <param name="configure">Adjusts how to connect. See <see cref="AuroraDsqlConnectionOptions"/>.</param>
	/// <param name="optionSetter">Adjusts provider options. See <see cref="AuroraDsqlOptions"/>.</param>
	public static DataOptions UseAuroraDsql(
		this DataOptions                                                   options,
		string                                                             clusterId,
		RegionEndpoint                                                     region,
		Func<AuroraDsqlConnectionOptions, AuroraDsqlConnectionOptions>?   configure    = null,
		Func<AuroraDsqlOptions, AuroraDsqlOptions>?                       optionSetter = null)
	{
		ArgumentNullException.ThrowIfNull(region);

		var endpoint = AuroraDsqlTools.GetClusterEndpoint(clusterId, region.SystemName);

		return options.UseAuroraDsql(
			endpoint,
			o => (configure is null ? o : configure(o)) with { Region = region.SystemName },
			optionSetter);
	}

	/// <summary>
	/// Uses an existing <see cref="NpgsqlDataSource"/> (for example from <see cref="AuroraDsqlTools.CreateDataSource"/>, or one
	/// you configured yourself with a password provider). The caller keeps ownership of the data source.
	/// </summary>
	/// <param name="options">Options to configure.</param>
	/// <param name="dataSource">Data source that opens connections to the cluster.</param>
	/// <param name="optionSetter">Adjusts provider options. See <see cref="AuroraDsqlOptions"/>.</param>
	public static DataOptions UseAuroraDsql(
		this DataOptions                              options,
		NpgsqlDataSource                              dataSource,
		Func<AuroraDsqlOptions, AuroraDsqlOptions>?   optionSetter = null)
	{
		ArgumentNullException.ThrowIfNull(options);
		ArgumentNullException.ThrowIfNull(dataSource);

		var provider = AuroraDsqlTools.GetDataProvider();

		return options
			.UseConnectionFactory(provider, _ => new AuroraDsqlConnection(dataSource.CreateConnection()))
			.UseAuroraDsqlOptions(optionSetter);
	}

	/// <summary>
	/// Uses a connection string, as <c>UseConnectionString("AuroraDSQL", connectionString)</c> does. Without a
	/// <c>Password</c>, every physical connection gets a fresh IAM token from the AWS credential chain (keys <c>Region</c>,
	/// <c>Token Lifetime</c> in seconds and <c>Profile</c>; the defaults of <c>UseAuroraDsql</c> under the string's Npgsql
	/// keys; one pooled data source per distinct string). With a <c>Password</c> (an IAM token, for example the local
	/// endpoint's) the string is used as is. <c>No Reset On Close=true</c> is always applied; <c>Enlist</c> is kept as
	/// given (Npgsql's default enlists in an ambient <c>TransactionScope</c>). A bad key throws an
	/// <see cref="ArgumentException"/> naming it when the first connection is made.
	/// </summary>
	/// <param name="options">Options to configure.</param>
	/// <param name="connectionString">Npgsql connection string, with the provider's keys.</param>
	/// <param name="optionSetter">Adjusts provider options. See <see cref="AuroraDsqlOptions"/>.</param>
	public static DataOptions UseAuroraDsqlConnectionString(
		this DataOptions                              options,
		string                                        connectionString,
		Func<AuroraDsqlOptions, AuroraDsqlOptions>?   optionSetter = null)
	{
		ArgumentNullException.ThrowIfNull(options);
		ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

		return options
			.UseConnectionString(AuroraDsqlTools.GetDataProvider(), connectionString)
			.UseAuroraDsqlOptions(optionSetter);
	}

	/// <summary>Sets <see cref="AuroraDsqlOptions"/> on <paramref name="options"/>.</summary>
	/// <param name="options">Options to configure.</param>
	/// <param name="optionSetter">Adjusts the current (or default) provider options.</param>
	public static DataOptions UseAuroraDsqlOptions(this DataOptions options, Func<AuroraDsqlOptions, AuroraDsqlOptions>? optionSetter)
	{
		ArgumentNullException.ThrowIfNull(options);

		if (optionSetter is null)
			return options;

		return options.WithOptions(optionSetter(options.FindOrDefault(AuroraDsqlOptions.Default)));
	}
}
