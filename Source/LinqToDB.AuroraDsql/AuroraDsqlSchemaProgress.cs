namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>A step of <c>EnsureSchema</c>, reported to <see cref="AuroraDsqlEnsureSchemaOptions.Progress"/>.</summary>
/// <param name="Step">What happened.</param>
/// <param name="ObjectName">The table or index.</param>
/// <param name="Job">The index build job, for the index steps that have one.</param>
public sealed record AuroraDsqlSchemaProgress(AuroraDsqlSchemaStep Step, string ObjectName, AuroraDsqlJob? Job = null);
