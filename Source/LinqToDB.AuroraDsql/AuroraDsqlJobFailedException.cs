namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// An asynchronous DSQL job (index build, constraint validation) failed. <see cref="Job"/> carries DSQL's details.
/// A failed index build leaves an invalid index that should be dropped (a failed unique index still enforces uniqueness).
/// </summary>
public sealed class AuroraDsqlJobFailedException : Exception
{
	/// <summary>Creates the exception.</summary>
	public AuroraDsqlJobFailedException() : base("An Aurora DSQL job failed.") { }

	/// <summary>Creates the exception.</summary>
	public AuroraDsqlJobFailedException(string message) : base(message) { }

	/// <summary>Creates the exception.</summary>
	public AuroraDsqlJobFailedException(string message, Exception innerException) : base(message, innerException) { }

	/// <summary>Creates the exception for a failed job.</summary>
	public AuroraDsqlJobFailedException(AuroraDsqlJob job)
		: base($"Aurora DSQL job {job?.JobId} ({job?.JobType ?? "job"} of {job?.ObjectName ?? "an object"}) failed: {job?.Details ?? "no details"}.")
	{
		Job = job;
	}

	/// <summary>The failed job.</summary>
	public AuroraDsqlJob? Job { get; }
}
