namespace LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

/// <summary>One key part of an index: a quoted column or a parenthesized expression, with optional NULLS FIRST/LAST.</summary>
sealed record IndexKey(string Sql, string? Nulls);
