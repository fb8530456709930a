using System.Linq.Expressions;

using LinqToDB.Async;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;
using LinqToDB.Mapping;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

/// <summary>
/// Deletes and updates that touch any number of rows in transactions DSQL accepts: batches of at most the configured
/// rows, each committed on its own and retried on conflicts. Inside an application transaction only work that fits one
/// transaction runs (an ambient TransactionScope counts as one); anything larger is refused before it is sent.
/// </summary>
static class BatchOperations
{
	const string DeleteInBatches = "DeleteInBatches";
	const string UpdateInBatches = "UpdateInBatches";

	public static async Task<int> DeleteAsync<T>(ITable<T> table, Expression<Func<T, bool>> predicate, int? batchSize, IProgress<AuroraDsqlBatchProgress>? progress, CancellationToken cancellationToken)
		where T : class
	{
		var (db, options, size, keys) = Prepare(table, batchSize, DeleteInBatches);

		if (InTransaction(db))
		{
			await EnsureFitsAsync(table, predicate, size, DeleteInBatches, options, cancellationToken).ConfigureAwait(false);
			return await table.Where(predicate).DeleteAsync(cancellationToken).ConfigureAwait(false);
		}

		return await new BatchLoop(DeleteInBatches, table.TableName, options, progress).RunAsync(
			size,
			token => TransactionRunner.RunAsync(
				db,
				(attempt, ct) => DeleteBatch(TableFactory<T>.Rebind(table, attempt), predicate, keys, size).DeleteAsync(ct),
				options.RetryOptions,
				token,
				DeleteInBatches),
			cancellationToken).ConfigureAwait(false);
	}

	public static int Delete<T>(ITable<T> table, Expression<Func<T, bool>> predicate, int? batchSize, IProgress<AuroraDsqlBatchProgress>? progress)
		where T : class
	{
		var (db, options, size, keys) = Prepare(table, batchSize, DeleteInBatches);

		if (InTransaction(db))
		{
			EnsureFits(table, predicate, size, DeleteInBatches, options);
			return table.Where(predicate).Delete();
		}

		return new BatchLoop(DeleteInBatches, table.TableName, options, progress).Run(
			size,
			() => TransactionRunner.Run(db, attempt => DeleteBatch(TableFactory<T>.Rebind(table, attempt), predicate, keys, size).Delete(), options.RetryOptions, DeleteInBatches));
	}

	public static async Task<int> UpdateAsync<T>(
		ITable<T> table, Expression<Func<T, bool>> predicate, Expression<Func<T, T>> setter, int? batchSize, IProgress<AuroraDsqlBatchProgress>? progress, CancellationToken cancellationToken)
		where T : class
	{
		var (db, options, size, keys) = Prepare(table, batchSize, UpdateInBatches);

		if (InTransaction(db))
		{
			await EnsureFitsAsync(table, predicate, size, UpdateInBatches, options, cancellationToken).ConfigureAwait(false);
			return await table.Where(predicate).UpdateAsync(setter, cancellationToken).ConfigureAwait(false);
		}

		// Key order, a page at a time: read the next page of keys, update that key range (re-checking the predicate).
		var loop = new BatchLoop(UpdateInBatches, table.TableName, options, progress);
		T?  last = null;

		while (true)
		{
			List<T> page;
			try
			{
				page = await KeysetPages.Page(table.Where(predicate), keys, last, size).ToListAsync(cancellationToken).ConfigureAwait(false);
			}
			catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
			{
				throw loop.Cancelled(ex, cancellationToken);
			}

			if (page.Count == 0)
				return loop.Finish();

			var range = KeysetPages.Range(keys, page[0], page[^1]);

			try
			{
				await loop.RunBatchAsync(
					token => TransactionRunner.RunAsync(
						db,
						(attempt, ct) => TableFactory<T>.Rebind(table, attempt).Where(predicate).Where(range).UpdateAsync(setter, ct),
						options.RetryOptions,
						token,
						UpdateInBatches),
					cancellationToken,
					startsOver: ex => size > 1 && AuroraDsqlErrors.IsTransactionLimitExceeded(ex)).ConfigureAwait(false);
			}
			catch (Exception ex) when (size > 1 && AuroraDsqlErrors.IsTransactionLimitExceeded(ex) && ex is not AuroraDsqlBatchException)
			{
				size = ShrinkPage(size);
				loop.Shrunk(size);
				continue;
			}

			if (page.Count < size)
				return loop.Finish();

			last = page[^1];
		}
	}

	public static int Update<T>(ITable<T> table, Expression<Func<T, bool>> predicate, Expression<Func<T, T>> setter, int? batchSize, IProgress<AuroraDsqlBatchProgress>? progress)
		where T : class
	{
		var (db, options, size, keys) = Prepare(table, batchSize, UpdateInBatches);

		if (InTransaction(db))
		{
			EnsureFits(table, predicate, size, UpdateInBatches, options);
			return table.Where(predicate).Update(setter);
		}

		var loop = new BatchLoop(UpdateInBatches, table.TableName, options, progress);
		T?  last = null;

		while (true)
		{
			var page = KeysetPages.Page(table.Where(predicate), keys, last, size).ToList();
			if (page.Count == 0)
				return loop.Finish();

			var range = KeysetPages.Range(keys, page[0], page[^1]);

			try
			{
				loop.RunBatch(
					() => TransactionRunner.Run(db, attempt => TableFactory<T>.Rebind(table, attempt).Where(predicate).Where(range).Update(setter), options.RetryOptions, UpdateInBatches),
					startsOver: ex => size > 1 && AuroraDsqlErrors.IsTransactionLimitExceeded(ex));
			}
			catch (Exception ex) when (size > 1 && AuroraDsqlErrors.IsTransactionLimitExceeded(ex) && ex is not AuroraDsqlBatchException)
			{
				size = ShrinkPage(size);
				loop.Shrunk(size);
				continue;
			}

			if (page.Count < size)
				return loop.Finish();

			last = page[^1];
		}
	}

