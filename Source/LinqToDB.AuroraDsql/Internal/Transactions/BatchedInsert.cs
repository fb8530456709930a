using System.Linq.Expressions;
using System.Reflection;

using LinqToDB.Async;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;
using LinqToDB.Mapping;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

/// <summary>
/// <c>INSERT … SELECT</c> of any size within DSQL's per-transaction limits: the source is walked in primary-key order, a
/// page of keys at a time, and each page's key range is inserted by one statement (its own transaction, retried on
/// conflicts). When the setter gives the target its primary key from the source, each batch is
/// <c>INSERT … ON CONFLICT (key) DO NOTHING</c> (through the provider's <c>Merge()</c> translation), so a batch or a
/// whole run repeated after a failure inserts only the rows still missing. Each batch is reported, logged and counted by
/// <see cref="BatchLoop"/>, which also says how many rows were committed when a batch fails or the run is cancelled.
/// Inside an application transaction only work that fits one transaction runs.
/// </summary>
static class BatchedInsert
{
	const string Operation = "InsertInBatches";

	sealed record Plan<TSource, TTarget>(
		DataConnection                            Db,
		AuroraDsqlOptions                         Options,
		int                                       BatchSize,
		ColumnDescriptor[]                        SourceKeys,
		Expression<Func<TTarget, TSource, bool>>? SameTargetKey)
		where TSource : class
		where TTarget : class;

	public static async Task<int> RunAsync<TSource, TTarget>(IQueryable<TSource> source, ITable<TTarget> target, Expression<Func<TSource, TTarget>> setter,
		int? batchSize, IProgress<AuroraDsqlBatchProgress>? progress, CancellationToken cancellationToken)
		where TSource : class
		where TTarget : class
	{
		var plan = Prepare(source, target, setter, batchSize);

		if (InTransaction(plan.Db))
		{
			if (await source.Take(plan.BatchSize + 1).CountAsync(cancellationToken).ConfigureAwait(false) > plan.BatchSize)
				throw TooManyRows(plan, target);

			return await InsertAsync(plan, source, target, setter, cancellationToken).ConfigureAwait(false);
		}

		var policy = AuroraDsqlRetryPolicy.ForAutocommit(plan.Options);
		var loop   = new BatchLoop(Operation, target.TableName, plan.Options, progress);
		var size   = plan.BatchSize;
		TSource? last = null;

		while (true)
		{
			List<TSource> page;
			try
			{
				cancellationToken.ThrowIfCancellationRequested();
				page = await KeysetPages.Page(source, plan.SourceKeys, last, size).ToListAsync(cancellationToken).ConfigureAwait(false);
			}
			catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
			{
				throw loop.Cancelled(ex, cancellationToken);
			}

			if (page.Count == 0)
				return loop.Finish();

			var range = source.Where(KeysetPages.Range(plan.SourceKeys, page[0], page[^1]));

			try
			{
				await loop.RunBatchAsync(
					token => policy.ExecuteAsync(ct => InsertAsync(plan, range, target, setter, ct), token),
					cancellationToken,
					startsOver: ex => size > 1 && AuroraDsqlErrors.IsTransactionLimitExceeded(ex)).ConfigureAwait(false);
			}
			catch (Exception ex) when (size > 1 && AuroraDsqlErrors.IsTransactionLimitExceeded(ex) && ex is not AuroraDsqlBatchException)
			{
				// Rows were added to the range since its keys were read, or they are too large for one transaction: smaller.
				size = Math.Max(1, size / 2);
				loop.Shrunk(size);
				continue;
			}

			if (page.Count < size)
				return loop.Finish();

			last = page[^1];
		}
	}

	public static int Run<TSource, TTarget>(IQueryable<TSource> source, ITable<TTarget> target, Expression<Func<TSource, TTarget>> setter,
		int? batchSize, IProgress<AuroraDsqlBatchProgress>? progress)
		where TSource : class
		where TTarget : class
	{
		var plan = Prepare(source, target, setter, batchSize);

		if (InTransaction(plan.Db))
		{
			if (source.Take(plan.BatchSize + 1).Count() > plan.BatchSize)
				throw TooManyRows(plan, target);

			return Insert(plan, source, target, setter);
		}

		var policy = AuroraDsqlRetryPolicy.ForAutocommit(plan.Options);
		var loop   = new BatchLoop(Operation, target.TableName, plan.Options, progress);
		var size   = plan.BatchSize;
		TSource? last = null;

		while (true)
		{
			var page = KeysetPages.Page(source, plan.SourceKeys, last, size).ToList();
			if (page.Count == 0)
				return loop.Finish();

			var range = source.Where(KeysetPages.Range(plan.SourceKeys, page[0], page[^1]));

			try
			{
				loop.RunBatch(
					() => policy.Execute(() => Insert(plan, range, target, setter)),
					startsOver: ex => size > 1 && AuroraDsqlErrors.IsTransactionLimitExceeded(ex));
			}
			catch (Exception ex) when (size > 1 && AuroraDsqlErrors.IsTransactionLimitExceeded(ex) && ex is not AuroraDsqlBatchException)
			{
				size = Math.Max(1, size / 2);
				loop.Shrunk(size);
				continue;
			}

			if (page.Count < size)
				return loop.Finish();

			last = page[^1];
		}
	}

