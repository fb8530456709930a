using System.Diagnostics;

using LinqToDB.Data;

using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>How a chunked bulk copy reports: a span per chunk, counts and logs, progress callbacks, and failed chunks in terms of the source.</summary>
sealed partial class ChunkedBulkCopy
{
	/// <summary>Starts the span of one chunk: <c>BulkCopy &lt;table&gt;</c>, with the chunk's place in the source.</summary>
	static Activity? StartChunk<T>(Plan<T> plan, IReadOnlyCollection<T> chunk)
		where T : notnull
	{
		var activity = Telemetry.Start("BulkCopy " + plan.TableName);
		if (activity is { IsAllDataRequested: true })
		{
			activity.SetTag(Telemetry.OperationTag, "BulkCopy");
			activity.SetTag(Telemetry.CollectionTag, plan.TableName);
			activity.SetTag("db.aurora_dsql.chunk.start_index", chunk is SourceChunk<T> source ? source.StartIndex : 0);
			activity.SetTag("db.aurora_dsql.chunk.rows", chunk.Count);
		}

		return activity;
	}

	/// <summary>Reports a committed chunk; returns <see langword="true"/> when the progress callback asked to abort.</summary>
	static bool ChunkCommitted<T>(Plan<T> plan, Activity? activity, IReadOnlyCollection<T> chunk, Progress<T> progress)
		where T : notnull
	{
		Telemetry.Succeeded(activity, "committed");
		Telemetry.RowsCopied.Add(chunk.Count, new KeyValuePair<string, object?>(Telemetry.CollectionTag, plan.TableName));

		var (abort, total) = progress.Add(chunk.Count);
		var start          = chunk is SourceChunk<T> source ? source.StartIndex : 0;
		plan.Logger.ChunkCommitted(plan.TableName, start, start + chunk.Count - 1, chunk.Count, total);
		return abort;
	}

	static BulkCopyRowsCopied Finished<T>(Plan<T> plan, Progress<T> progress)
		where T : notnull
	{
		plan.Logger.Finished(plan.TableName, progress.Result.RowsCopied, progress.Chunks);
		return progress.Result;
	}

	static readonly System.Text.RegularExpressions.Regex CopyLine = new(@"^COPY [^,]*, line (\d+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

	/// <summary>
	/// The error of a failed chunk in terms of the source: which rows the chunk held, which row the server named (a COPY
	/// names the line it failed on, counted within the chunk), and how many rows earlier chunks committed.
	/// </summary>
	static AuroraDsqlBulkCopyException ChunkFailed<T>(Plan<T> plan, Activity? activity, IReadOnlyCollection<T> chunk, Exception error, long committed)
		where T : notnull
	{
		var start = chunk is SourceChunk<T> source ? source.StartIndex : 0;
		Telemetry.Failed(activity, "failed", error);
		plan.Logger.ChunkFailed(plan.TableName, start, start + chunk.Count - 1, Telemetry.SqlState(error) ?? "none", committed);

		var server = error as PostgresException ?? error.InnerException as PostgresException
			?? (error is AuroraDsqlRetryLimitExceededException { AttemptErrors: [.., var last] } ? last as PostgresException : null);

		long? row = null;
		var line = server?.Where is { } where ? CopyLine.Match(where) : null;
		if (line is { Success: true } && long.TryParse(line.Groups[1].ValueSpan, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
			&& number >= 1 && number <= chunk.Count)
			row = start + number - 1;

		var message = new System.Text.StringBuilder();
		message.Append(System.Globalization.CultureInfo.InvariantCulture,
			$"Bulk copy into {plan.Table.TableName} failed in the chunk of source rows {start:N0} to {start + chunk.Count - 1:N0} (0-based)");
		if (row is { } failed)
			message.Append(System.Globalization.CultureInfo.InvariantCulture, $", at source row {failed:N0} (line {failed - start + 1:N0} of the chunk's COPY)");
		message.Append(": ").Append(FirstLine(error.Message)).Append(". ");
		message.Append(System.Globalization.CultureInfo.InvariantCulture,
			$"{committed:N0} rows were committed by {(plan.Parallelism > 1 ? "other" : "earlier")} chunks; the failed chunk was rolled back.");

		return new AuroraDsqlBulkCopyException(message.ToString(), error, committed, start, chunk.Count, row);
	}

	static string FirstLine(string message)
	{
		var newline = message.IndexOf('\n', StringComparison.Ordinal);
		return (newline < 0 ? message : message[..newline]).TrimEnd().TrimEnd('.');
	}

	/// <summary>Counts committed rows and calls the <see cref="BulkCopyOptions.RowsCopiedCallback"/> every <see cref="BulkCopyOptions.NotifyAfter"/> rows.</summary>
	sealed class Progress<T>(Plan<T> plan)
		where T : notnull
	{
		readonly object _lock = new();

		public BulkCopyRowsCopied Result { get; } = new();

		/// <summary>Chunks committed.</summary>
		public int Chunks { get; private set; }

		/// <summary>Adds committed rows; returns whether the callback asked to abort, and the rows committed so far.</summary>
		public (bool Abort, long Total) Add(int rows)
		{
			lock (_lock)
			{
				var before = Result.RowsCopied;
				Result.RowsCopied += rows;
				Chunks++;

				var notifyAfter = plan.BulkOptions.NotifyAfter;
				if (notifyAfter > 0 && plan.BulkOptions.RowsCopiedCallback is { } callback && before / notifyAfter != Result.RowsCopied / notifyAfter)
					callback(Result);

				return (Result.Abort, Result.RowsCopied);
			}
		}
	}
}
