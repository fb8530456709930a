using System.Linq.Expressions;

using LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// Deletes and updates of any size within Aurora DSQL's limit of 3,000 modified rows per transaction: the matching rows
/// are processed in batches, each committed on its own (and retried on conflicts with
/// <see cref="AuroraDsqlOptions.RetryOptions"/>). Not atomic as a whole: a failure leaves the earlier batches committed.
/// Inside an application transaction they run only if the work fits one transaction, and refuse otherwise.
/// </summary>
/// <remarks>
/// Outside a transaction each committed batch is reported to the <c>progress</c> passed (or else to
/// <see cref="AuroraDsqlOptions.BatchProgress"/>). A batch that fails on the server throws
/// <see cref="AuroraDsqlBatchException"/>, and a cancellation <see cref="AuroraDsqlOperationCanceledException"/>: both
/// carry <c>RowsCommitted</c>, the rows the batches before it changed (they stay committed).
/// </remarks>
public static partial class AuroraDsqlBatchExtensions
{
	/// <summary>Deletes every row matching <paramref name="predicate"/> in committed batches; returns the number deleted.</summary>
	/// <param name="table">Table to delete from (its entity needs a mapped primary key).</param>
	/// <param name="predicate">Rows to delete.</param>
	/// <param name="batchSize">Rows per transaction; default <see cref="AuroraDsqlOptions.MaxRowsPerTransaction"/>.</param>
	/// <param name="progress">Told after each committed batch; default <see cref="AuroraDsqlOptions.BatchProgress"/>.</param>
	/// <param name="cancellationToken">Stops the batch in progress (rolled back); committed batches stay committed.</param>
	public static Task<int> DeleteInBatchesAsync<T>(this ITable<T> table, Expression<Func<T, bool>> predicate, int? batchSize = null, IProgress<AuroraDsqlBatchProgress>? progress = null, CancellationToken cancellationToken = default)
		where T : class
	{
		ArgumentNullException.ThrowIfNull(predicate);
		return BatchOperations.DeleteAsync(table, predicate, batchSize, progress, cancellationToken);
	}

	/// <summary>Deletes every row matching <paramref name="predicate"/> in committed batches; returns the number deleted.</summary>
	/// <param name="table">Table to delete from (its entity needs a mapped primary key).</param>
	/// <param name="predicate">Rows to delete.</param>
	/// <param name="batchSize">Rows per transaction; default <see cref="AuroraDsqlOptions.MaxRowsPerTransaction"/>.</param>
	/// <param name="progress">Told after each committed batch; default <see cref="AuroraDsqlOptions.BatchProgress"/>.</param>
	public static int DeleteInBatches<T>(this ITable<T> table, Expression<Func<T, bool>> predicate, int? batchSize = null, IProgress<AuroraDsqlBatchProgress>? progress = null)
		where T : class
	{
		ArgumentNullException.ThrowIfNull(predicate);
		return BatchOperations.Delete(table, predicate, batchSize, progress);
	}

	/// <summary>
	/// Updates every row matching <paramref name="predicate"/> in committed batches, walking the rows in primary-key order;
	/// returns the number updated. Each batch re-checks the predicate, so rows changed meanwhile are skipped.
	/// </summary>
	/// <param name="table">Table to update (its entity needs a mapped primary key, whose values the setter does not change, and a parameterless constructor).</param>
	/// <param name="predicate">Rows to update.</param>
	/// <param name="setter">The new values, as for linq2db's <c>Update(setter)</c>.</param>
	/// <param name="batchSize">Rows per transaction; default <see cref="AuroraDsqlOptions.MaxRowsPerTransaction"/>.</param>
	/// <param name="progress">Told after each committed batch; default <see cref="AuroraDsqlOptions.BatchProgress"/>.</param>
	/// <param name="cancellationToken">Stops the batch in progress (rolled back); committed batches stay committed.</param>
	public static Task<int> UpdateInBatchesAsync<T>(this ITable<T> table, Expression<Func<T, bool>> predicate, Expression<Func<T, T>> setter, int? batchSize = null, IProgress<AuroraDsqlBatchProgress>? progress = null, CancellationToken cancellationToken = default)
		where T : class
	{
		ArgumentNullException.ThrowIfNull(predicate);
		ArgumentNullException.ThrowIfNull(setter);
		return BatchOperations.UpdateAsync(table, predicate, setter, batchSize, progress, cancellationToken);
	}

	/// <summary>
	/// Updates every row matching <paramref name="predicate"/> in committed batches, walking the rows in primary-key order;
	/// returns the number updated.
	/// </summary>
	/// <param name="table">Table to update (its entity needs a mapped primary key, whose values the setter does not change, and a parameterless constructor).</param>
	/// <param name="predicate">Rows to update.</param>
	/// <param name="setter">The new values, as for linq2db's <c>Update(setter)</c>.</param>
	/// <param name="batchSize">Rows per transaction; default <see cref="AuroraDsqlOptions.MaxRowsPerTransaction"/>.</param>
	/// <param name="progress">Told after each committed batch; default <see cref="AuroraDsqlOptions.BatchProgress"/>.</param>
	public static int UpdateInBatches<T>(this ITable<T> table, Expression<Func<T, bool>> predicate, Expression<Func<T, T>> setter, int? batchSize = null, IProgress<AuroraDsqlBatchProgress>? progress = null)
		where T : class
	{
		ArgumentNullException.ThrowIfNull(predicate);
		ArgumentNullException.ThrowIfNull(setter);
		return BatchOperations.Update(table, predicate, setter, batchSize, progress);
	}
}
