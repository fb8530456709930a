using LinqToDB.Internal.DataProvider.AuroraDsql.Commands;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

/// <summary>Which batched operation the 54000 row-limit error names, by the statement that crossed the limit.</summary>
public sealed class RowLimitErrorsTests
{
	static PostgresException RowLimit() => new("transaction row limit exceeded", "ERROR", "ERROR", "54000");

	[TestCase("INSERT INTO ledger (\"Id\") SELECT s.\"Id\" FROM staged s",                         "*InsertInBatches*")]
	[TestCase("INSERT INTO ledger (\"Id\") VALUES (1), (2)",                                       "*BulkCopy*")]
	[TestCase("INSERT INTO ledger AS \"Target\" (\"Id\") SELECT \"Source\".\"Id\" FROM staged \"Source\" ON CONFLICT (\"Id\") DO UPDATE SET \"Amount\" = EXCLUDED.\"Amount\"", "*Merge the source in parts*InsertInBatches*")]
	[TestCase("INSERT INTO ledger AS \"Target\" (\"Id\") SELECT \"Source\".\"Id\" FROM staged \"Source\" ON CONFLICT (\"Id\") DO NOTHING", "*Insert the rows with InsertInBatches*")]
	[TestCase("UPDATE ledger SET \"Amount\" = 1 WHERE \"Id\" > 0",                                 "*UpdateInBatches*")]
	[TestCase("DELETE FROM ledger t1 WHERE t1.\"Id\" > 0",                                          "*DeleteInBatches*")]
	[TestCase("WITH old AS (SELECT \"Id\" FROM ledger WHERE \"Amount\" < 0) DELETE FROM ledger WHERE \"Id\" IN (SELECT \"Id\" FROM old)", "*DeleteInBatches*")]
	[TestCase("WITH moved AS (DELETE FROM staged RETURNING *) INSERT INTO ledger SELECT * FROM moved", "*InsertInBatches*")]
	public void NamesTheBatchedOperationForTheStatement(string sql, string pattern) =>
		RowLimitErrors.Translate(RowLimit(), sql, inTransaction: false).Should().NotBeNull()
			.And.Subject.As<AuroraDsqlRowLimitExceededException>().Message.Should().Match(pattern).And.Contain("nothing was changed");

	[Test]
	public void InsideATransactionSaysTheTransactionIsAborted() =>
		RowLimitErrors.Translate(RowLimit(), "UPDATE ledger SET \"Amount\" = 1", inTransaction: true)!.Message
			.Should().Match("*took its transaction past*3,000 modified rows*aborted*outside the transaction*UpdateInBatches*");

	[Test]
	public void KeepsTheServersErrorAsTheInnerException()
	{
		var error = RowLimit();
		var translated = RowLimitErrors.Translate(error, "DELETE FROM ledger", inTransaction: false)!;

		translated.InnerException.Should().BeSameAs(error);
		translated.SqlState.Should().Be("54000");
	}

	[Test]
	public void LeavesOtherErrorsAlone()
	{
		RowLimitErrors.Translate(new PostgresException("transaction size limit 10mb exceeded", "ERROR", "ERROR", "54000"), "DELETE FROM ledger", false).Should().BeNull();
		RowLimitErrors.Translate(new PostgresException("duplicate key value", "ERROR", "ERROR", "23505"), "INSERT INTO ledger VALUES (1)", false).Should().BeNull();
		RowLimitErrors.Translate(new InvalidOperationException("transaction row limit exceeded"), "DELETE FROM ledger", false).Should().BeNull();
	}
}
