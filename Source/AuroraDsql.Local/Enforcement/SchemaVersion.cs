namespace AuroraDsql.Local.Enforcement;

/// <summary>
/// Counts committed schema changes (DDL transactions, finished async jobs) across all sessions of an endpoint. A
/// transaction remembers the version it began at; a writing transaction that commits after the version moved on fails
/// with OC001, as on DSQL.
/// </summary>
sealed class SchemaVersion
{
	long _current;

	/// <summary>The number of schema changes committed so far.</summary>
	public long Current => Interlocked.Read(ref _current);

	/// <summary>A schema change committed.</summary>
	public void Bump() => Interlocked.Increment(ref _current);
}
