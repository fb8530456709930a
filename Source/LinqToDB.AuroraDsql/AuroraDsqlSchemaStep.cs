namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>What an <see cref="AuroraDsqlSchemaProgress"/> of <c>EnsureSchema</c> reports.</summary>
public enum AuroraDsqlSchemaStep
{
	/// <summary>The table exists: created now, or already there (<c>CREATE TABLE IF NOT EXISTS</c>).</summary>
	TableEnsured,

	/// <summary>An index was missing: its asynchronous build was submitted (<see cref="AuroraDsqlSchemaProgress.Job"/>).</summary>
	IndexBuildSubmitted,

	/// <summary>An index was already there; nothing was submitted.</summary>
	IndexExists,

	/// <summary>While waiting for the builds (<see cref="AuroraDsqlEnsureSchemaOptions.WaitForIndexes"/>): a job's status changed.</summary>
	IndexBuildStatusChanged,
}
