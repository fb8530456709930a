using LinqToDB.Internal.DataProvider.PostgreSQL;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>Schema reader for Aurora DSQL.</summary>
class AuroraDsqlSchemaProvider(AuroraDsqlDataProvider provider) : PostgreSQLSchemaProvider(provider)
{
}