	static Task<int> InsertAsync<TSource, TTarget>(Plan<TSource, TTarget> plan, IQueryable<TSource> rows, ITable<TTarget> target, Expression<Func<TSource, TTarget>> setter, CancellationToken cancellationToken)
		where TSource : class
		where TTarget : class =>
		plan.SameTargetKey is { } on
			? target.Merge().Using(rows).On(on).InsertWhenNotMatched(setter).MergeAsync(cancellationToken)
			: rows.InsertAsync(target, setter, cancellationToken);

	static int Insert<TSource, TTarget>(Plan<TSource, TTarget> plan, IQueryable<TSource> rows, ITable<TTarget> target, Expression<Func<TSource, TTarget>> setter)
		where TSource : class
		where TTarget : class =>
		plan.SameTargetKey is { } on
			? target.Merge().Using(rows).On(on).InsertWhenNotMatched(setter).Merge()
			: rows.Insert(target, setter);

	static Plan<TSource, TTarget> Prepare<TSource, TTarget>(IQueryable<TSource> source, ITable<TTarget> target, Expression<Func<TSource, TTarget>> setter, int? batchSize)
		where TSource : class
		where TTarget : class
	{
		ArgumentNullException.ThrowIfNull(source);
		ArgumentNullException.ThrowIfNull(target);
		ArgumentNullException.ThrowIfNull(setter);

		if (target.DataContext is not DataConnection db)
			throw new NotSupportedException($"{Operation} needs a target table from a DataConnection.");

		var options = db.Options.FindOrDefault(AuroraDsqlOptions.Default);
		var size    = batchSize ?? options.MaxRowsPerTransaction;

		if (size < 1 || size > AuroraDsqlOptions.DsqlMaxRowsPerTransaction)
			throw new ArgumentOutOfRangeException(nameof(batchSize), size, $"The batch size must be between 1 and {AuroraDsqlOptions.DsqlMaxRowsPerTransaction:N0} (DSQL's per-transaction row limit).");

		var sourceKeys = Keys(db, typeof(TSource));
		if (sourceKeys.Length == 0)
			throw new AuroraDsqlNotSupportedException(
				$"{Operation} walks the source in primary-key order, but {typeof(TSource).Name} has no mapped primary key. " +
				"Use a table (or a query over one) whose entity maps its primary key ([PrimaryKey]) as the source, and project in the setter.");

		return new Plan<TSource, TTarget>(db, options, size, sourceKeys, SameTargetKey(setter, Keys(db, typeof(TTarget))));

		static ColumnDescriptor[] Keys(DataConnection db, Type type) =>
			db.MappingSchema.GetEntityDescriptor(type, db.Options.ConnectionOptions.OnEntityDescriptorCreated)
				.Columns.Where(c => c.IsPrimaryKey).OrderBy(c => c.PrimaryKeyOrder).ToArray();
	}

	/// <summary>
	/// <c>(t, s) =&gt; t.Key1 == &lt;setter's value for Key1&gt;(s) &amp;&amp; …</c> when the setter assigns every primary-key
	/// member of the target; <see langword="null"/> otherwise (the target's key is generated: no way to recognise a row
	/// inserted before).
	/// </summary>
	static Expression<Func<TTarget, TSource, bool>>? SameTargetKey<TSource, TTarget>(Expression<Func<TSource, TTarget>> setter, ColumnDescriptor[] targetKeys)
	{
		if (targetKeys.Length == 0 || setter.Body is not MemberInitExpression init)
			return null;

		var t = Expression.Parameter(typeof(TTarget), "t");
		Expression? condition = null;

		foreach (var key in targetKeys)
		{
			var binding = init.Bindings.OfType<MemberAssignment>().FirstOrDefault(b => SameMember(b.Member, key.MemberInfo));
			if (binding is null)
				return null;

			var equal = Expression.Equal(Expression.MakeMemberAccess(t, key.MemberInfo), binding.Expression);
			condition = condition is null ? equal : Expression.AndAlso(condition, equal);
		}

		return Expression.Lambda<Func<TTarget, TSource, bool>>(condition!, t, setter.Parameters[0]);
	}

	static bool SameMember(MemberInfo a, MemberInfo b) => a.Name == b.Name && (a.DeclaringType == b.DeclaringType || a.DeclaringType!.IsAssignableFrom(b.DeclaringType) || b.DeclaringType!.IsAssignableFrom(a.DeclaringType));

	/// <summary>In a transaction the application controls: the data connection's own, or the ambient one of a TransactionScope.</summary>
	static bool InTransaction(DataConnection db) => db.Transaction != null || AmbientTransactions.Covers(db);

	static AuroraDsqlNotSupportedException TooManyRows<TSource, TTarget>(Plan<TSource, TTarget> plan, ITable<TTarget> target)
		where TSource : class
		where TTarget : class
	{
		ProviderLoggers.For(plan.Options, ProviderLoggers.Batches).RefusedInTransaction(Operation, target.TableName, plan.BatchSize);

		return new($"{Operation} inside a transaction would insert more than {plan.BatchSize:N0} rows, and Aurora DSQL allows at most " +
			$"{AuroraDsqlOptions.DsqlMaxRowsPerTransaction:N0} modified rows per transaction (SQLSTATE 54000). Nothing was inserted. " +
			$"Call {Operation} outside the transaction or TransactionScope: it then commits batch by batch.");
	}
}
