using System.Data;
using Npgsql;

using static AuroraDsql.Local.Tests.EndpointFixture;

namespace AuroraDsql.Local.Tests.Transactions;

/// <summary>
/// The protocol around a transaction that lost a conflict (its rows rolled back while it was idle, or a write run again
/// after it met a newer row): pipelined and extended-protocol clients, portals, failures of the run again, and a wait
/// that begins late in a long run of statements.
/// </summary>
public sealed class LostConflictTests
{
	const string Oc000 = "change conflicts with another transaction (OC000)";
	const string Aborted = "current transaction is aborted, commands ignored until end of transaction block";

	/// <summary>Lock waits last a minute here: only the monitor can let a waiter go on in time.</summary>
	LocalDsqlEndpoint _patient = null!;

	[OneTimeSetUp]
	public async Task StartAsync() => _patient = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
	{
		LockTimeout = TimeSpan.FromMinutes(1),
		Log         = TestContext.Progress,
	});

	[OneTimeTearDown]
	public async Task StopAsync() => await _patient.DisposeAsync();

	static IEnumerable<string> Texts(IEnumerable<RawPgClient.Message> messages) => messages.Select(m => m.ToString());

	static byte[] Flush() => RawPgClient.Build('H');

	/// <summary>
	/// The client's block writes row 1 and goes idle; the writer's update of the row goes on (the block loses it), so
	/// the block's COMMIT will fail.
	/// </summary>
	static async Task LoseTheRowAsync(RawPgClient client, NpgsqlConnection writer, string table)
	{
		await client.QueryAsync("BEGIN");
		await client.QueryAsync($"UPDATE {table} SET note = 'holder' WHERE id = 1");
		(await ExecuteAsync(writer, $"UPDATE {table} SET v = 5 WHERE id = 1")).Should().Be(1);
	}

	/// <summary>Up to <paramref name="count"/> messages that arrive within <paramref name="within"/> (no Sync: no ReadyForQuery).</summary>
	static async Task<List<string>> ReadSomeAsync(RawPgClient client, int count, TimeSpan within)
	{
		var result = new List<string>();
		var deadline = Task.Delay(within);
		while (result.Count < count)
		{
			var read = client.ReadAsync();
			if (await Task.WhenAny(read, deadline) != read)
				break;
			result.Add((await read).ToString());
		}

		return result;
	}

	[Test]
	public async Task ABindWithoutExecuteKeepsTheLossAndCommitFails()
	{
		var table = await CounterTableAsync(_patient, 1);
		await using var writer = await EndpointFixture.OpenAsync(endpoint: _patient);
		var (client, _) = await RawPgClient.ConnectAsync(_patient);
		await using var __ = client;

		await LoseTheRowAsync(client, writer, table);

		await client.SendAsync(RawPgClient.Parse("SELECT 1"), RawPgClient.Bind(), RawPgClient.Describe('P'), RawPgClient.Sync());
		Texts(await client.ReadUntilReadyAsync()).Should().Equal("1", "2", "n", "Z(T)"); // bound to the refusal, run by an Execute
		Texts(await client.QueryAsync("COMMIT")).Should().Equal($"E(40001: {Oc000})", "Z(I)");

		(await ScalarAsync(writer, $"SELECT v || note FROM {table} WHERE id = 1")).Should().Be("5");
	}

	[Test]
	public async Task APortalOpenedBeforeTheLossGetsTheConflictWhenFetchedAgain()
	{
		var table = await CounterTableAsync(_patient, 3);
		await using var writer = await EndpointFixture.OpenAsync(endpoint: _patient);
		var (client, _) = await RawPgClient.ConnectAsync(_patient);
		await using var __ = client;

		await client.QueryAsync("BEGIN");
		await client.SendAsync(RawPgClient.Parse($"SELECT id FROM {table} ORDER BY id FOR UPDATE"), RawPgClient.Bind("c1"), RawPgClient.Execute("c1", 1), RawPgClient.Sync());
		Texts(await client.ReadUntilReadyAsync()).Should().Equal("1", "2", "D(1)", "s", "Z(T)");

		(await ExecuteAsync(writer, $"UPDATE {table} SET v = 5 WHERE id = 1")).Should().Be(1);

		await client.SendAsync(RawPgClient.Execute("c1", 1), RawPgClient.Sync());
		Texts(await client.ReadUntilReadyAsync()).Should().Equal($"E(40001: {Oc000})", "Z(E)");
		Texts(await client.QueryAsync("COMMIT")).Should().Equal("C(ROLLBACK)", "Z(I)");
	}

	[Test]
	public async Task AWriteRunAgainThatFailsIsTheConflictAndTheBlockStaysFailed()
	{
		var table = await CounterTableAsync(EndpointFixture.Endpoint, 2);
		await using var other = await EndpointFixture.OpenAsync();
		var (client, _) = await RawPgClient.ConnectAsync(EndpointFixture.Endpoint);
		await using var __ = client;

		// run again on a fresh snapshot without the block's own DELETE, the key update meets a duplicate key
		await client.QueryAsync("BEGIN");
		(await client.QueryAsync($"DELETE FROM {table} WHERE id = 2")).Last().ToString().Should().Be("Z(T)");
		(await ExecuteAsync(other, $"UPDATE {table} SET v = 10 WHERE id = 1")).Should().Be(1);
		Texts(await client.QueryAsync($"UPDATE {table} SET id = 2 WHERE id = 1")).Should().Equal($"E(40001: {Oc000})", "Z(E)");
		Texts(await client.QueryAsync("SELECT 1")).Should().Equal($"E(25P02: {Aborted})", "Z(E)");
		Texts(await client.QueryAsync("COMMIT")).Should().Equal("C(ROLLBACK)", "Z(I)");

		(await ScalarAsync(other, $"SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM {table}")).Should().Be("1:10,2:0");
	}

	[Test]
	public async Task AStatementTheEndpointThoughtInABlockButThatRanAloneIsNotRunAgain()
	{
		var table = await CounterTableAsync(_patient, 1);
		await using var holder = await EndpointFixture.OpenAsync(endpoint: _patient);
		var (client, _) = await RawPgClient.ConnectAsync(_patient);
		await using var __ = client;

		// the BEGIN is skipped after the error in its pipeline, so the UPDATE runs alone, waits for the running holder (kept
		// running at a gate until the UPDATE waits) and meets its committed row
		await using var gate = await BackendGate.CloseAsync(_patient);
		var running = ExecuteAsync(holder, $"BEGIN; UPDATE {table} SET v = 10 WHERE id = 1; {gate.WaitSql}; COMMIT");
		await gate.WaitForWaitersAsync(1);
		await client.SendAsync(
			RawPgClient.Parse("SELECT 1/0"), RawPgClient.Bind(), RawPgClient.Execute(),
			RawPgClient.Parse("BEGIN"), RawPgClient.Bind(), RawPgClient.Execute(), RawPgClient.Sync(),
			RawPgClient.Parse($"UPDATE {table} SET v = v + 1 WHERE id = 1"), RawPgClient.Bind(), RawPgClient.Execute(), RawPgClient.Sync());
		var first = Texts(await client.ReadUntilReadyAsync()).ToList();
		await gate.WaitForWaitersAsync(2);
		await gate.OpenAsync();
		var second = Texts(await client.ReadUntilReadyAsync()).ToList();
		await running;

		first.Should().Equal("1", "E(22012: division by zero)", "Z(I)"); // (1/0 is folded when planned, at Bind)
		second.Should().Equal("1", "2", $"E(40001: {Oc000})", "Z(I)");

		Texts(await client.QueryAsync($"SELECT v FROM {table} WHERE id = 1")).Should().Equal("T", "D(10)", "C(SELECT 1)", "Z(I)");
	}

	[Test]
	public async Task ReparsingTheUnnamedStatementBetweenBindAndExecuteRunsTheBoundWrite()
	{
		var table = await CounterTableAsync(EndpointFixture.Endpoint, 1);
		var (client, _) = await RawPgClient.ConnectAsync(EndpointFixture.Endpoint);
		await using var __ = client;

		await client.QueryAsync("BEGIN");
		await client.SendAsync(RawPgClient.Parse($"UPDATE {table} SET v = 1 WHERE id = 1"), RawPgClient.Bind(), RawPgClient.Parse("SELECT 1"), RawPgClient.Execute(), RawPgClient.Sync());
		Texts(await client.ReadUntilReadyAsync()).Should().Equal("1", "2", "1", "C(UPDATE 1)", "Z(T)");
		Texts(await client.QueryAsync("COMMIT")).Should().Equal("C(COMMIT)", "Z(I)");
	}

	[Test]
	public async Task AWaitThatBeginsLateInALongQueryStillMakesTheIdleHolderLose()
	{
		// the default lock timeout (100 ms): the wait begins half a second into the waiter's query
		var table = await CounterTableAsync(EndpointFixture.Endpoint, 1);
		await using var holder = await EndpointFixture.OpenAsync();
		await using var waiter = await EndpointFixture.OpenAsync();

		await using var transaction = await holder.BeginTransactionAsync(IsolationLevel.RepeatableRead);
		await ExecuteAsync(holder, $"UPDATE {table} SET note = 'holder' WHERE id = 1", transaction);

		(await ExecuteAsync(waiter, $"SELECT pg_sleep(0.5); UPDATE {table} SET v = 7 WHERE id = 1")).Should().Be(1);

		var commit = () => transaction.CommitAsync();
		(await commit.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("40001");
		(await ScalarAsync(waiter, $"SELECT v || note FROM {table} WHERE id = 1")).Should().Be("7");
	}

	[Test]
	public async Task TheFailingCommitOfALostTransactionIsAnsweredAtAFlushBeforeSync()
	{
		var table = await CounterTableAsync(_patient, 1);
		await using var writer = await EndpointFixture.OpenAsync(endpoint: _patient);
		var (client, _) = await RawPgClient.ConnectAsync(_patient);
		await using var __ = client;

		await LoseTheRowAsync(client, writer, table);

		// a pipelining client (libpq pipeline mode, cursors) waits for the answer before it sends Sync
		await client.SendAsync(RawPgClient.Parse("COMMIT"), RawPgClient.Bind(), RawPgClient.Execute(), Flush());
		(await ReadSomeAsync(client, 3, TimeSpan.FromSeconds(10))).Should().Equal("1", "2", $"E(40001: {Oc000})");
		await client.SendAsync(RawPgClient.Sync());
		Texts(await client.ReadUntilReadyAsync()).Should().Equal("Z(I)");
	}

	[Test]
	public async Task AWriterWaitingAfterAFlushMakesTheIdleHolderLose()
	{
		var table = await CounterTableAsync(_patient, 1);
		await using var holder = await EndpointFixture.OpenAsync(endpoint: _patient);
		await using var transaction = await holder.BeginTransactionAsync(IsolationLevel.RepeatableRead);
		await ExecuteAsync(holder, $"UPDATE {table} SET note = 'holder' WHERE id = 1", transaction);

		var (client, _) = await RawPgClient.ConnectAsync(_patient);
		await using var __ = client;
		await client.QueryAsync("BEGIN");
		await client.SendAsync(RawPgClient.Parse($"UPDATE {table} SET v = 7 WHERE id = 1"), RawPgClient.Bind(), RawPgClient.Execute(), Flush());
		(await ReadSomeAsync(client, 3, TimeSpan.FromSeconds(10))).Should().Equal("1", "2", "C(UPDATE 1)");

		// the writer commits first, so the holder's COMMIT fails (committing first, the holder would have won)
		await client.SendAsync(RawPgClient.Sync());
		Texts(await client.ReadUntilReadyAsync()).Should().Equal("Z(T)");
		Texts(await client.QueryAsync("COMMIT")).Should().Equal("C(COMMIT)", "Z(I)");
		var commit = () => transaction.CommitAsync();
		(await commit.Should().ThrowAsync<PostgresException>()).Which.MessageText.Should().Be(Oc000);
		(await ScalarAsync(holder, $"SELECT v || note FROM {table} WHERE id = 1")).Should().Be("7");
	}

	[Test]
	public async Task ALostWriteIsRunAgainHoweverTheClientSplitsItsMessages()
	{
		var table = await CounterTableAsync(EndpointFixture.Endpoint, 1);
		await using var other = await EndpointFixture.OpenAsync();
		var (client, _) = await RawPgClient.ConnectAsync(EndpointFixture.Endpoint);
		await using var __ = client;

		for (var k = 0; k < 40; k++)
		{
			await client.QueryAsync("BEGIN");
			await client.QueryAsync($"SELECT v FROM {table}");
			await ExecuteAsync(other, $"UPDATE {table} SET v = v + 1 WHERE id = 1");
			var update = $"UPDATE {table} SET note = 'x' WHERE id = 1";
			if (k % 2 == 0)
				await client.SendAsync(RawPgClient.Parse(update), RawPgClient.Bind(), RawPgClient.Execute(), RawPgClient.Sync()); // one write each
			else
				await client.SendAsync([.. RawPgClient.Parse(update), .. RawPgClient.Bind(), .. RawPgClient.Execute(), .. RawPgClient.Sync()]);
			Texts(await client.ReadUntilReadyAsync()).Should().Equal(["1", "2", "C(UPDATE 1)", "Z(T)"], $"attempt {k}");
			Texts(await client.QueryAsync("COMMIT")).Should().Equal($"E(40001: {Oc000})", "Z(I)");
		}
	}

	[Test]
	public async Task AHolderGetsTheGraceFromWhenItBecameIdle()
	{
		var grace = TimeSpan.FromSeconds(2);
		await using var endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
		{
			LockTimeout     = TimeSpan.FromMinutes(1),
			IdleHolderGrace = grace,
		});
		var table = await CounterTableAsync(endpoint, 1);
		var (holder, _) = await RawPgClient.ConnectAsync(endpoint);
		await using var __ = holder;
		await using var waiter = await EndpointFixture.OpenAsync(endpoint: endpoint);
		await using var gate = await BackendGate.CloseAsync(endpoint);

		// the writer waits, longer than the grace, while the holder runs a statement (kept running at a gate); then the
		// holder commits as soon as it became idle (its COMMIT is sent along with the statement)
		await holder.QueryAsync("BEGIN");
		await holder.QueryAsync($"UPDATE {table} SET note = 'holder' WHERE id = 1");
		await holder.SendAsync(RawPgClient.Build('Q', RawPgClient.CString(gate.WaitSql)), RawPgClient.Build('Q', RawPgClient.CString("COMMIT")));
		await gate.WaitForWaitersAsync(1);
		var waiting = ExecuteAsync(waiter, $"UPDATE {table} SET v = 7 WHERE id = 1");
		await gate.WaitForWaitersAsync(2);
		await Task.Delay(grace + grace); // time passing is the subject: the waiter has waited longer than the grace (a lower bound)
		await gate.OpenAsync();
		(await holder.ReadUntilReadyAsync()).Last().ToString().Should().Be("Z(T)");
		(await holder.ReadUntilReadyAsync()).Select(m => m.ToString()).Should().Equal("C(COMMIT)", "Z(I)");

		// the waiting statement commits by itself, after the holder: it conflicts at once, as on DSQL
		var wait = () => waiting;
		(await wait.Should().ThrowAsync<PostgresException>()).Which.MessageText.Should().Be(Oc000);
		(await ScalarAsync(waiter, $"SELECT v || note FROM {table} WHERE id = 1")).Should().Be("0holder");
	}

	[Test]
	public async Task ARunAgainThatCannotBePreparedIsTheConflict()
	{
		var schema = EndpointFixture.UniqueName("s");
		await using var other = await EndpointFixture.OpenAsync();
		await ExecuteAsync(other, $"CREATE SCHEMA {schema}");
		await ExecuteAsync(other, $"CREATE TABLE {schema}.t (id int PRIMARY KEY, v int NOT NULL)");
		await ExecuteAsync(other, $"INSERT INTO {schema}.t VALUES (1, 0)");
		var (client, _) = await RawPgClient.ConnectAsync(EndpointFixture.Endpoint);
		await using var __ = client;

		// run again after the rollback, the block's SET LOCAL search_path is gone and "t" is not found
		await client.QueryAsync("BEGIN");
		await client.QueryAsync($"SET LOCAL search_path = {schema}, public");
		await client.QueryAsync("SELECT v FROM t");
		(await ExecuteAsync(other, $"UPDATE {schema}.t SET v = 10 WHERE id = 1")).Should().Be(1);
		await client.SendAsync(RawPgClient.Parse("UPDATE t SET v = v + 1 WHERE id = 1"), RawPgClient.Bind(), RawPgClient.Execute(), RawPgClient.Sync());
		Texts(await client.ReadUntilReadyAsync()).Should().Equal("1", "2", $"E(40001: {Oc000})", "Z(E)");
		Texts(await client.QueryAsync("ROLLBACK")).Should().Equal("C(ROLLBACK)", "Z(I)");
	}

	[Test]
	public async Task ACommitPortalBoundBeforeTheLossFailsWithTheConflict()
	{
		var table = await CounterTableAsync(_patient, 1);
		await using var writer = await EndpointFixture.OpenAsync(endpoint: _patient);
		var (client, _) = await RawPgClient.ConnectAsync(_patient);
		await using var __ = client;

		await client.QueryAsync("BEGIN");
		await client.QueryAsync($"UPDATE {table} SET note = 'holder' WHERE id = 1");
		await client.SendAsync(RawPgClient.Parse("COMMIT", "cs"), RawPgClient.Bind("pc", "cs"), RawPgClient.Sync());
		Texts(await client.ReadUntilReadyAsync()).Should().Equal("1", "2", "Z(T)");
		(await ExecuteAsync(writer, $"UPDATE {table} SET v = 5 WHERE id = 1")).Should().Be(1);

		await client.SendAsync(RawPgClient.Describe('P', "pc"), RawPgClient.Execute("pc"), RawPgClient.Sync());
		Texts(await client.ReadUntilReadyAsync()).Should().Equal("n", $"E(40001: {Oc000})", "Z(I)");
		(await ScalarAsync(writer, $"SELECT v || note FROM {table} WHERE id = 1")).Should().Be("5");
	}
}
