using AuroraDsql.Sql;

using LinqToDB.DataProvider.AuroraDsql;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Commands;

/// <summary>
/// Turns DSQL's bare <c>54000 transaction row limit exceeded</c> from a set-based statement into an
/// <see cref="AuroraDsqlRowLimitExceededException"/> that names the batched operation to use instead.
/// </summary>
static class RowLimitErrors
{
	public static AuroraDsqlRowLimitExceededException? Translate(Exception exception, string? lastCommandText, bool inTransaction)
	{
		if (exception is not PostgresException { SqlState: AuroraDsqlErrors.ProgramLimitExceeded } error
			|| !error.MessageText.Contains("row limit", StringComparison.OrdinalIgnoreCase))
			return null;

		var sql     = error.BatchCommand?.CommandText ?? lastCommandText ?? "";
		var instead = Verb(sql) switch
		{
			"insert" when Upserts(sql) => "Merge the source in parts of at most that many rows (for example by key range), each Merge() committing on its own; " +
				"an insert-only merge is InsertInBatches (source.InsertInBatches(table, setter)), which skips keys already in the table",
			"insert" when Reads(sql)   => "Insert the rows with InsertInBatches (source.InsertInBatches(table, setter)), which commits them batch by batch",
			"insert"                   => "Load the rows with BulkCopy, which commits them in chunks within the limit",
			"update"                   => "Update the rows with UpdateInBatches (table.UpdateInBatches(predicate, setter)), which commits them batch by batch",
			"delete"                   => "Delete the rows with DeleteInBatches (table.DeleteInBatches(predicate)), which commits them batch by batch",
			_                          => "Split the work into transactions of at most that many rows (InsertInBatches, UpdateInBatches, DeleteInBatches and BulkCopy do that)",
		};

		var where = inTransaction
			? $"This statement took its transaction past Aurora DSQL's limit of {AuroraDsqlOptions.DsqlMaxRowsPerTransaction:N0} modified rows: the transaction is aborted, and can only be rolled back. " +
				"Keep a transaction under the limit; for more rows, run the batched operation outside the transaction (each batch commits on its own). "
			: $"This statement modifies more than Aurora DSQL's limit of {AuroraDsqlOptions.DsqlMaxRowsPerTransaction:N0} rows per transaction (one statement is one transaction), " +
				"and nothing was changed. ";

		return new AuroraDsqlRowLimitExceededException($"{where}{instead}. (SQLSTATE 54000: {error.MessageText})", exception);
	}

	/// <summary>The statement's verb: the first INSERT, UPDATE or DELETE keyword (after a WITH clause's CTEs, the main one).</summary>
	static string? Verb(string sql)
	{
		if (StatementSplitter.Split(sql) is not [var statement, ..])
			return null;

		var depth = 0;
		string? first = null;

		for (var i = 0; i < statement.Tokens.Count; i++)
		{
			if (statement.IsSymbol(i, "("))
				depth++;
			else if (statement.IsSymbol(i, ")"))
				depth--;
			else if (depth == 0)
			{
				foreach (var verb in (string[])["insert", "update", "delete"])
				{
					if (statement.IsKeyword(i, verb))
						return verb;
				}
			}
			else
			{
				foreach (var verb in (string[])["insert", "update", "delete"])
				{
					if (first is null && statement.IsKeyword(i, verb))
						first = verb;
				}
			}
		}

		return first;
	}

	/// <summary>An <c>INSERT … ON CONFLICT … DO UPDATE</c> (an upsert, as <c>Merge()</c> and <c>InsertOrUpdate</c> run).</summary>
	static bool Upserts(string sql)
	{
		if (StatementSplitter.Split(sql) is not [var statement, ..])
			return false;

		var conflict = false;
		for (var i = 0; i < statement.Tokens.Count; i++)
		{
			if (statement.IsKeyword(i, "conflict"))
				conflict = true;
			else if (conflict && statement.IsKeyword(i, "do") && statement.IsKeyword(i + 1, "update"))
				return true;
		}

		return false;
	}

	/// <summary>An INSERT that reads rows (<c>INSERT … SELECT</c>) rather than listing them.</summary>
	static bool Reads(string sql) =>
		StatementSplitter.Split(sql) is [var statement, ..] && Enumerable.Range(0, statement.Tokens.Count).Any(i => statement.IsKeyword(i, "select"));
}
