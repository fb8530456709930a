using System.Diagnostics;

using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;

using Microsoft.Extensions.Logging;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

/// <summary>
/// One run of a batched operation (<c>InsertInBatches</c>, <c>DeleteInBatches</c>, <c>UpdateInBatches</c>, <c>Truncate</c>): each batch is a span
/// and, once committed, a progress report, a log message and a count; a failure or cancellation after some batches
/// committed says how many rows they hold (<see cref="AuroraDsqlBatchException"/>, <see cref="AuroraDsqlOperationCanceledException"/>).
/// </summary>
sealed class BatchLoop
{
	readonly string                                 _operation;
	readonly string                                 _table;
	readonly ILogger                                _logger;
	readonly IProgress<AuroraDsqlBatchProgress>?    _progress;

	public BatchLoop(string operation, string table, AuroraDsqlOptions options, IProgress<AuroraDsqlBatchProgress>? progress)
	{
		_operation = operation;
		_table     = table;
		_logger    = ProviderLoggers.For(options, ProviderLoggers.Batches);
		_progress  = progress ?? options.BatchProgress;
	}

	public int  Batches       { get; private set; }
	public long RowsCommitted { get; private set; }

	/// <summary>Runs batches (each one committed transaction) until one touches fewer rows than the batch size.</summary>
	public int Run(int batchSize, Func<int> runBatch)
	{
		while (true)
		{
			var rows = RunBatch(runBatch);
			if (rows < batchSize)
				return Finish();
		}
	}

	/// <summary>Runs batches (each one committed transaction) until one touches fewer rows than the batch size.</summary>
	public async Task<int> RunAsync(int batchSize, Func<CancellationToken, Task<int>> runBatch, CancellationToken cancellationToken)
	{
		while (true)
		{
			var rows = await RunBatchAsync(runBatch, cancellationToken).ConfigureAwait(false);
			if (rows < batchSize)
				return Finish();
		}
	}

	/// <summary>
	/// Runs one batch and reports it. A failure that <paramref name="startsOver"/> accepts is thrown as it is (the caller
	/// runs the batch again differently); other server failures become <see cref="AuroraDsqlBatchException"/>.
	/// </summary>
	public int RunBatch(Func<int> runBatch, Func<Exception, bool>? startsOver = null)
	{
		var activity = Start();

		try
		{
			var rows = runBatch();
			Committed(activity, rows);
			return rows;
		}
		catch (Exception ex) when (startsOver?.Invoke(ex) == true)
		{
			Telemetry.Failed(activity, "retry", ex);
			throw;
		}
		catch (Exception ex) when (IsBatchFailure(ex))
		{
			throw Failed(activity, ex);
		}
		catch (Exception ex)
		{
			Telemetry.Failed(activity, "failed", ex);
			throw;
		}
	}

	/// <summary>Runs one batch and reports it; see <see cref="RunBatch"/>. A cancellation becomes <see cref="AuroraDsqlOperationCanceledException"/>.</summary>
	public async Task<int> RunBatchAsync(Func<CancellationToken, Task<int>> runBatch, CancellationToken cancellationToken, Func<Exception, bool>? startsOver = null)
	{
		var activity = Start();

		try
		{
			cancellationToken.ThrowIfCancellationRequested();

			var rows = await runBatch(cancellationToken).ConfigureAwait(false);
			Committed(activity, rows);
			return rows;
		}
		catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
		{
			throw Cancelled(activity, ex, cancellationToken);
		}
		catch (Exception ex) when (startsOver?.Invoke(ex) == true)
		{
			Telemetry.Failed(activity, "retry", ex);
			throw;
		}
		catch (Exception ex) when (IsBatchFailure(ex))
		{
			throw Failed(activity, ex);
		}
		catch (Exception ex)
		{
			Telemetry.Failed(activity, "failed", ex);
			throw;
		}
	}

	/// <summary>The server (or the retries) failed a batch: not the client's own checks or translation.</summary>
	public static bool IsBatchFailure(Exception ex) =>
		ex is NpgsqlException or AuroraDsqlRowLimitExceededException or AuroraDsqlRetryLimitExceededException or AuroraDsqlAmbiguousCommitException or TimeoutException
			or LinqToDB.Data.RetryPolicy.RetryLimitExceededException;

	/// <summary>Logs the end of the operation; returns the rows it changed.</summary>
	public int Finish()
	{
		_logger.Finished(_operation, _table, RowsCommitted, Batches);
		return checked((int)RowsCommitted);
	}

	Activity? Start()
	{
		var activity = Telemetry.Start(_operation + " " + _table);
		if (activity is { IsAllDataRequested: true })
		{
			activity.SetTag(Telemetry.OperationTag, _operation);
			activity.SetTag(Telemetry.CollectionTag, _table);
			activity.SetTag("db.aurora_dsql.batch.number", Batches + 1);
		}

		return activity;
	}

	void Committed(Activity? activity, int rows)
	{
		activity?.SetTag("db.aurora_dsql.batch.rows", rows);
		Telemetry.Succeeded(activity, "committed");

		if (rows == 0)
			return; // the closing batch that found nothing left: not a batch the caller needs to hear of

		Batches++;
		RowsCommitted += rows;

		var tags = new TagList { { Telemetry.OperationTag, _operation }, { Telemetry.CollectionTag, _table } };
		Telemetry.Batches.Add(1, tags);
		Telemetry.BatchRows.Add(rows, tags);

		_logger.BatchCommitted(_operation, _table, Batches, rows, RowsCommitted);
		_progress?.Report(new AuroraDsqlBatchProgress(_operation, _table, Batches, rows, RowsCommitted));
	}

	AuroraDsqlBatchException Failed(Activity? activity, Exception error)
	{
		Telemetry.Failed(activity, "failed", error);
		_logger.BatchFailed(_operation, _table, Batches, RowsCommitted, Telemetry.SqlState(error) ?? "none");

		return new AuroraDsqlBatchException(
			$"{_operation} of {_table} failed in batch {Batches + 1:N0}: {Telemetry.FirstLine(error.Message).TrimEnd('.')}. " +
			$"{RowsCommitted:N0} rows were committed by the {Batches:N0} batches before it; the failed batch was rolled back.",
			error, _operation, _table, Batches, RowsCommitted);
	}

	/// <summary>A batch was rolled back because its range held too many rows: it is read again, smaller.</summary>
	public void Shrunk(int size) => _logger.BatchShrunk(_table, size);

	/// <summary>The operation was cancelled between batches.</summary>
	public AuroraDsqlOperationCanceledException Cancelled(OperationCanceledException error, CancellationToken cancellationToken) =>
		Cancelled(null, error, cancellationToken);

	AuroraDsqlOperationCanceledException Cancelled(Activity? activity, OperationCanceledException error, CancellationToken cancellationToken)
	{
		Telemetry.Failed(activity, "cancelled", error);
		_logger.Cancelled(_operation, _table, Batches, RowsCommitted);

		return new AuroraDsqlOperationCanceledException(
			$"{_operation} of {_table} was cancelled. {RowsCommitted:N0} rows were committed by the {Batches:N0} batches before it; the batch in progress was rolled back.",
			error, _operation, _table, RowsCommitted, cancellationToken);
	}
}
