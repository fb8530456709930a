using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.DataProvider.PostgreSQL;
using LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;
using LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;
using LinqToDB.Mapping;

using Microsoft.Extensions.Logging;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>
/// Bulk copy within DSQL's per-transaction limits. Outside an application transaction the rows are split into chunks of
/// at most <see cref="AuroraDsqlOptions.MaxRowsPerTransaction"/> rows and 90 % of
/// <see cref="AuroraDsqlOptions.MaxBytesPerTransaction"/> (estimated from the values), each committed on its own and
/// retried on conflicts, optionally over several connections (<see cref="BulkCopyOptions.MaxDegreeOfParallelism"/>).
/// Inside an application transaction (or an ambient TransactionScope) work that would exceed the limits is refused before
/// anything is sent. A chunk that fails ends the copy with <see cref="AuroraDsqlBulkCopyException"/>: the source rows of
/// the chunk, the row the server named, and how many rows were committed.
/// </summary>
sealed partial class ChunkedBulkCopy(AuroraDsqlBulkCopy copier)
{
	static readonly ConcurrentDictionary<string, bool> _binaryCopyRefused = new(StringComparer.Ordinal);

	#region Plan

	sealed class Plan<T>(ITable<T> table, DataOptions options, BulkCopyType type, AuroraDsqlOptions dsql, Func<T, long> estimateSize, BinaryCopyWriter<T>? writer)
		where T : notnull
	{
		public ITable<T>              Table       { get; } = table;
		public DataOptions            Options     { get; } = options;
		public BulkCopyOptions        BulkOptions { get; } = options.BulkCopyOptions;
		public BulkCopyType           Type        { get; set; } = type;
		public Func<T, long>          EstimateSize { get; } = estimateSize;
		// The binary COPY writer when the copy is a binary COPY and every column has one: sequential chunks are encoded ahead.
		public BinaryCopyWriter<T>?   Writer      { get; } = type == BulkCopyType.ProviderSpecific ? writer : null;
		public AuroraDsqlRetryOptions Retry       { get; } = dsql.RetryOptions;
		public int                    MaxRows     { get; } = Math.Min(dsql.MaxRowsPerTransaction, options.BulkCopyOptions.MaxBatchSize is > 0 and var b ? b : int.MaxValue);
		public long                   MaxBytes    { get; } = dsql.MaxBytesPerTransaction * 9 / 10;
		// Workers need connections of their own: options holding one fixed connection (or transaction) copy sequentially.
		public int                    Parallelism { get; } = options.ConnectionOptions is { DbConnection: null, DbTransaction: null }
			? Math.Max(1, options.BulkCopyOptions.MaxDegreeOfParallelism ?? 1)
			: 1;
		public int                    TransactionMaxRows { get; } = dsql.MaxRowsPerTransaction;
		public string                 TableName   { get; } = table.TableName;
		public ILogger                Logger      { get; } = ProviderLoggers.For(dsql, ProviderLoggers.BulkCopy);

		// Each chunk is one statement batch in one transaction; progress is reported here, not by the per-chunk copy.
		public DataOptions ChunkOptions { get; } = options.WithOptions(options.BulkCopyOptions with
		{
			NotifyAfter            = 0,
			RowsCopiedCallback     = null,
			MaxDegreeOfParallelism = null,
			MaxBatchSize           = dsql.MaxRowsPerTransaction,
		});

		public ITable<T> TableFor(DataConnection db) => TableFactory<T>.Rebind(Table, db);

		/// <summary>
		/// The rows per chunk for a source of <paramref name="count"/> rows (when known without reading it). Copied over
		/// several connections, the chunks are made equal, as many as the fewest rounds of <see cref="Parallelism"/> chunks
		/// at once need: 10,000 rows over 4 connections are 4 × 2,500, not 3,000, 3,000, 3,000 and 1,000 (which leave one
		/// worker with a third of the work and bound the copy at 3.3 times one connection's speed). A chunk is not made
		/// smaller than <see cref="MinRowsPerParallelChunk"/> rows for it: below that its round trips and commit outweigh its
		/// rows. Sequential copies keep full chunks (the fewest transactions).
		/// </summary>
		public int RowsPerChunk(int? count)
		{
			if (Parallelism <= 1 || count is not { } rows || rows <= 0)
				return MaxRows;

			var fewest = (rows + MaxRows - 1) / MaxRows;
			var rounds = (fewest + Parallelism - 1) / Parallelism;
			var chunks = Math.Max(fewest, Math.Min(rounds * Parallelism, rows / MinRowsPerParallelChunk));
			return Math.Min(MaxRows, (rows + chunks - 1) / chunks);
		}
	}