	/// <summary>
	/// A page's key range held more matching rows than one transaction may change (rows were added to it since the page
	/// was read, or the budget is above the server's limit): the batch rolled back; the same range is read again, smaller.
	/// </summary>
	static int ShrinkPage(int size) => Math.Max(1, size / 2);

	static (DataConnection Db, AuroraDsqlOptions Options, int BatchSize, ColumnDescriptor[] Keys) Prepare<T>(ITable<T> table, int? batchSize, string operation)
		where T : class
	{
		ArgumentNullException.ThrowIfNull(table);

		if (table.DataContext is not DataConnection db)
			throw new NotSupportedException($"{operation} needs a table from a DataConnection.");

		var options = db.Options.FindOrDefault(AuroraDsqlOptions.Default);
		var size    = batchSize ?? options.MaxRowsPerTransaction;

		if (size < 1 || size > AuroraDsqlOptions.DsqlMaxRowsPerTransaction)
			throw new ArgumentOutOfRangeException(nameof(batchSize), size, $"The batch size must be between 1 and {AuroraDsqlOptions.DsqlMaxRowsPerTransaction:N0} (DSQL's per-transaction row limit).");

		var keys = db.MappingSchema.GetEntityDescriptor(typeof(T), db.Options.ConnectionOptions.OnEntityDescriptorCreated)
			.Columns.Where(c => c.IsPrimaryKey).OrderBy(c => c.PrimaryKeyOrder).ToArray();

		if (keys.Length == 0)
			throw new AuroraDsqlNotSupportedException($"{operation} works batch by batch through the primary key, but {typeof(T).Name} has none mapped. Map the table's primary key ([PrimaryKey]).");

		return (db, options, size, keys);
	}

	/// <summary>In a transaction the application controls: the data connection's own, or the ambient one of a TransactionScope.</summary>
	static bool InTransaction(DataConnection db) => db.Transaction != null || AmbientTransactions.Covers(db);

	static async Task EnsureFitsAsync<T>(ITable<T> table, Expression<Func<T, bool>> predicate, int size, string operation, AuroraDsqlOptions options, CancellationToken cancellationToken)
		where T : class
	{
		if (await table.Where(predicate).Take(size + 1).CountAsync(cancellationToken).ConfigureAwait(false) > size)
			throw TooManyRows(table, operation, size, options);
	}

	static void EnsureFits<T>(ITable<T> table, Expression<Func<T, bool>> predicate, int size, string operation, AuroraDsqlOptions options)
		where T : class
	{
		if (table.Where(predicate).Take(size + 1).Count() > size)
			throw TooManyRows(table, operation, size, options);
	}

	static AuroraDsqlNotSupportedException TooManyRows<T>(ITable<T> table, string operation, int size, AuroraDsqlOptions options)
		where T : notnull
	{
		ProviderLoggers.For(options, ProviderLoggers.Batches).RefusedInTransaction(operation, table.TableName, size);
		return TooManyRows(operation, size);
	}

	static AuroraDsqlNotSupportedException TooManyRows(string operation, int size) =>
		new($"{operation} inside a transaction would touch more than {size:N0} rows, and Aurora DSQL allows at most " +
			$"{AuroraDsqlOptions.DsqlMaxRowsPerTransaction:N0} modified rows per transaction (SQLSTATE 54000). Nothing was changed. " +
			$"Call {operation} outside the transaction or TransactionScope: it then commits batch by batch.");

	/// <summary><c>t =&gt; table.Where(predicate).Take(size).Any(s =&gt; s.Key == t.Key)</c>: the first batch of matching rows.</summary>
	static IQueryable<T> DeleteBatch<T>(ITable<T> table, Expression<Func<T, bool>> predicate, ColumnDescriptor[] keys, int size)
		where T : class
	{
		var target = Expression.Parameter(typeof(T), "t");
		var source = Expression.Parameter(typeof(T), "s");

		var sameKey = keys
			.Select(k => (Expression)Expression.Equal(Expression.MakeMemberAccess(source, k.MemberInfo), Expression.MakeMemberAccess(target, k.MemberInfo)))
			.Aggregate(Expression.AndAlso);

		var batch = table.Where(predicate).Take(size);
		var any   = Expression.Call(
			typeof(Queryable), nameof(Queryable.Any), [typeof(T)],
			batch.Expression,
			Expression.Quote(Expression.Lambda<Func<T, bool>>(sameKey, source)));

		return table.Where(Expression.Lambda<Func<T, bool>>(any, target));
	}
}
