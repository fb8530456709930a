using System.Linq.Expressions;

using LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

namespace LinqToDB.DataProvider.AuroraDsql;

public static partial class AuroraDsqlBatchExtensions
{
	/// <summary>
	/// Inserts the rows of <paramref name="source"/> into <paramref name="target"/> (<c>INSERT … SELECT</c>) in committed
	/// batches, walking the source in primary-key order; returns the number of rows inserted. When
	/// <paramref name="setter"/> sets the target's primary key, each batch skips rows whose key is already in the target
	/// (<c>ON CONFLICT (key) DO NOTHING</c>): a batch retried after an ambiguous failure, or the whole call repeated after
	/// an error, inserts only the rows still missing. A batch that fails on the server throws
	/// <see cref="AuroraDsqlBatchException"/> with the rows committed before it.
	/// </summary>
	/// <param name="source">Rows to copy: a table, or a query over one, whose entity has a mapped primary key (and a parameterless constructor).</param>
	/// <param name="target">Table to insert into.</param>
	/// <param name="setter">The new row, as for linq2db's <c>Insert(target, setter)</c>.</param>
	/// <param name="batchSize">Source rows per transaction; default <see cref="AuroraDsqlOptions.MaxRowsPerTransaction"/>.</param>
	/// <param name="progress">Told after each committed batch (rows inserted by it and so far); default <see cref="AuroraDsqlOptions.BatchProgress"/>.</param>
	/// <param name="cancellationToken">Stops between batches (committed batches stay committed; <see cref="AuroraDsqlOperationCanceledException"/> says how many rows they hold).</param>
	public static Task<int> InsertInBatchesAsync<TSource, TTarget>(this IQueryable<TSource> source, ITable<TTarget> target, Expression<Func<TSource, TTarget>> setter,
		int? batchSize = null, IProgress<AuroraDsqlBatchProgress>? progress = null, CancellationToken cancellationToken = default)
		where TSource : class
		where TTarget : class =>
		BatchedInsert.RunAsync(source, target, setter, batchSize, progress, cancellationToken);

	/// <summary>
	/// Inserts the rows of <paramref name="source"/> into <paramref name="target"/> (<c>INSERT … SELECT</c>) in committed
	/// batches, walking the source in primary-key order; returns the number of rows inserted. Rows whose target key is
	/// already present are skipped when <paramref name="setter"/> sets the target's primary key.
	/// </summary>
	/// <param name="source">Rows to copy: a table, or a query over one, whose entity has a mapped primary key (and a parameterless constructor).</param>
	/// <param name="target">Table to insert into.</param>
	/// <param name="setter">The new row, as for linq2db's <c>Insert(target, setter)</c>.</param>
	/// <param name="batchSize">Source rows per transaction; default <see cref="AuroraDsqlOptions.MaxRowsPerTransaction"/>.</param>
	/// <param name="progress">Told after each committed batch (rows inserted by it and so far); default <see cref="AuroraDsqlOptions.BatchProgress"/>.</param>
	public static int InsertInBatches<TSource, TTarget>(this IQueryable<TSource> source, ITable<TTarget> target, Expression<Func<TSource, TTarget>> setter,
		int? batchSize = null, IProgress<AuroraDsqlBatchProgress>? progress = null)
		where TSource : class
		where TTarget : class =>
		BatchedInsert.Run(source, target, setter, batchSize, progress);
}
