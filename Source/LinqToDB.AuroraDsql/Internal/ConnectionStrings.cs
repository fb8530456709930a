using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>Applies the settings every DSQL connection needs to connection strings given by the user.</summary>
static class ConnectionStrings
{
	/// <summary>
	/// <c>Enlist=false</c> (DSQL has no two-phase commit) and <c>No Reset On Close=true</c> (no <c>DISCARD ALL</c> on pool
	/// return). Deterministic, so one input string keeps mapping to one Npgsql pool; not cached, because the strings carry
	/// tokens that change.
	/// </summary>
	public static string Normalize(string connectionString)
	{
		var builder = new NpgsqlConnectionStringBuilder(connectionString);
		ApplyInvariants(builder);
		return builder.ConnectionString;
	}

	public static void ApplyInvariants(NpgsqlConnectionStringBuilder builder)
	{
		builder.Enlist         = false;
		builder.NoResetOnClose = true;
	}
}
