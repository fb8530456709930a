using System.Data;

using System.Diagnostics;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;

using Microsoft.Extensions.Logging;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

/// <summary>
/// The retry loop behind <see cref="AuroraDsqlTransactionExtensions"/>, bulk copy chunks and batches. Every attempt is a
/// span (<c>InTransaction</c>, with its number, outcome and SQLSTATE), conflicts and retries are counted and logged.
/// </summary>
static class TransactionRunner
{
	public const string InTransaction = "InTransaction";

	/// <summary>One attempt as it is reported: its span and number.</summary>
	readonly record struct Attempt(Activity? Activity, int Number, string Operation, ILogger Logger);

	static Attempt StartAttempt(ILogger logger, int attempt, string operation)
	{
		var activity = Telemetry.Start(InTransaction);
		if (activity is { IsAllDataRequested: true })
		{
			activity.SetTag("db.aurora_dsql.attempt", attempt + 1);
			if (operation != InTransaction)
				activity.SetTag(Telemetry.OperationTag, operation);
		}

		logger.AttemptStarted(attempt + 1);
		return new Attempt(activity, attempt + 1, operation, logger);
	}

	static void Committed(Attempt attempt)
	{
		attempt.Logger.Committed(attempt.Number);
		Telemetry.Succeeded(attempt.Activity, "committed");
	}

	enum Failure
	{
		Retryable,
		Ambiguous,
		Fatal,
	}

	public static async Task<TResult> RunAsync<TResult>(
		DataConnection dataConnection, Func<DataConnection, CancellationToken, Task<TResult>> work, AuroraDsqlRetryOptions options, CancellationToken cancellationToken,
		string operation = InTransaction)
	{
		EnsureNoTransaction(dataConnection);

		var errors = new List<Exception>();
		var logger = ProviderLoggers.For(dataConnection.Options, ProviderLoggers.Transactions);

		for (var attempt = 0; ; attempt++)
		{
			cancellationToken.ThrowIfCancellationRequested();

			var db = attempt == 0 ? dataConnection : ConnectionFor(dataConnection);
			var report = StartAttempt(logger, attempt, operation);
			Exception error;
			Failure   failure;

			try
			{
				try
				{
					// Opening the connection happens here too: connection limits and network errors are retryable. The level is
					// explicit: on a connection the application passed in, Npgsql's default would be READ COMMITTED.
					await db.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
				}
				catch (Exception ex) when (ex is not OperationCanceledException)
				{
					ForgetTransaction(db);
					error   = ex;
					failure = Classify(ex, atCommit: false);
					goto Failed;
				}

				TResult result;

				try
				{
					result = await work(db, cancellationToken).ConfigureAwait(false);
				}
				catch (Exception ex) when (ex is not OperationCanceledException)
				{
					await TryRollbackAsync(db).ConfigureAwait(false);
					error   = ex;
					failure = Classify(ex, atCommit: false);
					goto Failed;
				}

				try
				{
					// A COMMIT is never cancelled half way: its outcome would be unknown.
					await db.CommitTransactionAsync(CancellationToken.None).ConfigureAwait(false);
					Committed(report);
					return result;
				}
				catch (Exception ex) when (ex is not OperationCanceledException)
				{
					await TryRollbackAsync(db).ConfigureAwait(false);
					error   = ex;
					failure = Classify(ex, atCommit: true);
				}
			}
			catch (OperationCanceledException ex)
			{
				await TryRollbackAsync(db).ConfigureAwait(false);
				Telemetry.Failed(report.Activity, "cancelled", ex);
				throw;
			}
			finally
			{
				if (!ReferenceEquals(db, dataConnection))
					await db.DisposeAsync().ConfigureAwait(false);
			}

		Failed:
			var delay = NextStep(error, failure, options, errors, attempt, report);
			await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
		}
	}

