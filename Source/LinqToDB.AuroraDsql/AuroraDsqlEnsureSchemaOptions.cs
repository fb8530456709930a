namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>Options of <c>EnsureSchema</c>/<c>EnsureSchemaAsync</c>.</summary>
public sealed record AuroraDsqlEnsureSchemaOptions
{
	/// <summary>Wait for the index builds; a failed build throws <see cref="AuroraDsqlJobFailedException"/>.</summary>
	public bool WaitForIndexes { get; init; }

	/// <summary>Longest wait for each build when <see cref="WaitForIndexes"/> is set; <see langword="null"/> waits until it ends.</summary>
	public TimeSpan? WaitTimeout { get; init; }

	/// <summary>
	/// Told of each step: the table ensured, each index build submitted (or found in place), and, with
	/// <see cref="WaitForIndexes"/>, each change of a build's status. Default <see langword="null"/>.
	/// </summary>
	public IProgress<AuroraDsqlSchemaProgress>? Progress { get; init; }
}
