using System.Data.Common;
using System.Globalization;

using LinqToDB.DataProvider.AuroraDsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>
/// Deletes every row of a table within DSQL's per-transaction row limit: outside a transaction in committed batches of
/// at most <c>batchSize</c> rows; inside one only if the table cannot exceed the limit.
/// </summary>
static class BatchedDelete
{
	public static int Run(DbCommand batchCommand, int batchSize, bool keyed, string table, AuroraDsqlRetryOptions retryOptions)
	{
		if (batchCommand.Transaction != null || !keyed)
		{
			var rows = CountUpTo(batchCommand, table, batchSize + 1);
			if (rows > batchSize)
				throw TooManyRows(batchCommand.Transaction != null, keyed, table, batchSize);

			return batchCommand.ExecuteNonQuery();
		}

		// Each batch is its own autocommitted transaction, retried on conflicts.
		var policy = new AuroraDsqlRetryPolicy(retryOptions);
		return BatchLoop.Run(batchSize, () => policy.Execute(batchCommand.ExecuteNonQuery));
	}

	public static async Task<int> RunAsync(DbCommand batchCommand, int batchSize, bool keyed, string table, AuroraDsqlRetryOptions retryOptions, CancellationToken cancellationToken)
	{
		if (batchCommand.Transaction != null || !keyed)
		{
			var rows = await CountUpToAsync(batchCommand, table, batchSize + 1, cancellationToken).ConfigureAwait(false);
			if (rows > batchSize)
				throw TooManyRows(batchCommand.Transaction != null, keyed, table, batchSize);

			return await batchCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
		}

		var policy = new AuroraDsqlRetryPolicy(retryOptions);
		return await BatchLoop.RunAsync(batchSize, ct => policy.ExecuteAsync(batchCommand.ExecuteNonQueryAsync, ct), cancellationToken).ConfigureAwait(false);
	}

	static long CountUpTo(DbCommand template, string table, int limit)
	{
		using var count = CreateCountCommand(template, table, limit);
		return Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
	}

	static async Task<long> CountUpToAsync(DbCommand template, string table, int limit, CancellationToken cancellationToken)
	{
		var count = CreateCountCommand(template, table, limit);
		await using (count.ConfigureAwait(false))
			return Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
	}

	static DbCommand CreateCountCommand(DbCommand template, string table, int limit)
	{
		var count = template.Connection!.CreateCommand();
		count.Transaction    = template.Transaction;
		count.CommandTimeout = template.CommandTimeout;
#pragma warning disable CA2100 // the table name was quoted by the SQL builder
		count.CommandText    = string.Create(CultureInfo.InvariantCulture, $"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {limit}) AS t");
#pragma warning restore CA2100
		return count;
	}

	static AuroraDsqlNotSupportedException TooManyRows(bool inTransaction, bool keyed, string table, int batchSize) =>
		inTransaction
			? new AuroraDsqlNotSupportedException(
				$"Truncate of {table} inside a transaction could delete more than {batchSize:N0} rows, and Aurora DSQL allows at most " +
				$"{AuroraDsqlOptions.DsqlMaxRowsPerTransaction:N0} modified rows per transaction (SQLSTATE 54000). Nothing was deleted. " +
				"Call Truncate() outside the transaction: it then deletes in committed batches.")
			: new AuroraDsqlNotSupportedException(
				$"Truncate of {table} must delete more than {batchSize:N0} rows, which needs several transactions, but the mapping has no primary key " +
				"to delete in batches by. Nothing was deleted. Map the table's primary key ([PrimaryKey]).");
}
