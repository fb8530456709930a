using System.Data;
using Npgsql;

namespace AuroraDsql.Local.Tests.Rules;

/// <summary>
/// DSQL's per-transaction rules through the endpoint: one DDL statement per transaction, DDL never with DML (explicit
/// blocks, multi-statement queries, extended batches, re-executed prepared statements), and what a refusal does to the
/// transaction it happens in.
/// </summary>
public sealed class TransactionRuleTests
{
	const string MultipleDdl = "multiple ddl statements not supported in a transaction";
	const string DdlAndDml = "ddl and dml are not supported in the same transaction";

	static LocalDsqlEndpoint Endpoint => EndpointFixture.Endpoint;

	static async Task<string> CreateTableAsync()
	{
		var table = EndpointFixture.UniqueName("tx");
		await using var connection = await EndpointFixture.OpenAsync();
		await using var command = new NpgsqlCommand($"CREATE TABLE {table} (id int PRIMARY KEY, v text)", connection);
		await command.ExecuteNonQueryAsync();
		return table;
	}

	static async Task<bool> ExistsAsync(string table)
	{
		await using var connection = await EndpointFixture.OpenBackendAsync();
		await using var command = new NpgsqlCommand($"SELECT to_regclass('{table}') IS NOT NULL", connection);
		return (bool)(await command.ExecuteScalarAsync())!;
	}

	static string Outcome(List<RawPgClient.Message> messages) => string.Join(" ", messages.Where(m => m.Type is 'C' or 'E' or 'Z').Select(m => m.ToString()));

	[Test]
	public async Task ARefusalInsideABlockAbortsItAndCommitAnswersRollback()
	{
		var table = await CreateTableAsync();
		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var __ = client;

		Outcome(await client.QueryAsync("BEGIN")).Should().Be("C(BEGIN) Z(T)");
		Outcome(await client.QueryAsync($"INSERT INTO {table} VALUES (1, 'a')")).Should().Be("C(INSERT 0 1) Z(T)");
		Outcome(await client.QueryAsync($"TRUNCATE {table}")).Should().Be("E(0A000: unsupported statement: Truncate) Z(E)");
		Outcome(await client.QueryAsync("SELECT 1")).Should().StartWith("E(25P02: ");
		Outcome(await client.QueryAsync("COMMIT")).Should().Be("C(ROLLBACK) Z(I)");
		Outcome(await client.QueryAsync($"SELECT count(*) FROM {table}")).Should().Be("C(SELECT 1) Z(I)");
		(await client.QueryAsync($"SELECT count(*) FROM {table}")).Single(m => m.Type == 'D').Values.Should().Equal("0");
	}

	[Test]
	public async Task ARefusalOutsideABlockPoisonsNothing()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var refused = () => new NpgsqlCommand("SAVEPOINT s", connection).ExecuteNonQueryAsync();
		(await refused.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("0A000");

		await using var next = new NpgsqlCommand("SELECT 42", connection);
		(await next.ExecuteScalarAsync()).Should().Be(42);
		connection.State.Should().Be(ConnectionState.Open);
	}

