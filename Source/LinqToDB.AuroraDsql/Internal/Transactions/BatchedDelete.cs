using System.Data.Common;
using System.Globalization;

using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

/// <summary>
/// Runs <c>Truncate()</c> within DSQL's per-transaction row limit: outside a transaction it deletes in committed batches
/// of at most <c>batchSize</c> rows by primary key; inside one (the command's, or an ambient TransactionScope's) or
/// without a key it deletes everything at once, but only if the table cannot exceed the limit.
/// </summary>
static class BatchedDelete
{
	const string Truncate = "Truncate";

	public static int Run(DbCommand deleteAll, bool inTransaction, int batchSize, string table, string keys, AuroraDsqlOptions options)
	{
		if (inTransaction || keys.Length == 0)
		{
			if (CountUpTo(deleteAll, table, batchSize + 1) > batchSize)
				throw TooManyRows(inTransaction, table, batchSize, options);

			return deleteAll.ExecuteNonQuery();
		}

		// Each batch is its own autocommitted transaction, retried on conflicts.
		using var batch = CreateCommand(deleteAll, BatchSql(table, keys, batchSize));
		var policy = AuroraDsqlRetryPolicy.ForAutocommit(options);
		ProviderLoggers.For(options, ProviderLoggers.Commands).TruncateInBatches(table, batchSize);
		return new BatchLoop(Truncate, table, options, null).Run(batchSize, () => policy.Execute(batch.ExecuteNonQuery));
	}

	public static async Task<int> RunAsync(DbCommand deleteAll, bool inTransaction, int batchSize, string table, string keys, AuroraDsqlOptions options, CancellationToken cancellationToken)
	{
		if (inTransaction || keys.Length == 0)
		{
			if (await CountUpToAsync(deleteAll, table, batchSize + 1, cancellationToken).ConfigureAwait(false) > batchSize)
				throw TooManyRows(inTransaction, table, batchSize, options);

			return await deleteAll.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
		}

		var batch = CreateCommand(deleteAll, BatchSql(table, keys, batchSize));
		await using (batch.ConfigureAwait(false))
		{
			var policy = AuroraDsqlRetryPolicy.ForAutocommit(options);
			ProviderLoggers.For(options, ProviderLoggers.Commands).TruncateInBatches(table, batchSize);
			return await new BatchLoop(Truncate, table, options, null)
				.RunAsync(batchSize, ct => policy.ExecuteAsync(batch.ExecuteNonQueryAsync, ct), cancellationToken).ConfigureAwait(false);
		}
	}

	static string BatchSql(string table, string keys, int batchSize) =>
		string.Create(CultureInfo.InvariantCulture, $"DELETE FROM {table} WHERE ({keys}) IN (SELECT {keys} FROM {table} LIMIT {batchSize})");

	static long CountUpTo(DbCommand template, string table, int limit)
	{
		using var count = CreateCommand(template, CountSql(table, limit));
		return Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
	}

	static async Task<long> CountUpToAsync(DbCommand template, string table, int limit, CancellationToken cancellationToken)
	{
		var count = CreateCommand(template, CountSql(table, limit));
		await using (count.ConfigureAwait(false))
			return Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
	}

	static string CountSql(string table, int limit) =>
		string.Create(CultureInfo.InvariantCulture, $"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {limit}) AS t");

	static DbCommand CreateCommand(DbCommand template, string sql)
	{
		var command = template.Connection!.CreateCommand();
		command.Transaction    = template.Transaction;
		command.CommandTimeout = template.CommandTimeout;
#pragma warning disable CA2100 // names quoted by the SQL builder
		command.CommandText    = sql;
#pragma warning restore CA2100
		return command;
	}

	static AuroraDsqlNotSupportedException TooManyRows(bool inTransaction, string table, int batchSize, AuroraDsqlOptions options)
	{
		if (inTransaction)
			ProviderLoggers.For(options, ProviderLoggers.Batches).RefusedInTransaction(Truncate, table, batchSize);

		return TooManyRows(inTransaction, table, batchSize);
	}

	static AuroraDsqlNotSupportedException TooManyRows(bool inTransaction, string table, int batchSize) =>
		inTransaction
			? new AuroraDsqlNotSupportedException(
				$"Truncate of {table} inside a transaction could delete more than {batchSize:N0} rows, and Aurora DSQL allows at most " +
				$"{AuroraDsqlOptions.DsqlMaxRowsPerTransaction:N0} modified rows per transaction (SQLSTATE 54000). Nothing was deleted. " +
				"Call Truncate() outside the transaction or TransactionScope: it then deletes in committed batches.")
			: new AuroraDsqlNotSupportedException(
				$"Truncate of {table} must delete more than {batchSize:N0} rows, which needs several transactions, but the mapping has no primary key " +
				"to delete in batches by. Nothing was deleted. Map the table's primary key ([PrimaryKey]).");
}