	public static TResult Run<TResult>(DataConnection dataConnection, Func<DataConnection, TResult> work, AuroraDsqlRetryOptions options, string operation = InTransaction)
	{
		EnsureNoTransaction(dataConnection);

		var errors = new List<Exception>();
		var logger = ProviderLoggers.For(dataConnection.Options, ProviderLoggers.Transactions);

		for (var attempt = 0; ; attempt++)
		{
			var db = attempt == 0 ? dataConnection : ConnectionFor(dataConnection);
			var report = StartAttempt(logger, attempt, operation);
			Exception error;
			Failure   failure;

			try
			{
				try
				{
					db.BeginTransaction(IsolationLevel.RepeatableRead);
				}
				catch (Exception ex)
				{
					ForgetTransaction(db);
					error   = ex;
					failure = Classify(ex, atCommit: false);
					goto Failed;
				}

				TResult result;

				try
				{
					result = work(db);
				}
				catch (Exception ex)
				{
					TryRollback(db);
					error   = ex;
					failure = Classify(ex, atCommit: false);
					goto Failed;
				}

				try
				{
					db.CommitTransaction();
					Committed(report);
					return result;
				}
				catch (Exception ex)
				{
					TryRollback(db);
					error   = ex;
					failure = Classify(ex, atCommit: true);
				}
			}
			finally
			{
				if (!ReferenceEquals(db, dataConnection))
					db.Dispose();
			}

		Failed:
			var delay = NextStep(error, failure, options, errors, attempt, report);
			Thread.Sleep(delay);
		}
	}

	static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Func<DataOptions, DataConnection>?> _factories = new();

	/// <summary>
	/// The connection for a retry: a new one of the caller's type (a typed <c>DataConnection</c> subclass with a
	/// <c>(DataOptions)</c> constructor keeps its type), or the caller's own connection when its options carry a fixed
	/// <c>DbConnection</c> that a new data connection would share.
	/// </summary>
	static DataConnection ConnectionFor(DataConnection original)
	{
		if (original.Options.ConnectionOptions.DbConnection != null || original.Options.ConnectionOptions.DbTransaction != null)
			return original;

		var factory = _factories.GetOrAdd(original.GetType(), static type =>
		{
			if (type == typeof(DataConnection))
				return null;

			var constructor = type.GetConstructor([typeof(DataOptions)]);
			return constructor is null ? null : options => (DataConnection)constructor.Invoke([options]);
		});

		return factory?.Invoke(original.Options) ?? new DataConnection(original.Options);
	}

	static void EnsureNoTransaction(DataConnection dataConnection)
	{
		if (dataConnection.Transaction != null)
			throw new AuroraDsqlNotSupportedException(
				"InTransaction starts and commits its own transaction, but this connection already has one open. " +
				"Aurora DSQL has no nested transactions or savepoints: call it on a connection without a transaction.");
	}

	static Failure Classify(Exception exception, bool atCommit)
	{
		// A COMMIT whose answer never came (a timeout, a broken connection) may or may not have applied.
		if (atCommit && exception is TimeoutException or NpgsqlException and not PostgresException)
			return Failure.Ambiguous;

		if (!AuroraDsqlErrors.IsTransient(exception))
			return Failure.Fatal;

		// A conflict at COMMIT means DSQL rolled the transaction back; anything else failing at COMMIT leaves it unknown.
		if (atCommit && !AuroraDsqlErrors.IsOptimisticConcurrencyConflict(exception))
			return Failure.Ambiguous;

		return Failure.Retryable;
	}

