using LinqToDB.Async;
using LinqToDB.Data;
using LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// Housekeeping for linq2db's temporary tables on Aurora DSQL. DSQL has none: <c>CreateTempTable</c>,
/// <c>IntoTempTable</c> and <c>TempTable&lt;T&gt;</c> create regular tables named
/// <c>tmp_&lt;UTC creation time yyyyMMddHHmmss&gt;_&lt;8 hex digits&gt;_&lt;name&gt;</c>, dropped when the temporary table is
/// disposed. A process that ends before that leaves them behind; they count toward DSQL's table quota until dropped.
/// </summary>
public static class AuroraDsqlTempTableExtensions
{
	const string ListSql =
		"SELECT schemaname AS \"Schema\", tablename AS \"Name\" FROM pg_catalog.pg_tables WHERE tablename LIKE 'tmp\\_%' ORDER BY 1, 2";

	sealed class TableName
	{
		public string Schema { get; set; } = "";
		public string Name   { get; set; } = "";
	}

	/// <summary>
	/// Drops the tables created for temporary tables more than <paramref name="olderThan"/> ago (by the creation time in
	/// their names), each in its own transaction. Returns the names dropped (<c>schema.table</c>). Tables of any other
	/// name are never touched. Choose an age longer than any unit of work that uses a temporary table.
	/// </summary>
	/// <param name="db">A connection outside any transaction (DROP TABLE is DDL, one statement per transaction on DSQL).</param>
	/// <param name="olderThan">Minimum age; at least zero.</param>
	/// <param name="cancellationToken">Stops between tables.</param>
	public static async Task<IReadOnlyList<string>> DropLeftoverTempTablesAsync(this DataConnection db, TimeSpan olderThan, CancellationToken cancellationToken = default)
	{
		var now     = Validate(db, olderThan);
		var dropped = new List<string>();

		foreach (var table in await db.QueryToListAsync<TableName>(ListSql, cancellationToken).ConfigureAwait(false))
		{
			if (TemporaryTables.CreatedAt(table.Name) is not { } created || now - created < olderThan)
				continue;

			cancellationToken.ThrowIfCancellationRequested();
			await db.ExecuteAsync(DropSql(table), cancellationToken).ConfigureAwait(false);
			dropped.Add(table.Schema + "." + table.Name);
		}

		return dropped;
	}

	/// <summary>
	/// Drops the tables created for temporary tables more than <paramref name="olderThan"/> ago (by the creation time in
	/// their names), each in its own transaction. Returns the names dropped (<c>schema.table</c>).
	/// </summary>
	/// <param name="db">A connection outside any transaction (DROP TABLE is DDL, one statement per transaction on DSQL).</param>
	/// <param name="olderThan">Minimum age; at least zero.</param>
	public static IReadOnlyList<string> DropLeftoverTempTables(this DataConnection db, TimeSpan olderThan)
	{
		var now     = Validate(db, olderThan);
		var dropped = new List<string>();

		foreach (var table in db.Query<TableName>(ListSql).ToList())
		{
			if (TemporaryTables.CreatedAt(table.Name) is not { } created || now - created < olderThan)
				continue;

			db.Execute(DropSql(table));
			dropped.Add(table.Schema + "." + table.Name);
		}

		return dropped;
	}

	static DateTime Validate(DataConnection db, TimeSpan olderThan)
	{
		ArgumentNullException.ThrowIfNull(db);
		ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);

		if (db.Transaction != null || System.Transactions.Transaction.Current != null)
			throw new AuroraDsqlNotSupportedException(
				"DropLeftoverTempTables drops tables, which is DDL: Aurora DSQL runs one DDL statement per transaction and never with DML. Nothing was sent. Call it outside any transaction or TransactionScope.");

		return DateTime.UtcNow;
	}

	static string DropSql(TableName table) =>
		$"DROP TABLE IF EXISTS {Quote(table.Schema)}.{Quote(table.Name)}";

	static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
