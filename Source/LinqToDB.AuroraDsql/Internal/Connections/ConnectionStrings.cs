using System.Collections.Concurrent;
using System.Data.Common;

using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Connections;

/// <summary>
/// Connections for connection strings given to the provider (by name, from configuration, or through
/// <c>UseAuroraDsqlConnectionString</c>), and the settings every DSQL connection needs.
/// </summary>
static class ConnectionStrings
{
	/// <summary>The data source of each distinct connection string without a password (those sign IAM tokens).</summary>
	static readonly ConcurrentDictionary<string, NpgsqlDataSource> _tokenDataSources = new(StringComparer.Ordinal);

	/// <summary>
	/// A connection for <paramref name="connectionString"/> (see <see cref="ParsedConnectionString"/> for its keys).
	/// <list type="bullet">
	/// <item>Without <c>Password</c>: a connection of the pooled data source of that connection string (one per distinct
	/// string, shared with <c>UseAuroraDsql</c> for the same settings), which signs a fresh IAM token for every physical
	/// connection from the AWS credential chain (or <c>Profile</c>), as <c>UseAuroraDsql</c> does with its defaults
	/// under the string's keys.</item>
	/// <item>With <c>Password</c>: an Npgsql connection with that password, the string as given but for
	/// <see cref="ApplyInvariants"/> (deterministic, so one string keeps mapping to one Npgsql pool).</item>
	/// </list>
	/// Bad keys throw <see cref="ArgumentException"/> before anything is sent.
	/// </summary>
	public static DbConnection CreateConnection(string connectionString)
	{
		if (_tokenDataSources.TryGetValue(connectionString, out var dataSource))
			return new AuroraDsqlConnection(dataSource.CreateConnection());

		var parsed = ParsedConnectionString.Parse(connectionString);

		if (parsed.HasPassword)
		{
			// Not cached: such strings usually carry tokens that change, and every distinct string would stay.
			ApplyInvariants(parsed.Npgsql);
			return new AuroraDsqlConnection(new NpgsqlConnection(parsed.Npgsql.ConnectionString));
		}

		return new AuroraDsqlConnection(TokenDataSource(connectionString, parsed).CreateConnection());
	}

	/// <summary>The data source of a connection string without a password (see <see cref="CreateConnection"/>).</summary>
	internal static NpgsqlDataSource TokenDataSource(string connectionString) =>
		_tokenDataSources.TryGetValue(connectionString, out var dataSource)
			? dataSource
			: TokenDataSource(connectionString, ParsedConnectionString.Parse(connectionString));

	static NpgsqlDataSource TokenDataSource(string connectionString, ParsedConnectionString parsed)
	{
		if (parsed.HasPassword)
			throw new ArgumentException("The connection string has a password: it is used as is, no token is signed.", nameof(connectionString));

		// A race builds the options twice; DataSourceFactory hands out one data source for both.
		return _tokenDataSources.GetOrAdd(connectionString, DataSourceFactory.GetOrCreate(parsed.ToConnectionOptions()));
	}

	/// <summary>
	/// <c>No Reset On Close=true</c> (no <c>DISCARD ALL</c> on pool return). <c>Enlist</c> is left as given (Npgsql's
	/// default is <see langword="true"/>): the provider's connections enlist in an ambient <c>TransactionScope</c> within
	/// DSQL's rules (see <see cref="AmbientTransactions"/>).
	/// </summary>
	public static void ApplyInvariants(NpgsqlConnectionStringBuilder builder) => builder.NoResetOnClose = true;
}
