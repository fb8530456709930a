namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// Names under which the provider reports what it does: an <see cref="System.Diagnostics.ActivitySource"/> (spans for
/// transaction attempts, bulk copy chunks, batches and job waits), a <see cref="System.Diagnostics.Metrics.Meter"/>
/// (conflicts, retries, rows copied, batches) and the categories of its <c>ILogger</c> messages. Pass them to
/// OpenTelemetry (<c>AddSource</c>, <c>AddMeter</c>) or to a logging filter.
/// </summary>
public static class AuroraDsqlDiagnostics
{
	/// <summary>Name of the provider's <see cref="System.Diagnostics.ActivitySource"/>: <c>LinqToDB.AuroraDsql</c>.</summary>
	public const string ActivitySourceName = "LinqToDB.AuroraDsql";

	/// <summary>Name of the provider's <see cref="System.Diagnostics.Metrics.Meter"/>: <c>LinqToDB.AuroraDsql</c>.</summary>
	public const string MeterName = "LinqToDB.AuroraDsql";

	/// <summary>
	/// Prefix of the provider's logger categories: <c>LinqToDB.AuroraDsql.Transactions</c> (attempts, conflicts, retries),
	/// <c>.Batches</c> (batched deletes, updates and truncates), <c>.BulkCopy</c> (chunks), <c>.Schema</c> (DDL and job
	/// waits) and <c>.Commands</c> (commands refused before sending).
	/// </summary>
	public const string LoggerCategoryPrefix = "LinqToDB.AuroraDsql";
}
