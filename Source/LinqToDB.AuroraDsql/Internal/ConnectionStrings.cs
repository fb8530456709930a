using System.Collections.Concurrent;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>Applies the settings every DSQL connection needs to connection strings given by the user.</summary>
static class ConnectionStrings
{
	static readonly ConcurrentDictionary<string, string> _normalized = new(StringComparer.Ordinal);

	/// <summary>
	/// <c>Enlist=false</c> (DSQL has no two-phase commit) and <c>No Reset On Close=true</c> (no <c>DISCARD ALL</c> on pool
	/// return). The result is cached so one input string keeps mapping to one Npgsql pool.
	/// </summary>
	public static string Normalize(string connectionString) =>
		_normalized.GetOrAdd(connectionString, static cs =>
		{
			var builder = new NpgsqlConnectionStringBuilder(cs);
			ApplyInvariants(builder);
			return builder.ConnectionString;
		});

	public static void ApplyInvariants(NpgsqlConnectionStringBuilder builder)
	{
		builder.Enlist         = false;
		builder.NoResetOnClose = true;
	}
}