	/// <summary>
	/// Decides what follows a failed attempt: the delay before the next one, or the exception to throw. Ends the attempt's
	/// span with its outcome, and logs and counts what happened.
	/// </summary>
	static TimeSpan NextStep(Exception error, Failure failure, AuroraDsqlRetryOptions options, List<Exception> errors, int attempt, Attempt report)
	{
		var sqlState = Telemetry.SqlState(error) ?? "none";
		Telemetry.CountConflict(error, report.Operation);

		switch (failure)
		{
			case Failure.Fatal:
				report.Logger.Failed(report.Number, sqlState);
				Telemetry.Failed(report.Activity, "failed", error);
				System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
				break;
			case Failure.Ambiguous when !options.RetryAmbiguousCommit:
				report.Logger.AmbiguousCommit(report.Number, sqlState);
				Telemetry.Failed(report.Activity, "ambiguous", error);
				throw new AuroraDsqlAmbiguousCommitException(
					"COMMIT failed with an error that does not tell whether the transaction was applied, so the work was not run again " +
					"(it could apply twice). Check whether its effects are present, or make it idempotent and set RetryAmbiguousCommit = true.",
					error);
			case Failure.Ambiguous:
				report.Logger.AmbiguousCommitRetried(report.Number, sqlState);
				// Retried (the work is declared idempotent), but this attempt may have committed: the final error must say so.
				error = new AuroraDsqlAmbiguousCommitException(
					"COMMIT failed with an error that does not tell whether the transaction was applied; the work was run again (RetryAmbiguousCommit).",
					error);
				break;
		}

		errors.Add(error);

		if (attempt >= options.MaxRetries)
		{
			var mayHaveCommitted = errors.Any(e => e is AuroraDsqlAmbiguousCommitException);
			report.Logger.RetriesExhausted(errors.Count, sqlState, mayHaveCommitted ? "; an attempt may have committed" : "");
			Telemetry.Failed(report.Activity, "failed", error);
			throw new AuroraDsqlRetryLimitExceededException(
				$"The transaction failed {errors.Count} times with retryable errors (last: {FirstLine((error.InnerException ?? error).Message)}). " +
				(mayHaveCommitted
					? "The work may nevertheless have been committed (by an attempt whose COMMIT failed without telling whether it applied, see MayHaveCommitted): check whether its effects are present before running it again. "
					: "") +
				"See AttemptErrors for every attempt; consider more retries, or less contention on the same rows.",
				errors.ToArray());
		}

		var delay = options.GetDelay(attempt);
		var code  = Telemetry.ConflictCode(error);
		report.Logger.Retrying(report.Number, sqlState, code is null ? "" : ", " + code, FirstLine((error.InnerException is PostgresException pg ? pg : error).Message), (long)delay.TotalMilliseconds);
		Telemetry.CountRetry(error, report.Operation);
		Telemetry.Failed(report.Activity, "retry", error);
		options.OnRetry?.Invoke(error, attempt + 1, delay);
		return delay;
	}

	static string FirstLine(string message)
	{
		var newline = message.IndexOf('\n', StringComparison.Ordinal);
		return newline < 0 ? message : message[..newline].TrimEnd();
	}

	static async Task TryRollbackAsync(DataConnection db)
	{
		try
		{
			if (db.Transaction != null)
				await db.RollbackTransactionAsync().ConfigureAwait(false);
		}
		catch (Exception ex) when (ex is not OutOfMemoryException)
		{
			// The connection is broken; the attempt's own error is what matters.
		}
		finally
		{
			ForgetTransaction(db);
		}
	}

	static void TryRollback(DataConnection db)
	{
		try
		{
			if (db.Transaction != null)
				db.RollbackTransaction();
		}
		catch (Exception ex) when (ex is not OutOfMemoryException)
		{
			// The connection is broken; the attempt's own error is what matters.
		}
		finally
		{
			ForgetTransaction(db);
		}
	}

	/// <summary>After a failed COMMIT or ROLLBACK the data connection still holds the dead transaction: drop it so the connection stays usable.</summary>
	static void ForgetTransaction(DataConnection db)
	{
		try
		{
			db.DisposeTransaction();
		}
		catch (Exception ex) when (ex is not OutOfMemoryException)
		{
			// nothing left to release
		}
	}
}
