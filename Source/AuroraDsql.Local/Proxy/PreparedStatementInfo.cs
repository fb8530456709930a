using AuroraDsql.Local.Classification;

namespace AuroraDsql.Local.Proxy;

/// <summary>What the proxy remembers of a prepared statement or portal that needs attention when executed.</summary>
sealed record PreparedStatementInfo(StatementPlan? Plan, TransactionControl Control, string? BoundJobId = null);
