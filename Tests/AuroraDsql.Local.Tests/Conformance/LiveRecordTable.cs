namespace AuroraDsql.Local.Tests.Conformance;

/// <summary>A table of the recording's schema: the statements that create and fill it, and the tables it references.</summary>
sealed record LiveRecordTable(string Name, IReadOnlyList<string> Requires, IReadOnlyList<string> Sql);
