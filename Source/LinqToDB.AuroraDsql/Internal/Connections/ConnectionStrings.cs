using LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Connections;

/// <summary>Applies the settings every DSQL connection needs to connection strings given by the user.</summary>
static class ConnectionStrings
{
	/// <summary>
	/// <c>No Reset On Close=true</c> (no <c>DISCARD ALL</c> on pool return). <c>Enlist</c> is left as given (Npgsql's
	/// default is <see langword="true"/>): the provider's connections enlist in an ambient <c>TransactionScope</c> within
	/// DSQL's rules (see <see cref="AmbientTransactions"/>). Deterministic, so one input string keeps mapping to one Npgsql
	/// pool; not cached, because the strings carry tokens that change.
	/// </summary>
	public static string Normalize(string connectionString)
	{
		var builder = new NpgsqlConnectionStringBuilder(connectionString);
		ApplyInvariants(builder);
		return builder.ConnectionString;
	}

	public static void ApplyInvariants(NpgsqlConnectionStringBuilder builder) => builder.NoResetOnClose = true;
}
