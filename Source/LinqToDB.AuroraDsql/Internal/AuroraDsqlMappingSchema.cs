using LinqToDB.Internal.DataProvider.PostgreSQL;
using LinqToDB.Internal.Mapping;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>
/// The provider's own mapping schema ("AuroraDSQL"), layered over linq2db's PostgreSQL 15 schema so attributes and
/// functions configured for <c>ProviderName.PostgreSQL</c> keep applying.
/// </summary>
sealed class AuroraDsqlMappingSchema() : LockedMappingSchema(LinqToDB.DataProvider.AuroraDsql.AuroraDsqlTools.ProviderName, new PostgreSQLMappingSchema.PostgreSQL15MappingSchema())
{
	public static readonly AuroraDsqlMappingSchema Instance = new();
}
