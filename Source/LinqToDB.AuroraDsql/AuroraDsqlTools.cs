using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

using LinqToDB.Data;
using LinqToDB.Internal.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Connections;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>Entry points of the Aurora DSQL provider, in the style of linq2db's <c>PostgreSQLTools</c>.</summary>
public static class AuroraDsqlTools
{
	/// <summary>
	/// Provider name: <c>new DataOptions().UseConnectionString(AuroraDsqlTools.ProviderName, connectionString)</c> resolves
	/// the Aurora DSQL provider. The package registers the name when a C# project that references it starts (see
	/// <see cref="RegisterProvider"/>). A connection string without a password signs IAM tokens (keys <c>Region</c>,
	/// <c>Token Lifetime</c>, <c>Profile</c>); one with a password is used as is.
	/// </summary>
	public const string ProviderName = "AuroraDSQL";

	static int _registered;

	/// <summary>Default application name reported to the server: <c>linq2db-auroradsql/&lt;version&gt;</c>.</summary>
	public static string DefaultApplicationName { get; } =
		"linq2db-auroradsql/" + (typeof(AuroraDsqlTools).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

	/// <summary>The Aurora DSQL data provider (derived from linq2db's PostgreSQL provider, PostgreSQL 15 dialect).</summary>
	public static IDataProvider GetDataProvider()
	{
		RegisterProvider();
		return AuroraDsqlDataProvider.Instance;
	}

	/// <summary>
	/// Registers the provider with linq2db under <see cref="ProviderName"/> so configurations and connection strings naming it
	/// resolve. Idempotent; called by every <c>UseAuroraDsql</c> overload, when this assembly is first used, and by the
	/// module initializer the package adds to the C# projects that reference it (opt out with the MSBuild property
	/// <c>AuroraDsqlRegisterProvider=false</c>; then call this at start-up if code only names the provider).
	/// </summary>
	public static void RegisterProvider()
	{
		if (Interlocked.Exchange(ref _registered, 1) != 0)
			return;

		DataConnection.AddDataProvider(ProviderName, AuroraDsqlDataProvider.Instance);
		DataConnection.InsertProviderDetector(DetectProvider);
	}

	static IDataProvider? DetectProvider(ConnectionOptions options) =>
		string.Equals(options.ProviderName, ProviderName, StringComparison.OrdinalIgnoreCase)
		|| (string.IsNullOrEmpty(options.ProviderName) && string.Equals(options.ConfigurationString, ProviderName, StringComparison.OrdinalIgnoreCase))
			? AuroraDsqlDataProvider.Instance
			: null;

	/// <summary>
	/// Creates an <see cref="NpgsqlDataSource"/> for a cluster with IAM authentication (a fresh token per physical connection).
	/// The caller owns and disposes it; pass it to <c>UseAuroraDsql(dataSource)</c>.
	/// </summary>
	/// <param name="clusterEndpoint">Cluster endpoint, for example <c>abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws</c>.</param>
	/// <param name="configure">Adjusts the connection options (user, region, credentials, pool, TLS, …).</param>
	public static NpgsqlDataSource CreateDataSource(string clusterEndpoint, Func<AuroraDsqlConnectionOptions, AuroraDsqlConnectionOptions>? configure = null)
	{
		ArgumentNullException.ThrowIfNull(clusterEndpoint);

		var options = new AuroraDsqlConnectionOptions(clusterEndpoint);
		if (configure != null)
			options = configure(options);

		return DataSourceFactory.Create(options);
	}

	/// <summary>The cluster endpoint of a cluster id in a region: <c>&lt;id&gt;.dsql.&lt;region&gt;.on.aws</c>.</summary>
	public static string GetClusterEndpoint(string clusterId, string region)
	{
		ArgumentNullException.ThrowIfNull(clusterId);
		ArgumentException.ThrowIfNullOrWhiteSpace(region);

		if (!ClusterEndpoint.IsClusterId(clusterId))
			throw new ArgumentException($"'{clusterId}' is not an Aurora DSQL cluster id (26 lower-case letters and digits).", nameof(clusterId));

		return ClusterEndpoint.FromClusterId(clusterId, region);
	}

	/// <summary>The region of a cluster endpoint (<c>&lt;id&gt;.dsql.&lt;region&gt;.on.aws</c>), or <see langword="null"/>.</summary>
	public static string? TryGetRegionFromEndpoint(string clusterEndpoint)
	{
		ArgumentNullException.ThrowIfNull(clusterEndpoint);
		return ClusterEndpoint.TryParseRegion(clusterEndpoint);
	}

#pragma warning disable CA2255 // registering by name must work for applications that only name the provider in configuration
	[ModuleInitializer]
	[SuppressMessage("Usage", "CA2255", Justification = "Provider registration by name.")]
	internal static void RegisterOnLoad() => RegisterProvider();
#pragma warning restore CA2255
}
