namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// An Aurora DSQL asynchronous job (a row of <c>sys.jobs</c>): an index build (<c>CREATE INDEX ASYNC</c>) or a constraint
/// validation (<c>ALTER TABLE ASYNC … VALIDATE CONSTRAINT</c>).
/// </summary>
/// <param name="JobId">Job id: 26 lower-case base32 characters.</param>
/// <param name="Status"><c>submitted</c>, <c>processing</c>, <c>completed</c> or <c>failed</c>.</param>
/// <param name="Details">Why the job failed, for example <c>found duplicate key(s) while validating index uniqueness</c>.</param>
/// <param name="JobType"><c>INDEX_BUILD</c>, <c>VALIDATE_CONSTRAINT</c>, <c>ANALYZE</c> or <c>DROP</c>.</param>
/// <param name="ObjectName">The object the job works on, <c>schema.name</c>.</param>
/// <param name="StartTime">When the job started.</param>
/// <param name="UpdateTime">When the job's status last changed.</param>
public sealed record AuroraDsqlJob(
	string          JobId,
	string          Status,
	string?         Details    = null,
	string?         JobType    = null,
	string?         ObjectName = null,
	DateTimeOffset? StartTime  = null,
	DateTimeOffset? UpdateTime = null)
{
	/// <summary>Status of a job that succeeded.</summary>
	public const string Completed = "completed";

	/// <summary>Status of a job that failed.</summary>
	public const string Failed = "failed";

	/// <summary>The job has ended, successfully or not.</summary>
	public bool IsFinished => IsCompleted || IsFailed;

	/// <summary>The job succeeded: the index is valid, the constraint validated.</summary>
	public bool IsCompleted => string.Equals(Status, Completed, StringComparison.OrdinalIgnoreCase);

	/// <summary>The job failed; see <see cref="Details"/>. A failed index build leaves an invalid index behind.</summary>
	public bool IsFailed => string.Equals(Status, Failed, StringComparison.OrdinalIgnoreCase);
}
