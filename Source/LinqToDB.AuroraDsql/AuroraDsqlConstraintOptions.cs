namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// Options of a constraint added to an existing table the DSQL way: <c>ALTER TABLE … ADD CONSTRAINT … NOT VALID</c>, then
/// <c>ALTER TABLE ASYNC … VALIDATE CONSTRAINT</c> (an asynchronous job checking the existing rows).
/// </summary>
public sealed record AuroraDsqlConstraintOptions
{
	/// <summary>Foreign keys: action when the referenced row is deleted.</summary>
	public AuroraDsqlReferentialAction OnDelete { get; init; }

	/// <summary>Foreign keys: action when the referenced key is updated.</summary>
	public AuroraDsqlReferentialAction OnUpdate { get; init; }

	/// <summary>Start the asynchronous validation of existing rows. Default <see langword="true"/>; new rows are checked either way.</summary>
	public bool Validate { get; init; } = true;

	/// <summary>Wait for the validation job; a failed validation throws <see cref="AuroraDsqlJobFailedException"/>.</summary>
	public bool WaitForValidation { get; init; }

	/// <summary>Longest wait when <see cref="WaitForValidation"/> is set; <see langword="null"/> waits until the job ends.</summary>
	public TimeSpan? WaitTimeout { get; init; }
}