	/// <summary>The smallest chunk a copy over several connections is split into to give every connection an equal share.</summary>
	internal const int MinRowsPerParallelChunk = 500;

	static Plan<T> CreatePlan<T>(BulkCopyType type, ITable<T> table, DataOptions options)
		where T : notnull
	{
		var dsql       = options.FindOrDefault(AuroraDsqlOptions.Default);
		var descriptor = table.DataContext.MappingSchema.GetEntityDescriptor(typeof(T), options.ConnectionOptions.OnEntityDescriptorCreated);
		var keepIdentity = options.BulkCopyOptions.KeepIdentity == true;
		var columns    = descriptor.Columns.Where(c => !c.SkipOnInsert || (keepIdentity && c.IsIdentity)).ToArray();

		// The typed getters of the binary writer, where there is one, measure rows without boxing their values.
		var normalize  = options.FindOrDefault(PostgreSQLOptions.Default).NormalizeTimestampData;
		var estimator  = new RowSizeEstimator(columns);
		var writer     = BinaryCopyWriter<T>.For(descriptor, columns, keepIdentity, normalize);
		Func<T, long> estimateSize = writer is not null
			? writer.Size
			: row => estimator.Estimate(row);

		return new Plan<T>(table, options, type, dsql, estimateSize, writer);
	}

	#endregion

	#region Chunking

	static IEnumerable<List<T>> Chunk<T>(Plan<T> plan, IEnumerable<T> source)
		where T : notnull
	{
		var chunk = new SourceChunk<T>(0);
		long bytes = 0;
		long read  = 0;
		var maxRows = plan.RowsPerChunk(source.TryGetNonEnumeratedCount(out var count) ? count : null);

		foreach (var row in source)
		{
			var size = RowSize(plan, row);

			if (chunk.Count > 0 && (chunk.Count >= maxRows || bytes + size > plan.MaxBytes))
			{
				yield return chunk;
				chunk = new SourceChunk<T>(read);
				bytes = 0;
			}

			chunk.Add(row);
			bytes += size;
			read++;
		}

		if (chunk.Count > 0)
			yield return chunk;
	}

