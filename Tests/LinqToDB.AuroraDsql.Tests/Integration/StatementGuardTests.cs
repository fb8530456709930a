using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Testing;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// Every command is checked against DSQL's rules before it is sent: what DSQL would refuse fails in the client with
/// <see cref="AuroraDsqlNotSupportedException"/> (the endpoint, which enforces the same rules, would answer with a
/// <see cref="PostgresException"/>), the server never sees it, and the connection stays usable.
/// </summary>
public sealed class StatementGuardTests
{
	[Table("guard_item")]
	sealed class Item
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	[Table("guard_other")]
	sealed class Other
	{
		[PrimaryKey] public int Id { get; set; }
	}

	static DataConnection Connect(SqlRecorder recorder, bool check = true) =>
		TestDatabase.Connect(o => o.UseInterceptor(recorder).UseAuroraDsqlOptions(d => d with { CheckStatementsBeforeSending = check }));

	[TestCase("TRUNCATE guard_item", "0A000", "*Truncate*Use DELETE*Table.Truncate() does that for you.*")]
	[TestCase("SAVEPOINT before_change", "0A000", "*SAVEPOINT*")]
	[TestCase("BEGIN ISOLATION LEVEL SERIALIZABLE", "0A000", "*")]
	[TestCase("CREATE TEMPORARY TABLE scratch (id int PRIMARY KEY)", "0A000", "*TEMP*")]
	[TestCase("LOCK TABLE guard_item", "0A000", "*LOCK*")]
	public async Task StatementsDsqlRefusesFailBeforeTheyAreSent(string sql, string sqlState, string messagePattern)
	{
		var recorder = new SqlRecorder();
		await using var db = Connect(recorder);

		var refusal = FluentActions.Invoking(() => db.Execute(sql))
			.Should().Throw<AuroraDsqlNotSupportedException>().Which;

		refusal.Message.Should().StartWith($"Aurora DSQL would refuse this command ({sqlState}: ")
			.And.Contain(sql).And.EndWith("Nothing was sent.");
		refusal.Message.Should().Match(messagePattern);
		db.Execute<int>("SELECT 1").Should().Be(1, "the connection is still usable");
	}

	[Test]
	public async Task LiteralsAndCommentsNeverTriggerARefusal()
	{
		var recorder = new SqlRecorder();
		await using var db = Connect(recorder);

		db.Execute<string>("SELECT 'TRUNCATE t; SAVEPOINT s' /* LOCK TABLE t */").Should().Be("TRUNCATE t; SAVEPOINT s");
	}

	[Test]
	public async Task StatementTimeoutPointsToTheCommandTimeout()
	{
		var recorder = new SqlRecorder();
		await using var db = Connect(recorder);

		FluentActions.Invoking(() => db.Execute("SET statement_timeout = '5s'"))
			.Should().Throw<AuroraDsqlNotSupportedException>()
			.WithMessage("Aurora DSQL would refuse this command (*SET statement_timeout = '5s'*client-side command timeout*CommandTimeout*Nothing was sent.");
	}

	[Test]
	public async Task ASecondDdlInOneTransactionIsRefusedAndTheFirstStillCommits()
	{
		var recorder = new SqlRecorder();
		await using var db = Connect(recorder);
		db.DropTable<Item>(throwExceptionIfNotExists: false);
		db.DropTable<Other>(throwExceptionIfNotExists: false);

		await using (var transaction = await db.BeginTransactionAsync())
		{
			await db.CreateTableAsync<Item>();

			await FluentActions.Awaiting(() => db.CreateTableAsync<Other>())
				.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
				.WithMessage("*multiple ddl statements not supported in a transaction*CREATE TABLE*guard_other*already ran: CREATE TABLE*guard_item*Nothing was sent.");

			await transaction.CommitAsync();
		}

		db.Execute<int>($"SELECT count(*) FROM {TestDatabase.TableName<Item>()}").Should().Be(0, "the first DDL committed");
		db.Execute<bool>($"SELECT to_regclass('{TestDatabase.TableName<Other>()}') IS NULL").Should().BeTrue();
		db.DropTable<Item>();
	}

	[Test]
	public async Task DdlAfterDmlInOneTransactionIsRefused()
	{
		var recorder = new SqlRecorder();
		await using var db = Connect(recorder);
		db.DropTable<Item>(throwExceptionIfNotExists: false);
		db.DropTable<Other>(throwExceptionIfNotExists: false);
		db.CreateTable<Item>();

		await using (var transaction = await db.BeginTransactionAsync())
		{
			await db.InsertAsync(new Item { Id = 1, Name = "kept" });

			await FluentActions.Awaiting(() => db.CreateTableAsync<Other>())
				.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
				.WithMessage("*ddl and dml are not supported in the same transaction*Nothing was sent.");

			await transaction.CommitAsync();
		}

		db.GetTable<Item>().Select(i => i.Name).ToList().Should().Equal("kept");
		db.DropTable<Item>();
	}

	[Test]
	public async Task ACommandThatFailedInTheClientDoesNotCountForTheTransaction()
	{
		var recorder = new SqlRecorder();
		await using var db = Connect(recorder);
		db.DropTable<Item>(throwExceptionIfNotExists: false);

		await using (var transaction = await db.BeginTransactionAsync())
		{
			// Npgsql cannot send a string as an int: the INSERT fails in the client and never reaches the server.
			FluentActions.Invoking(() => db.Execute($"INSERT INTO {TestDatabase.TableName<Other>()} (\"Id\") VALUES (@id)", new DataParameter("id", "not a number", DataType.Int32)))
				.Should().Throw<Exception>().Where(e => !(e is NpgsqlException));

			await db.CreateTableAsync<Item>();
			await transaction.CommitAsync();
		}

		db.Execute<bool>($"SELECT to_regclass('{TestDatabase.TableName<Item>()}') IS NOT NULL").Should().BeTrue();
		db.DropTable<Item>();
	}

	[Test]
	public async Task ANewTransactionStartsANewLedger()
	{
		var recorder = new SqlRecorder();
		await using var db = Connect(recorder);
		db.DropTable<Item>(throwExceptionIfNotExists: false);
		db.DropTable<Other>(throwExceptionIfNotExists: false);

		using (var transaction = db.BeginTransaction())
		{
			db.CreateTable<Item>();
			transaction.Commit();
		}

		using (var transaction = db.BeginTransaction())
		{
			db.CreateTable<Other>();
			transaction.Commit();
		}

		db.Execute<bool>($"SELECT to_regclass('{TestDatabase.TableName<Item>()}') IS NOT NULL AND to_regclass('{TestDatabase.TableName<Other>()}') IS NOT NULL").Should().BeTrue();
		db.DropTable<Item>();
		db.DropTable<Other>();
	}

	[Test]
	public async Task TurnedOffTheServerAnswersInstead()
	{
		var recorder = new SqlRecorder();
		await using var db = Connect(recorder, check: false);

		FluentActions.Invoking(() => db.Execute("TRUNCATE guard_item"))
			.Should().Throw<PostgresException>().Which.SqlState.Should().Be("0A000");
		recorder.Commands.Should().Contain("TRUNCATE guard_item");
	}
}
