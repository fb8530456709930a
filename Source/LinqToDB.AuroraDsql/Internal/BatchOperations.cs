using System.Linq.Expressions;
using System.Reflection;

using LinqToDB.Async;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Mapping;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>
/// Deletes and updates that touch any number of rows in transactions DSQL accepts: batches of at most the configured
/// rows, each committed on its own and retried on conflicts. Inside an application transaction only work that fits one
/// transaction runs; anything larger is refused before it is sent.
/// </summary>
static class BatchOperations
{
	public static async Task<int> DeleteAsync<T>(ITable<T> table, Expression<Func<T, bool>> predicate, int? batchSize, CancellationToken cancellationToken)
		where T : class
	{
		var (db, options, size, keys) = Prepare(table, batchSize, "DeleteInBatches");

		if (db.Transaction != null)
		{
			await EnsureFitsAsync(table, predicate, size, "DeleteInBatches", cancellationToken).ConfigureAwait(false);
			return await table.Where(predicate).DeleteAsync(cancellationToken).ConfigureAwait(false);
		}

		return await BatchLoop.RunAsync(
			size,
			token => TransactionRunner.RunAsync(
				db,
				(attempt, ct) => DeleteBatch(TableFactory<T>.Rebind(table, attempt), predicate, keys, size).DeleteAsync(ct),
				options.RetryOptions,
				token),
			cancellationToken).ConfigureAwait(false);
	}

	public static int Delete<T>(ITable<T> table, Expression<Func<T, bool>> predicate, int? batchSize)
		where T : class
	{
		var (db, options, size, keys) = Prepare(table, batchSize, "DeleteInBatches");

		if (db.Transaction != null)
		{
			EnsureFits(table, predicate, size, "DeleteInBatches");
			return table.Where(predicate).Delete();
		}

		return BatchLoop.Run(
			size,
			() => TransactionRunner.Run(db, attempt => DeleteBatch(TableFactory<T>.Rebind(table, attempt), predicate, keys, size).Delete(), options.RetryOptions));
	}

	public static async Task<int> UpdateAsync<T>(ITable<T> table, Expression<Func<T, bool>> predicate, Expression<Func<T, T>> setter, int? batchSize, CancellationToken cancellationToken)
		where T : class
	{
		var (db, options, size, keys) = Prepare(table, batchSize, "UpdateInBatches");

		if (db.Transaction != null)
		{
			await EnsureFitsAsync(table, predicate, size, "UpdateInBatches", cancellationToken).ConfigureAwait(false);
			return await table.Where(predicate).UpdateAsync(setter, cancellationToken).ConfigureAwait(false);
		}

		// The rows to update are the ones matching when the operation starts; each batch re-checks the predicate.
		var matching = await table.Where(predicate).Select(KeyProjection<T>(keys)).ToListAsync(cancellationToken).ConfigureAwait(false);
		var total    = 0;

		foreach (var batch in matching.Chunk(size))
		{
			total += await TransactionRunner.RunAsync(
				db,
				(attempt, ct) => TableFactory<T>.Rebind(table, attempt).Where(predicate).Where(KeyIn(keys, batch)).UpdateAsync(setter, ct),
				options.RetryOptions,
				cancellationToken).ConfigureAwait(false);
		}

		return total;
	}

	public static int Update<T>(ITable<T> table, Expression<Func<T, bool>> predicate, Expression<Func<T, T>> setter, int? batchSize)
		where T : class
	{
		var (db, options, size, keys) = Prepare(table, batchSize, "UpdateInBatches");

		if (db.Transaction != null)
		{
			EnsureFits(table, predicate, size, "UpdateInBatches");
			return table.Where(predicate).Update(setter);
		}

		var matching = table.Where(predicate).Select(KeyProjection<T>(keys)).ToList();
		var total    = 0;

		foreach (var batch in matching.Chunk(size))
			total += TransactionRunner.Run(db, attempt => TableFactory<T>.Rebind(table, attempt).Where(predicate).Where(KeyIn(keys, batch)).Update(setter), options.RetryOptions);

		return total;
	}

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

	static async Task EnsureFitsAsync<T>(ITable<T> table, Expression<Func<T, bool>> predicate, int size, string operation, CancellationToken cancellationToken)
		where T : class
	{
		if (await table.Where(predicate).Take(size + 1).CountAsync(cancellationToken).ConfigureAwait(false) > size)
			throw TooManyRows(operation, size);
	}

	static void EnsureFits<T>(ITable<T> table, Expression<Func<T, bool>> predicate, int size, string operation)
		where T : class
	{
		if (table.Where(predicate).Take(size + 1).Count() > size)
			throw TooManyRows(operation, size);
	}

	static AuroraDsqlNotSupportedException TooManyRows(string operation, int size) =>
		new($"{operation} inside a transaction would touch more than {size:N0} rows, and Aurora DSQL allows at most " +
			$"{AuroraDsqlOptions.DsqlMaxRowsPerTransaction:N0} modified rows per transaction (SQLSTATE 54000). Nothing was changed. " +
			$"Call {operation} outside the transaction: it then commits batch by batch.");

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

	/// <summary><c>t =&gt; new T { Key1 = t.Key1, … }</c>: reads only the key columns.</summary>
	static Expression<Func<T, T>> KeyProjection<T>(ColumnDescriptor[] keys)
	{
		if (typeof(T).GetConstructor(Type.EmptyTypes) is null)
			throw new NotSupportedException($"UpdateInBatches reads the keys of the rows to update into {typeof(T).Name}, which needs a parameterless constructor.");

		var row = Expression.Parameter(typeof(T), "t");
		var init = Expression.MemberInit(
			Expression.New(typeof(T)),
			keys.Select(k => Expression.Bind(k.MemberInfo, Expression.MakeMemberAccess(row, k.MemberInfo))));

		return Expression.Lambda<Func<T, T>>(init, row);
	}

	/// <summary>Rows whose key is one of <paramref name="batch"/>'s: <c>IN (…)</c> for one key column, OR-ed equalities for composite keys.</summary>
	static Expression<Func<T, bool>> KeyIn<T>(ColumnDescriptor[] keys, T[] batch)
		where T : class
	{
		var row = Expression.Parameter(typeof(T), "t");

		if (keys.Length == 1)
		{
			var key    = keys[0];
			var values = Array.CreateInstance(key.MemberType, batch.Length);
			for (var i = 0; i < batch.Length; i++)
				values.SetValue(key.MemberAccessor.GetValue(batch[i]), i);

			var contains = Expression.Call(
				typeof(Enumerable), nameof(Enumerable.Contains), [key.MemberType],
				Expression.Constant(values),
				Expression.MakeMemberAccess(row, key.MemberInfo));

			return Expression.Lambda<Func<T, bool>>(contains, row);
		}

		var matches = batch
			.Select(item => keys
				.Select(k => (Expression)Expression.Equal(
					Expression.MakeMemberAccess(row, k.MemberInfo),
					Expression.Constant(k.MemberAccessor.GetValue(item), k.MemberType)))
				.Aggregate(Expression.AndAlso))
			.ToList();

		return Expression.Lambda<Func<T, bool>>(Balanced(matches, 0, matches.Count), row);
	}

	/// <summary>OR of the conditions as a balanced tree: a left-deep chain of thousands would overflow recursive visitors.</summary>
	static Expression Balanced(List<Expression> conditions, int start, int count)
	{
		if (count == 1)
			return conditions[start];

		var half = count / 2;
		return Expression.OrElse(Balanced(conditions, start, half), Balanced(conditions, start + half, count - half));
	}
}