	static async IAsyncEnumerable<List<T>> ChunkAsync<T>(Plan<T> plan, IAsyncEnumerable<T> source, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
		where T : notnull
	{
		var chunk = new SourceChunk<T>(0);
		long bytes = 0;
		long read  = 0;

		await foreach (var row in source.WithCancellation(cancellationToken).ConfigureAwait(false))
		{
			var size = RowSize(plan, row);

			if (chunk.Count > 0 && (chunk.Count >= plan.MaxRows || bytes + size > plan.MaxBytes))
			{
				yield return chunk;
				chunk = new SourceChunk<T>(read);
				bytes = 0;
			}

			chunk.Add(row);
			bytes += size;
			read++;
		}

		if (chunk.Count > 0)
			yield return chunk;
	}

	static long RowSize<T>(Plan<T> plan, T row)
		where T : notnull
	{
		var size = plan.EstimateSize(row);

		if (size > plan.MaxBytes)
			throw new AuroraDsqlNotSupportedException(
				$"A row of {typeof(T).Name} is about {size:N0} bytes, more than one Aurora DSQL transaction may modify ({plan.MaxBytes:N0} bytes budget). " +
				"DSQL rows are limited to 2 MiB and transactions to 10 MiB; store large values elsewhere (for example S3) and keep a reference.");

		return size;
	}

	#endregion

	#region Entry points

	public BulkCopyRowsCopied Copy<T>(BulkCopyType type, ITable<T> table, DataOptions options, IEnumerable<T> source)
		where T : notnull
	{
		var plan = CreatePlan(type, table, options);

		if (InApplicationTransaction(table.DataContext))
			return CopyInTransaction(plan, table.DataContext, source);

		if (plan.Parallelism > 1)
			// Off the caller's synchronization context: a single-threaded one would deadlock on the workers' continuations.
			return Task.Run(() => CopyParallelAsync(plan, ToAsync(Chunk(plan, source)), new Progress<T>(plan), CancellationToken.None)).GetAwaiter().GetResult();

		var progress = new Progress<T>(plan);
		var db       = table.DataContext as DataConnection;
		var owned    = db is null ? new DataConnection(options) : null;

		try
		{
			var connection = db ?? owned!;
			using var chunks = new ChunkReader<T>(Chunk(plan, source).GetEnumerator(), plan.Writer, () => CopyType(plan, connection) == BulkCopyType.ProviderSpecific);

			while (chunks.Next() is { } chunk)
			{
				var activity = StartChunk(plan, chunk.Rows);

				try
				{
					CopyChunk(plan, connection, chunk);
				}
				catch (Exception ex) when (IsChunkFailure(ex))
				{
					throw ChunkFailed(plan, activity, chunk.Rows, ex, progress.Result.RowsCopied);
				}
				catch (Exception ex)
				{
					Telemetry.Failed(activity, "failed", ex);
					throw;
				}

				if (ChunkCommitted(plan, activity, chunk.Rows, progress))
					break;
			}
		}
		finally
		{
			owned?.Dispose();
		}

		return Finished(plan, progress);
	}

	public Task<BulkCopyRowsCopied> CopyAsync<T>(BulkCopyType type, ITable<T> table, DataOptions options, IEnumerable<T> source, CancellationToken cancellationToken)
		where T : notnull
	{
		var plan = CreatePlan(type, table, options);

		if (InApplicationTransaction(table.DataContext))
			return CopyInTransactionAsync(plan, table.DataContext, source, cancellationToken);

		return CopyChunksAsync(plan, ToAsync(Chunk(plan, source)), cancellationToken);
	}

	public async Task<BulkCopyRowsCopied> CopyAsync<T>(BulkCopyType type, ITable<T> table, DataOptions options, IAsyncEnumerable<T> source, CancellationToken cancellationToken)
		where T : notnull
	{
		var plan = CreatePlan(type, table, options);

		if (InApplicationTransaction(table.DataContext))
		{
			var rows = new List<T>();
			await foreach (var row in source.WithCancellation(cancellationToken).ConfigureAwait(false))
			{
				rows.Add(row);
				if (rows.Count > plan.TransactionMaxRows)
					break;
			}

			return await CopyInTransactionAsync(plan, table.DataContext, rows, cancellationToken).ConfigureAwait(false);
		}

		return await CopyChunksAsync(plan, ChunkAsync(plan, source, cancellationToken), cancellationToken).ConfigureAwait(false);
	}

	/// <summary>
	/// Copies the chunks sequentially or in parallel. A cancellation by the caller is thrown as
	/// <see cref="AuroraDsqlOperationCanceledException"/>, with the rows the committed chunks hold.
	/// </summary>
	async Task<BulkCopyRowsCopied> CopyChunksAsync<T>(Plan<T> plan, IAsyncEnumerable<List<T>> chunks, CancellationToken cancellationToken)
		where T : notnull
	{
		var progress = new Progress<T>(plan);

		try
		{
			return plan.Parallelism > 1
				? await CopyParallelAsync(plan, chunks, progress, cancellationToken).ConfigureAwait(false)
				: await CopySequentialAsync(plan, chunks, progress, cancellationToken).ConfigureAwait(false);
		}
		catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested && ex is not AuroraDsqlOperationCanceledException)
		{
			var committed = progress.Result.RowsCopied;
			plan.Logger.Cancelled(plan.TableName, committed);
			throw new AuroraDsqlOperationCanceledException(
				$"Bulk copy into {plan.TableName} was cancelled. {committed:N0} rows were committed by the chunks before it; the chunk in progress was rolled back.",
				ex, "BulkCopy", plan.TableName, committed, cancellationToken);
		}
	}

	async Task<BulkCopyRowsCopied> CopySequentialAsync<T>(Plan<T> plan, IAsyncEnumerable<List<T>> chunks, Progress<T> progress, CancellationToken cancellationToken)
		where T : notnull
	{
		var db       = plan.Table.DataContext as DataConnection;
		var owned    = db is null ? new DataConnection(plan.Options) : null;

		try
		{
			var connection = db ?? owned!;
			var reader     = new ChunkReader<T>(chunks.GetAsyncEnumerator(cancellationToken), plan.Writer, () => CopyType(plan, connection) == BulkCopyType.ProviderSpecific);

			await using (reader.ConfigureAwait(false))
			{
				while (await reader.NextAsync().ConfigureAwait(false) is { } chunk)
				{
					var activity = StartChunk(plan, chunk.Rows);

					try
					{
						await CopyChunkAsync(plan, connection, chunk, cancellationToken).ConfigureAwait(false);
					}
					catch (Exception ex) when (IsChunkFailure(ex))
					{
						throw ChunkFailed(plan, activity, chunk.Rows, ex, progress.Result.RowsCopied);
					}
					catch (Exception ex)
					{
						Telemetry.Failed(activity, ex is OperationCanceledException ? "cancelled" : "failed", ex);
						throw;
					}

					if (ChunkCommitted(plan, activity, chunk.Rows, progress))
						break;
				}
			}
		}
		finally
		{
			if (owned != null)
				await owned.DisposeAsync().ConfigureAwait(false);
		}

		return Finished(plan, progress);
	}

