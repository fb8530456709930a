using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.PostgreSQL;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>Bulk copy for Aurora DSQL: never more rows in one statement than one DSQL transaction may modify.</summary>
sealed class AuroraDsqlBulkCopy(AuroraDsqlDataProvider provider) : PostgreSQLBulkCopy(provider)
{
	protected override int? MaxMultipleRows => AuroraDsqlOptions.DsqlMaxRowsPerTransaction;
}