	[Test]
	public async Task NpgsqlDefaultTransactionsAreRefusedLikeOnDsql()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		// BeginTransaction() without a level sends BEGIN TRANSACTION ISOLATION LEVEL READ COMMITTED
		await using var transaction = await connection.BeginTransactionAsync();
		var act = () => new NpgsqlCommand("SELECT 1", connection, transaction).ExecuteScalarAsync();
		var error = (await act.Should().ThrowAsync<PostgresException>()).Which;
		(error.SqlState, error.MessageText).Should().Be(("0A000", "Unsupported isolation level: READ COMMITTED"));
	}

	[Test]
	public async Task OneDdlStatementPerTransaction()
	{
		var first = EndpointFixture.UniqueName("one");
		var second = EndpointFixture.UniqueName("two");
		await using var connection = await EndpointFixture.OpenAsync();
		await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			await new NpgsqlCommand($"CREATE TABLE {first} (a int)", connection, transaction).ExecuteNonQueryAsync();
			var act = () => new NpgsqlCommand($"CREATE TABLE {second} (a int)", connection, transaction).ExecuteNonQueryAsync();
			var error = (await act.Should().ThrowAsync<PostgresException>()).Which;
			(error.SqlState, error.MessageText).Should().Be(("0A000", MultipleDdl));
			await transaction.RollbackAsync();
		}

		(await ExistsAsync(first)).Should().BeFalse();

		// reads do not count as DML: DDL after a read commits
		await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			await new NpgsqlCommand("SELECT count(*) FROM pg_class", connection, transaction).ExecuteScalarAsync();
			await new NpgsqlCommand($"CREATE TABLE {first} (a int)", connection, transaction).ExecuteNonQueryAsync();
			await new NpgsqlCommand("SHOW search_path", connection, transaction).ExecuteScalarAsync();
			await transaction.CommitAsync();
		}

		(await ExistsAsync(first)).Should().BeTrue();
	}

	[TestCase("INSERT INTO {0} VALUES (1, 'a')", "CREATE INDEX ASYNC ON {0} (v)")]
	[TestCase("CREATE TABLE {1} (a int)", "UPDATE {0} SET v = 'b'")]
	[TestCase("SELECT * FROM {0} FOR UPDATE", "ALTER TABLE {0} ADD COLUMN w text")]
	[TestCase("DELETE FROM {0}", "DROP TABLE {0}")]
	public async Task DdlAndDmlAreNotMixedInABlock(string first, string second)
	{
		var table = await CreateTableAsync();
		var other = EndpointFixture.UniqueName("other");
		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var __ = client;

		await client.QueryAsync("BEGIN");
		Outcome(await client.QueryAsync(string.Format(first, table, other))).Should().NotContain("E(");
		Outcome(await client.QueryAsync(string.Format(second, table, other))).Should().Be($"E(0A000: {DdlAndDml}) Z(E)");
		Outcome(await client.QueryAsync("COMMIT")).Should().Be("C(ROLLBACK) Z(I)");
		(await ExistsAsync(other)).Should().BeFalse();
	}

	[Test]
	public async Task AMultiStatementQueryIsOneTransaction()
	{
		var table = EndpointFixture.UniqueName("multi");
		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var __ = client;

		Outcome(await client.QueryAsync($"CREATE TABLE {table} (a int); INSERT INTO {table} VALUES (1); SELECT 1"))
			.Should().Be($"C(CREATE TABLE) E(0A000: {DdlAndDml}) Z(I)");
		(await ExistsAsync(table)).Should().BeFalse();

		Outcome(await client.QueryAsync($"CREATE TABLE {table} (a int); CREATE INDEX ASYNC ON {table} (a)"))
			.Should().Be($"C(CREATE TABLE) E(0A000: {MultipleDdl}) Z(I)");
		(await ExistsAsync(table)).Should().BeFalse();

		// the next query is a new transaction
		Outcome(await client.QueryAsync($"CREATE TABLE {table} (a int)")).Should().Be("C(CREATE TABLE) Z(I)");
		Outcome(await client.QueryAsync($"INSERT INTO {table} VALUES (1)")).Should().Be("C(INSERT 0 1) Z(I)");
	}

	[Test]
	public async Task AnExtendedBatchUpToSyncIsOneTransaction()
	{
		var table = EndpointFixture.UniqueName("batch");
		await using var connection = await EndpointFixture.OpenAsync();
		await using var batch = new NpgsqlBatch(connection)
		{
			BatchCommands = { new NpgsqlBatchCommand($"CREATE TABLE {table} (a int)"), new NpgsqlBatchCommand($"INSERT INTO {table} VALUES (1)") },
		};
		var act = () => batch.ExecuteNonQueryAsync();
		var error = (await act.Should().ThrowAsync<PostgresException>()).Which;
		(error.SqlState, error.MessageText).Should().Be(("0A000", DdlAndDml));
		(await ExistsAsync(table)).Should().BeFalse();

		await using var next = new NpgsqlCommand("SELECT 7", connection);
		(await next.ExecuteScalarAsync()).Should().Be(7);
	}

	[Test]
	public async Task APreparedStatementExecutedAgainIsCheckedInItsNewTransaction()
	{
		var table = await CreateTableAsync();
		var other = EndpointFixture.UniqueName("prep");
		await using var connection = await EndpointFixture.OpenAsync();

		await using var insert = new NpgsqlCommand($"INSERT INTO {table} VALUES (@id, @v)", connection);
		insert.Parameters.AddWithValue("id", 1);
		insert.Parameters.AddWithValue("v", "one");
		await insert.PrepareAsync();
		(await insert.ExecuteNonQueryAsync()).Should().Be(1);

		await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			await new NpgsqlCommand($"CREATE TABLE {other} (a int)", connection, transaction).ExecuteNonQueryAsync();
			insert.Transaction = transaction;
			insert.Parameters["id"].Value = 2;
			var act = () => insert.ExecuteNonQueryAsync();
			var error = (await act.Should().ThrowAsync<PostgresException>()).Which;
			(error.SqlState, error.MessageText).Should().Be(("0A000", DdlAndDml));

			var aborted = () => new NpgsqlCommand("SELECT 1", connection, transaction).ExecuteScalarAsync();
			(await aborted.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("25P02");
			await transaction.RollbackAsync();
		}

		// still prepared and valid outside
		insert.Transaction = null;
		insert.Parameters["id"].Value = 3;
		(await insert.ExecuteNonQueryAsync()).Should().Be(1);
		await using var count = new NpgsqlCommand($"SELECT string_agg(id::text, ',' ORDER BY id) FROM {table}", connection);
		(await count.ExecuteScalarAsync()).Should().Be("1,3");
		(await ExistsAsync(other)).Should().BeFalse();
	}

	[Test]
	public async Task ANamedStatementParsedOnceIsRefusedAtBindInTheWrongTransaction()
	{
		var table = await CreateTableAsync();
		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var __ = client;

		await client.SendAsync(RawPgClient.Parse($"DELETE FROM {table} WHERE id = $1::int", "del"), RawPgClient.Sync());
		await client.ReadUntilReadyAsync();

		// executed in autocommit: fine, twice
		for (var k = 0; k < 2; k++)
		{
			await client.SendAsync(RawPgClient.Bind("", "del", "1"), RawPgClient.Execute(), RawPgClient.Sync());
			Outcome(await client.ReadUntilReadyAsync()).Should().Be("C(DELETE 0) Z(I)");
		}

		// after DDL in the same block: refused at its Bind, with the block aborted and everything up to Sync skipped
		await client.QueryAsync("BEGIN");
		await client.QueryAsync($"ALTER TABLE {table} ADD COLUMN w text");
		await client.SendAsync(RawPgClient.Bind("", "del", "1"), RawPgClient.Execute(), RawPgClient.Bind("", "del", "2"), RawPgClient.Execute(), RawPgClient.Sync());
		var messages = await client.ReadUntilReadyAsync();
		messages.Select(m => m.ToString()).Should().Equal("2", $"E(0A000: {DdlAndDml})", "Z(E)");
		Outcome(await client.QueryAsync("COMMIT")).Should().Be("C(ROLLBACK) Z(I)");

		// and fine again afterwards
		await client.SendAsync(RawPgClient.Bind("", "del", "1"), RawPgClient.Execute(), RawPgClient.Sync());
		Outcome(await client.ReadUntilReadyAsync()).Should().Be("C(DELETE 0) Z(I)");
	}

	[Test]
	public async Task PipelinedBeginWithARefusedLevelLeavesTheNextCommandsInAutocommit()
	{
		var table = await CreateTableAsync();
		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var __ = client;

		// as Npgsql sends BeginTransaction(): BEGIN … prepended to the next command
		await client.SendAsync(RawPgClient.Build('Q', RawPgClient.CString("BEGIN ISOLATION LEVEL SERIALIZABLE")),
			RawPgClient.Parse($"INSERT INTO {table} VALUES (1, 'x')"), RawPgClient.Bind(), RawPgClient.Execute(), RawPgClient.Sync());
		Outcome(await client.ReadUntilReadyAsync()).Should().Be("E(0A000: Unsupported isolation level: SERIALIZABLE) Z(I)");
		Outcome(await client.ReadUntilReadyAsync()).Should().Be("C(INSERT 0 1) Z(I)");

		// nothing is left over: DDL goes through in its own transaction
		Outcome(await client.QueryAsync($"ALTER TABLE {table} ADD COLUMN w text")).Should().Be("C(ALTER TABLE) Z(I)");
	}
}
