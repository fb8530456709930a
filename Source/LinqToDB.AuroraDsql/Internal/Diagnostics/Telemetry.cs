using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

using LinqToDB.DataProvider.AuroraDsql;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;

/// <summary>
/// The provider's <see cref="ActivitySource"/> and <see cref="Meter"/>. Spans follow OpenTelemetry's database conventions
/// where they apply (<c>db.system.name</c>, <c>db.collection.name</c>, <c>db.operation.name</c>,
/// <c>db.response.status_code</c>, <c>error.type</c>) and name the rest <c>db.aurora_dsql.*</c>, as Npgsql names its own
/// <c>db.npgsql.*</c>. The spans are logical operations (kind Internal) around Npgsql's command spans.
/// </summary>
static class Telemetry
{
	static readonly string Version =
		typeof(Telemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

	public static readonly ActivitySource Source = new(AuroraDsqlDiagnostics.ActivitySourceName, Version);

	static readonly Meter Meter = new(AuroraDsqlDiagnostics.MeterName, Version);

	public static readonly Counter<long> Conflicts = Meter.CreateCounter<long>(
		"db.client.operation.aurora_dsql.conflicts", "{conflict}",
		"Optimistic-concurrency conflicts (SQLSTATE 40001, OC000/OC001) the provider saw.");

	public static readonly Counter<long> Retries = Meter.CreateCounter<long>(
		"db.client.operation.aurora_dsql.retries", "{retry}",
		"Transactions and statements the provider ran again after a retryable error.");

	public static readonly Counter<long> RowsCopied = Meter.CreateCounter<long>(
		"db.client.operation.aurora_dsql.rows_copied", "{row}",
		"Rows committed by chunked bulk copies.");

	public static readonly Counter<long> Batches = Meter.CreateCounter<long>(
		"db.client.operation.aurora_dsql.batches", "{batch}",
		"Batches committed by DeleteInBatches, UpdateInBatches and Truncate.");

	public static readonly Counter<long> BatchRows = Meter.CreateCounter<long>(
		"db.client.operation.aurora_dsql.batch_rows", "{row}",
		"Rows changed by the batches of DeleteInBatches, UpdateInBatches and Truncate.");

	public static readonly Histogram<double> JobWaitDuration = Meter.CreateHistogram<double>(
		"db.client.operation.aurora_dsql.job_wait.duration", "s",
		"How long the provider waited for asynchronous jobs (index builds, constraint validations).");

	public const string SystemName      = "postgresql";
	public const string OutcomeTag      = "db.aurora_dsql.outcome";
	public const string StatusCodeTag   = "db.response.status_code";
	public const string ConflictCodeTag = "db.aurora_dsql.conflict_code";
	public const string OperationTag    = "db.operation.name";
	public const string CollectionTag   = "db.collection.name";

	/// <summary>Starts a span of the provider, with the tags every one of them has.</summary>
	public static Activity? Start(string name)
	{
		var activity = Source.StartActivity(name, ActivityKind.Internal);
		activity?.SetTag("db.system.name", SystemName);
		return activity;
	}

	/// <summary>Ends a span that succeeded.</summary>
	public static void Succeeded(Activity? activity, string outcome)
	{
		if (activity is null)
			return;

		activity.SetTag(OutcomeTag, outcome);
		activity.Dispose();
	}

	/// <summary>Ends a span that failed (or was cancelled): outcome, SQLSTATE, error type, and the error as an event.</summary>
	public static void Failed(Activity? activity, string outcome, Exception error)
	{
		if (activity is null)
			return;

		activity.SetTag(OutcomeTag, outcome);

		if (error is OperationCanceledException)
		{
			activity.SetTag("error.type", error.GetType().FullName);
			activity.SetStatus(ActivityStatusCode.Error, "cancelled");
		}
		else
		{
			var sqlState = SqlState(error);
			if (sqlState != null)
				activity.SetTag(StatusCodeTag, sqlState);
			if (ConflictCode(error) is { } code)
				activity.SetTag(ConflictCodeTag, code);

			activity.SetTag("error.type", sqlState ?? error.GetType().FullName);
			activity.SetStatus(ActivityStatusCode.Error, FirstLine(error.Message));
			activity.AddException(error);
		}

		activity.Dispose();
	}

	/// <summary>Counts a conflict, when <paramref name="error"/> is one.</summary>
	public static void CountConflict(Exception error, string operation)
	{
		if (!AuroraDsqlErrors.IsOptimisticConcurrencyConflict(error))
			return;

		Conflicts.Add(1,
			new KeyValuePair<string, object?>(ConflictCodeTag, ConflictCode(error) ?? "unknown"),
			new KeyValuePair<string, object?>(OperationTag, operation));
	}

	/// <summary>Counts a retry after <paramref name="error"/>.</summary>
	public static void CountRetry(Exception error, string operation) =>
		Retries.Add(1,
			new KeyValuePair<string, object?>(StatusCodeTag, SqlState(error) ?? "none"),
			new KeyValuePair<string, object?>(OperationTag, operation));

	/// <summary>The SQLSTATE of the server error inside <paramref name="error"/>, if there is one.</summary>
	public static string? SqlState(Exception? error)
	{
		for (var depth = 0; error != null && depth < 16; depth++)
		{
			switch (error)
			{
				case PostgresException pg:
					return pg.SqlState;
				case AuroraDsqlRetryLimitExceededException { AttemptErrors: [.., var last] }:
					error = last;
					continue;
			}

			error = error.InnerException;
		}

		return null;
	}

	/// <summary>DSQL's conflict code (<c>OC000</c>, <c>OC001</c>) in a conflict's message, if there is one.</summary>
	public static string? ConflictCode(Exception error) =>
		AuroraDsqlErrors.IsSchemaChangeConflict(error) ? AuroraDsqlErrors.SchemaConflictCode
		: AuroraDsqlErrors.IsOptimisticConcurrencyConflict(error) ? (MentionsDataConflict(error) ? AuroraDsqlErrors.DataConflictCode : null)
		: null;

	static bool MentionsDataConflict(Exception? error)
	{
		for (var depth = 0; error != null && depth < 16; depth++, error = error.InnerException)
			if (error.Message.Contains("(" + AuroraDsqlErrors.DataConflictCode + ")", StringComparison.Ordinal))
				return true;

		return false;
	}

	public static string FirstLine(string message)
	{
		var newline = message.IndexOf('\n', StringComparison.Ordinal);
		return (newline < 0 ? message : message[..newline]).TrimEnd();
	}
}