	async Task<BulkCopyRowsCopied> CopyParallelAsync<T>(Plan<T> plan, IAsyncEnumerable<List<T>> chunks, Progress<T> progress, CancellationToken cancellationToken)
		where T : notnull
	{
		var channel  = Channel.CreateBounded<List<T>>(new BoundedChannelOptions(plan.Parallelism * 2) { SingleWriter = true });

		using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
		Exception? firstFailure = null;

		var workers = Enumerable.Range(0, plan.Parallelism).Select(_ => Task.Run(async () =>
		{
			try
			{
				// Each worker copies on its own connection: DSQL scales writes out across connections.
				var db = new DataConnection(plan.Options);
				await using (db.ConfigureAwait(false))
				{
					await foreach (var chunk in channel.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
					{
						var activity = StartChunk(plan, chunk);

						try
						{
							await CopyChunkAsync(plan, db, chunk, stop.Token).ConfigureAwait(false);
						}
						catch (Exception ex) when (IsChunkFailure(ex))
						{
							throw ChunkFailed(plan, activity, chunk, ex, progress.Result.RowsCopied);
						}
						catch (Exception ex)
						{
							Telemetry.Failed(activity, ex is OperationCanceledException ? "cancelled" : "failed", ex);
							throw;
						}

						if (ChunkCommitted(plan, activity, chunk, progress))
							await stop.CancelAsync().ConfigureAwait(false);
					}
				}
			}
			catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
			{
				// One failed chunk stops the whole copy: the producer stops, chunks in flight on other workers are cancelled
				// (and rolled back). The first failure is the one reported; a cancellation nobody asked for (a timeout
				// inside a chunk) is reported as a failure, not as the caller's cancellation.
				Interlocked.CompareExchange(ref firstFailure,
					ex is OperationCanceledException ? new TimeoutException("A bulk copy chunk was cancelled: " + ex.Message, ex) : ex, null);
				await stop.CancelAsync().ConfigureAwait(false);
				throw;
			}
		}, stop.Token)).ToList();

		Exception? producerError = null;

		try
		{
			await foreach (var chunk in chunks.WithCancellation(stop.Token).ConfigureAwait(false))
				await channel.Writer.WriteAsync(chunk, stop.Token).ConfigureAwait(false);
		}
		catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
		{
			// a worker failed or the callback aborted: the workers' outcome decides
		}
		catch (Exception ex)
		{
			producerError = ex;
			await stop.CancelAsync().ConfigureAwait(false);
		}
		finally
		{
			channel.Writer.TryComplete();
		}

		try
		{
			await Task.WhenAll(workers).ConfigureAwait(false);
		}
		catch (OperationCanceledException) when (progress.Result.Abort && !cancellationToken.IsCancellationRequested)
		{
			// aborted by the progress callback
		}
		catch (Exception) when (producerError is null)
		{
			if (firstFailure != null)
				System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(firstFailure).Throw();
			throw;
		}
		catch (Exception)
		{
			// the producer's error is reported below
		}

		if (producerError != null)
			System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(producerError).Throw();

		cancellationToken.ThrowIfCancellationRequested();
		return Finished(plan, progress);
	}

	#endregion

	#region One chunk

	/// <summary>The server (or the retries) failed a chunk: not the source, not the client's own encoding or checks.</summary>
	static bool IsChunkFailure(Exception ex) =>
		ex is NpgsqlException or AuroraDsqlRetryLimitExceededException or AuroraDsqlAmbiguousCommitException or TimeoutException;

	void CopyChunk<T>(Plan<T> plan, DataConnection db, IReadOnlyCollection<T> chunk)
		where T : notnull
	{
		var type   = CopyType(plan, db);
		var binary = type == BulkCopyType.ProviderSpecific;

		try
		{
			TransactionRunner.Run(db, attempt => copier.BulkCopy(type, plan.TableFor(attempt), plan.ChunkOptions, chunk), plan.Retry, "BulkCopy");
		}
		catch (PostgresException ex) when (binary && CopyRefusal.IsRefusal(ex))
		{
			// Remembered once the INSERTs went through: an error they share with the COPY was not about binary COPY.
			plan.Logger.BinaryCopyRefused(plan.TableName);
			TransactionRunner.Run(db, attempt => copier.BulkCopy(BulkCopyType.MultipleRows, plan.TableFor(attempt), plan.ChunkOptions, chunk), plan.Retry, "BulkCopy");
			RememberBinaryCopyRefused(db);
		}
	}

	async Task CopyChunkAsync<T>(Plan<T> plan, DataConnection db, IReadOnlyCollection<T> chunk, CancellationToken cancellationToken)
		where T : notnull
	{
		var type   = CopyType(plan, db);
		var binary = type == BulkCopyType.ProviderSpecific;

		try
		{
			await TransactionRunner.RunAsync(db, (attempt, ct) => copier.BulkCopyAsync(type, plan.TableFor(attempt), plan.ChunkOptions, chunk, ct), plan.Retry, cancellationToken, "BulkCopy")
				.ConfigureAwait(false);
		}
		catch (PostgresException ex) when (binary && CopyRefusal.IsRefusal(ex))
		{
			plan.Logger.BinaryCopyRefused(plan.TableName);
			await TransactionRunner.RunAsync(db, (attempt, ct) => copier.BulkCopyAsync(BulkCopyType.MultipleRows, plan.TableFor(attempt), plan.ChunkOptions, chunk, ct), plan.Retry, cancellationToken, "BulkCopy")
				.ConfigureAwait(false);
			RememberBinaryCopyRefused(db);
		}
	}

	/// <summary>The plan's copy type, except binary COPY for a server known to refuse it: multi-row INSERTs there.</summary>
	static BulkCopyType CopyType<T>(Plan<T> plan, DataConnection db)
		where T : notnull =>
		plan.Type == BulkCopyType.ProviderSpecific && !_binaryCopyRefused.IsEmpty && _binaryCopyRefused.ContainsKey(BinaryCopyKey(db))
			? BulkCopyType.MultipleRows
			: plan.Type;

	static void RememberBinaryCopyRefused(DataConnection db) => _binaryCopyRefused[BinaryCopyKey(db)] = true;

	// Keyed by server and database only: never by a connection string that carries a token.
	static string BinaryCopyKey(DataConnection db)
	{
		var builder = new NpgsqlConnectionStringBuilder(db.ConnectionString ?? db.OpenDbConnection().ConnectionString);
		return $"{builder.Host}:{builder.Port}/{builder.Database}";
	}

	#endregion

	#region In an application transaction

	/// <summary>The copy runs in a transaction the application controls: the data connection's own, or an ambient TransactionScope's.</summary>
	static bool InApplicationTransaction(IDataContext context) =>
		context is DataConnection db
			? db.Transaction != null || AmbientTransactions.Covers(db)
			: System.Transactions.Transaction.Current != null;

	BulkCopyRowsCopied CopyInTransaction<T>(Plan<T> plan, IDataContext context, IEnumerable<T> source)
		where T : notnull =>
		copier.BulkCopy(context is DataConnection db ? CopyType(plan, db) : plan.Type, plan.Table, plan.Options, Buffer(plan, source));

	Task<BulkCopyRowsCopied> CopyInTransactionAsync<T>(Plan<T> plan, IDataContext context, IEnumerable<T> source, CancellationToken cancellationToken)
		where T : notnull =>
		copier.BulkCopyAsync(context is DataConnection db ? CopyType(plan, db) : plan.Type, plan.Table, plan.Options, Buffer(plan, source), cancellationToken);


	/// <summary>Reads the rows (one more than the limit at most) and refuses them if one transaction cannot hold them.</summary>
	static List<T> Buffer<T>(Plan<T> plan, IEnumerable<T> source)
		where T : notnull
	{
		var rows  = new List<T>();
		long bytes = 0;

		foreach (var row in source)
		{
			rows.Add(row);
			bytes += RowSize(plan, row);

			if (rows.Count > plan.TransactionMaxRows || bytes > plan.MaxBytes)
			{
				plan.Logger.RefusedInTransaction(plan.TableName);
				throw new AuroraDsqlNotSupportedException(
					$"This bulk copy runs inside an application transaction and has more than {(rows.Count > plan.TransactionMaxRows ? $"{plan.TransactionMaxRows:N0} rows" : $"{plan.MaxBytes:N0} bytes")}, " +
					$"but one Aurora DSQL transaction may modify at most {AuroraDsqlOptions.DsqlMaxRowsPerTransaction:N0} rows and 10 MiB (SQLSTATE 54000). Nothing was sent. " +
					"Run the bulk copy outside the transaction or TransactionScope: it then commits in chunks that fit.");
			}
		}

		return rows;
	}

	#endregion

	static async IAsyncEnumerable<TItem> ToAsync<TItem>(IEnumerable<TItem> source)
	{
		foreach (var item in source)
		{
			yield return item;
			await Task.Yield();
		}
	}
}
