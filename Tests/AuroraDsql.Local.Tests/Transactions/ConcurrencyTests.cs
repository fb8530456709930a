using System.Data;
using Npgsql;

using static AuroraDsql.Local.Tests.EndpointFixture;

namespace AuroraDsql.Local.Tests.Transactions;

/// <summary>
/// Optimistic concurrency as the endpoint emulates it, with real Npgsql connections: a transaction idle with a row another
/// transaction writes loses it and fails at its COMMIT with 40001 <c>change conflicts with another transaction (OC000)</c>,
/// other conflicting writers get OC000 instead of waiting, no update is lost, transactions older than a committed schema
/// change fail with OC001, and COMMIT failures can be injected deterministically.
/// </summary>
public sealed class ConcurrencyTests
{
	const string Oc000 = "change conflicts with another transaction (OC000)";
	const string Oc001 = "schema has been updated by another transaction (OC001)";

	/// <summary>
	/// An endpoint whose lock waits last long and that leaves idle holders alone (so a waiter sees the holder commit or roll
	/// back), and whose jobs take 2 s.
	/// </summary>
	LocalDsqlEndpoint _slow = null!;

	/// <summary>An endpoint whose lock waits last long: only the idle holder's loss can let a waiter go on in time.</summary>
	LocalDsqlEndpoint _patient = null!;

	[OneTimeSetUp]
	public async Task StartAsync()
	{
		_slow = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
		{
			LockTimeout        = TimeSpan.FromMinutes(1),
			ConflictsAtCommit  = false,
			JobCompletionDelay = TimeSpan.FromSeconds(2),
			Log                = TestContext.Progress,
		});
		_patient = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
		{
			LockTimeout = TimeSpan.FromMinutes(1),
			Log         = TestContext.Progress,
		});
	}

	[OneTimeTearDown]
	public async Task StopAsync()
	{
		await _slow.DisposeAsync();
		await _patient.DisposeAsync();
	}

	static async Task ShouldConflictAsync(Func<Task> act, string message = Oc000)
	{
		var error = (await act.Should().ThrowAsync<PostgresException>()).Which;
		(error.SqlState, error.MessageText).Should().Be(("40001", message));
		error.IsTransient.Should().BeTrue();
	}

	/// <summary>Waits until some backend session waits for a lock (direct backend connection, no timing assumptions).</summary>
	static async Task WaitForLockWaitAsync(LocalDsqlEndpoint endpoint)
	{
		await using var backend = await EndpointFixture.OpenBackendAsync(endpoint);
		await Eventually.UntilAsync(
			async () => (long)(await ScalarAsync(backend, "SELECT count(*) FROM pg_locks WHERE NOT granted"))! > 0,
			"a session waiting for a lock");
	}

	[Test]
	public async Task TheIdleWriterOfARowAnotherTransactionWritesFailsAtCommitAndNothingIsLost()
	{
		var table = await CounterTableAsync(_patient);
		await using var first = await EndpointFixture.OpenAsync(endpoint: _patient);
		await using var second = await EndpointFixture.OpenAsync(endpoint: _patient);

		await using (var a = await first.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			(await ExecuteAsync(first, $"UPDATE {table} SET v = v + 1 WHERE id = 1", a)).Should().Be(1);

			// as on DSQL the second writer goes on and commits first (a minute's lock wait would fail the test's timeout)
			await using (var b = await second.BeginTransactionAsync(IsolationLevel.RepeatableRead))
			{
				(await ExecuteAsync(second, $"UPDATE {table} SET v = v + 10 WHERE id = 1", b)).Should().Be(1);
				await b.CommitAsync();
			}

			// and the first, the later committer, fails at COMMIT
			await ShouldConflictAsync(() => a.CommitAsync());
		}

		(await ScalarAsync(first, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(10);

		// the loser retries the whole transaction
		await using (var a = await first.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			await ExecuteAsync(first, $"UPDATE {table} SET v = v + 1 WHERE id = 1", a);
			await a.CommitAsync();
		}

		(await ScalarAsync(first, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(11);
	}

	[Test]
	public async Task AHolderThatCommitsWhileTheOtherWriterWaitsWinsAndTheOtherFailsAtCommit()
	{
		// a long grace before an idle holder loses: the holder commits within it
		await using var endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
		{
			LockTimeout     = TimeSpan.FromMinutes(1),
			IdleHolderGrace = TimeSpan.FromSeconds(30),
		});
		var table = await CounterTableAsync(endpoint);
		await using var first = await EndpointFixture.OpenAsync(endpoint: endpoint);
		await using var second = await EndpointFixture.OpenAsync(endpoint: endpoint);

		await using var a = await first.BeginTransactionAsync(IsolationLevel.RepeatableRead);
		await using var b = await second.BeginTransactionAsync(IsolationLevel.RepeatableRead);
		await ExecuteAsync(first, $"UPDATE {table} SET v = v + 1 WHERE id = 1", a);

		var waiting = ExecuteAsync(second, $"UPDATE {table} SET v = v + 10 WHERE id = 1", b);
		await WaitForLockWaitAsync(endpoint);
		await a.CommitAsync();

		// as on DSQL: the second writer's statement succeeds, and it is the later committer
		(await waiting).Should().Be(1);
		await ShouldConflictAsync(() => b.CommitAsync());
		(await ScalarAsync(first, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(1);
	}

	[Test]
	public async Task AnAutocommitWriteGoesOnAndTheIdleHolderFailsAtCommitForUpdatesDeletesInsertsAndForUpdate()
	{
		var table = await CounterTableAsync(_patient, rows: 3);
		await using var holder = await EndpointFixture.OpenAsync(endpoint: _patient);
		await using var writer = await EndpointFixture.OpenAsync(endpoint: _patient);

		foreach (var (hold, write, expected) in new[]
		{
			($"SELECT v FROM {table} WHERE id = 1 FOR UPDATE", $"UPDATE {table} SET note = 'w' WHERE id = 1", 1),
			($"UPDATE {table} SET v = 5 WHERE id = 2", $"DELETE FROM {table} WHERE id = 2", 1),
			($"INSERT INTO {table} VALUES (4, 4, 'holder')", $"INSERT INTO {table} VALUES (4, 40, 'writer')", 1),
		})
		{
			await using var a = await holder.BeginTransactionAsync(IsolationLevel.RepeatableRead);
			await ExecuteAsync(holder, hold, a);
			(await ExecuteAsync(writer, write)).Should().Be(expected, write);
			await ShouldConflictAsync(() => a.CommitAsync());
		}

		(await ScalarAsync(writer, $"SELECT string_agg(id || ':' || v || note, ',' ORDER BY id) FROM {table}")).Should().Be("1:0w,3:0,4:40writer");
	}

	[Test]
	public async Task AfterLosingARowTheNextStatementFailsAndTheBlockStaysAborted()
	{
		var table = await CounterTableAsync(_patient);
		var (client, _) = await RawPgClient.ConnectAsync(_patient);
		await using var __ = client;
		await using var writer = await EndpointFixture.OpenAsync(endpoint: _patient);

		await client.QueryAsync("BEGIN");
		(await client.QueryAsync($"UPDATE {table} SET v = 1 WHERE id = 1")).Last().ToString().Should().Be("Z(T)");
		(await ExecuteAsync(writer, $"UPDATE {table} SET v = 2 WHERE id = 1")).Should().Be(1);

		// not COMMIT: that statement fails (simple and extended protocol alike), then the block is failed as after any error
		await client.SendAsync(RawPgClient.Parse("SELECT 1"), RawPgClient.Bind(), RawPgClient.Execute(), RawPgClient.Sync());
		(await client.ReadUntilReadyAsync()).Select(m => m.ToString()).Should().Equal("1", "2", $"E(40001: {Oc000})", "Z(E)");
		(await client.QueryAsync("SELECT 1")).Select(m => m.ToString()).Should()
			.Equal("E(25P02: current transaction is aborted, commands ignored until end of transaction block)", "Z(E)");
		(await client.QueryAsync("COMMIT")).Select(m => m.ToString()).Should().Equal("C(ROLLBACK)", "Z(I)");

		// an extended-protocol COMMIT fails like a simple one
		await client.QueryAsync("BEGIN");
		await client.QueryAsync($"UPDATE {table} SET v = 3 WHERE id = 1");
		(await ExecuteAsync(writer, $"UPDATE {table} SET v = 4 WHERE id = 1")).Should().Be(1);
		await client.SendAsync(RawPgClient.Parse("COMMIT"), RawPgClient.Bind(), RawPgClient.Execute(), RawPgClient.Sync());
		(await client.ReadUntilReadyAsync()).Select(m => m.ToString()).Should().Equal("1", "2", $"E(40001: {Oc000})", "Z(I)");

		// a block that had failed before it lost the row stays failed, and ROLLBACK of a loser is plain
		await client.QueryAsync("BEGIN");
		await client.QueryAsync($"UPDATE {table} SET v = 5 WHERE id = 1");
		(await client.QueryAsync("SELECT 1/0")).Last().ToString().Should().Be("Z(E)");
		(await ExecuteAsync(writer, $"UPDATE {table} SET v = 6 WHERE id = 1")).Should().Be(1);
		(await client.QueryAsync("SELECT 1")).Select(m => m.ToString()).Should()
			.Equal("E(25P02: current transaction is aborted, commands ignored until end of transaction block)", "Z(E)");
		(await client.QueryAsync("ROLLBACK")).Select(m => m.ToString()).Should().Equal("C(ROLLBACK)", "Z(I)");

		await client.QueryAsync("BEGIN");
		await client.QueryAsync($"UPDATE {table} SET v = 7 WHERE id = 1");
		(await ExecuteAsync(writer, $"UPDATE {table} SET v = 8 WHERE id = 1")).Should().Be(1);
		(await client.QueryAsync("ROLLBACK")).Select(m => m.ToString()).Should().Equal("C(ROLLBACK)", "Z(I)");

		(await client.QueryAsync($"SELECT v FROM {table} WHERE id = 1")).Single(m => m.Type == 'D').Values.Should().Equal("8");
	}

	[Test]
	public async Task WithoutConflictsAtCommitTheWaitingWriterFailsAfterTheLockTimeout()
	{
		await using var endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
		{
			LockTimeout       = TimeSpan.FromMilliseconds(200),
			ConflictsAtCommit = false,
		});
		var table = await CounterTableAsync(endpoint);
		await using var first = await EndpointFixture.OpenAsync(endpoint: endpoint);
		await using var second = await EndpointFixture.OpenAsync(endpoint: endpoint);

		await using var a = await first.BeginTransactionAsync(IsolationLevel.RepeatableRead);
		await ExecuteAsync(first, $"UPDATE {table} SET v = v + 1 WHERE id = 1", a);
		await ShouldConflictAsync(() => ExecuteAsync(second, $"UPDATE {table} SET v = v + 10 WHERE id = 1"));
		await a.CommitAsync();
		(await ScalarAsync(second, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(1);
	}

	[Test]
	public async Task WritingARowAnotherTransactionChangedSinceTheSnapshotSucceedsAndFailsAtCommit()
	{
		var table = await CounterTableAsync(rows: 2);
		await using var first = await EndpointFixture.OpenAsync();
		await using var second = await EndpointFixture.OpenAsync();

		// extended protocol (Npgsql), with RETURNING
		await using (var a = await first.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			(await ScalarAsync(first, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(0); // the snapshot
			(await ExecuteAsync(second, $"UPDATE {table} SET v = 10 WHERE id = 1")).Should().Be(1);

			// as on DSQL the write succeeds and the COMMIT fails
			await using (var update = new NpgsqlCommand($"UPDATE {table} SET v = v + 1 WHERE id = 1 RETURNING id", first, a))
				(await update.ExecuteScalarAsync()).Should().Be(1);
			await ShouldConflictAsync(() => a.CommitAsync());
		}

		(await ScalarAsync(first, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(10);

		// simple protocol: a DELETE, and the transaction's next statement (not COMMIT) fails
		var (client, _) = await RawPgClient.ConnectAsync(EndpointFixture.Endpoint);
		await using var __ = client;
		await client.QueryAsync("BEGIN");
		(await client.QueryAsync($"SELECT v FROM {table} WHERE id = 2")).Single(m => m.Type == 'D').Values.Should().Equal("0");
		(await ExecuteAsync(second, $"UPDATE {table} SET v = 20 WHERE id = 2")).Should().Be(1);
		(await client.QueryAsync($"DELETE FROM {table} WHERE id = 2")).Select(m => m.ToString()).Should().Equal("C(DELETE 1)", "Z(T)");
		(await client.QueryAsync($"SELECT v FROM {table} WHERE id = 2")).Select(m => m.ToString()).Should().Equal($"E(40001: {Oc000})", "Z(E)");
		(await client.QueryAsync("COMMIT")).Select(m => m.ToString()).Should().Equal("C(ROLLBACK)", "Z(I)");

		(await ScalarAsync(first, $"SELECT v FROM {table} WHERE id = 2")).Should().Be(20);
	}

	[Test]
	public async Task AWriterThatWaitedForARunningTransactionWhichCommittedFailsAtCommitAndAutocommitAtOnce()
	{
		var table = await CounterTableAsync(_patient);
		await using var holder = await EndpointFixture.OpenAsync(endpoint: _patient);
		await using var writer = await EndpointFixture.OpenAsync(endpoint: _patient);

		// the holder's transaction is one running query, never idle: it writes the row, then waits at a gate the test
		// opens once the writer waits for the row; the writer waits for it to commit
		await using var gate = await BackendGate.CloseAsync(_patient);
		Task<int> HolderAsync(int value) => ExecuteAsync(holder, $"BEGIN; UPDATE {table} SET v = {value} WHERE id = 1; {gate.WaitSql}; COMMIT");

		await using (var a = await writer.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			(await ScalarAsync(writer, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(0);
			var running = HolderAsync(10);
			await gate.WaitForWaitersAsync(1);
			var writing = ExecuteAsync(writer, $"UPDATE {table} SET v = v + 1 WHERE id = 1", a);
			await gate.WaitForWaitersAsync(2);
			await gate.OpenAsync();
			(await writing).Should().Be(1);
			await running;
			await ShouldConflictAsync(() => a.CommitAsync());
		}

		// a single statement commits with itself: it fails at once, as on DSQL
		await gate.CloseAsync();
		var again = HolderAsync(20);
		await gate.WaitForWaitersAsync(1);
		var autocommit = ExecuteAsync(writer, $"UPDATE {table} SET v = v + 1 WHERE id = 1");
		await gate.WaitForWaitersAsync(2);
		await gate.OpenAsync();
		await ShouldConflictAsync(() => autocommit);
		await again;

		(await ScalarAsync(writer, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(20);
	}

	[Test]
	public async Task AWriteThatLostItsRowHoldsNoLockAfterwards()
	{
		var table = await CounterTableAsync(_patient);
		await using var first = await EndpointFixture.OpenAsync(endpoint: _patient);
		await using var second = await EndpointFixture.OpenAsync(endpoint: _patient);

		await using var a = await first.BeginTransactionAsync(IsolationLevel.RepeatableRead);
		(await ScalarAsync(first, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(0);
		(await ExecuteAsync(second, $"UPDATE {table} SET v = 10 WHERE id = 1")).Should().Be(1);
		(await ExecuteAsync(first, $"UPDATE {table} SET v = v + 1 WHERE id = 1", a)).Should().Be(1);

		// the lost transaction's write is gone already: another writer neither waits nor makes anyone lose
		await using (var b = await second.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			(await ExecuteAsync(second, $"UPDATE {table} SET v = v + 100 WHERE id = 1", b)).Should().Be(1);
			await b.CommitAsync();
		}

		await ShouldConflictAsync(() => a.CommitAsync());
		(await ScalarAsync(second, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(110);
	}

	[Test]
	public async Task AWaitingWriterConflictsWhenTheHolderCommitsAndProceedsWhenItRollsBack()
	{
		var table = await CounterTableAsync(_slow, rows: 2);
		await using var first = await EndpointFixture.OpenAsync(endpoint: _slow);
		await using var second = await EndpointFixture.OpenAsync(endpoint: _slow);

		// holder commits: the waiter loses
		await using (var a = await first.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			await ExecuteAsync(first, $"UPDATE {table} SET v = v + 1 WHERE id = 1", a);
			var waiter = ExecuteAsync(second, $"UPDATE {table} SET v = v + 100 WHERE id = 1");
			await WaitForLockWaitAsync(_slow);
			await a.CommitAsync();
			await ShouldConflictAsync(() => waiter);
		}

		// holder rolls back: no conflict
		await using (var a = await first.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			await ExecuteAsync(first, $"UPDATE {table} SET v = v + 1 WHERE id = 2", a);
			var waiter = ExecuteAsync(second, $"UPDATE {table} SET v = v + 100 WHERE id = 2");
			await WaitForLockWaitAsync(_slow);
			await a.RollbackAsync();
			(await waiter).Should().Be(1);
		}

		(await ScalarAsync(first, $"SELECT string_agg(v::text, ',' ORDER BY id) FROM {table}")).Should().Be("1,100");
	}

	[Test]
	public async Task ADeadlockIsAConflictForOneSideOnly()
	{
		var table = await CounterTableAsync(_slow, rows: 2);
		await using var first = await EndpointFixture.OpenAsync(endpoint: _slow);
		await using var second = await EndpointFixture.OpenAsync(endpoint: _slow);

		await using var a = await first.BeginTransactionAsync(IsolationLevel.RepeatableRead);
		await using var b = await second.BeginTransactionAsync(IsolationLevel.RepeatableRead);
		await ExecuteAsync(first, $"UPDATE {table} SET v = 1 WHERE id = 1", a);
		await ExecuteAsync(second, $"UPDATE {table} SET v = 2 WHERE id = 2", b);

		var fromA = ExecuteAsync(first, $"UPDATE {table} SET v = 1 WHERE id = 2", a);
		await WaitForLockWaitAsync(_slow);
		var fromB = ExecuteAsync(second, $"UPDATE {table} SET v = 2 WHERE id = 1", b);

		var outcomes = new List<PostgresException?>();
		foreach (var pending in new[] { fromA, fromB })
		{
			try
			{
				await pending;
				outcomes.Add(null);
			}
			catch (PostgresException e)
			{
				outcomes.Add(e);
			}
		}

		outcomes.Count(e => e is null).Should().Be(1, "one side goes on");
		var loser = outcomes.Single(e => e != null)!;
		(loser.SqlState, loser.MessageText).Should().Be(("40001", Oc000));
	}

	[Test]
	public async Task SixteenWritersIncrementingWithRetriesLoseNoUpdate()
	{
		const int Writers = 16;
		const int Increments = 50;
		var table = await CounterTableAsync();
		var conflicts = 0;

		async Task WriterAsync(int seed)
		{
			var random = new Random(seed);
			await using var connection = await EndpointFixture.OpenAsync();
			for (var done = 0; done < Increments;)
			{
				await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
				var committing = false;
				try
				{
					await ExecuteAsync(connection, $"UPDATE {table} SET v = v + 1 WHERE id = 1", transaction);
					committing = true;
					await transaction.CommitAsync();
					done++;
				}
				catch (PostgresException e) when (e.SqlState == "40001")
				{
					e.MessageText.Should().Be(Oc000);
					Interlocked.Increment(ref conflicts);
					if (!committing)
						await transaction.RollbackAsync();
					await Task.Delay(random.Next(0, 4));
				}
			}
		}

		await Task.WhenAll(Enumerable.Range(0, Writers).Select(k => Task.Run(() => WriterAsync(k))));

		await using var check = await EndpointFixture.OpenAsync();
		(await ScalarAsync(check, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(Writers * Increments);
		TestContext.Progress.WriteLine($"{Writers} writers × {Increments} increments: {conflicts} conflicts retried");
	}

	[Test]
	public async Task ForKeyShareDoesNotConflictWithNonKeyUpdatesAndLosesToADelete()
	{
		var table = await CounterTableAsync(_patient);
		await using var first = await EndpointFixture.OpenAsync(endpoint: _patient);
		await using var second = await EndpointFixture.OpenAsync(endpoint: _patient);

		await using (var a = await first.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			(await ScalarAsync(first, $"SELECT v FROM {table} WHERE id = 1 FOR KEY SHARE")).Should().Be(0);
			(await ExecuteAsync(second, $"UPDATE {table} SET note = 'y' WHERE id = 1")).Should().Be(1);
			await a.CommitAsync();
		}

		await using (var a = await first.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			(await ScalarAsync(first, $"SELECT v FROM {table} WHERE id = 1 FOR KEY SHARE")).Should().Be(0);
			(await ExecuteAsync(second, $"DELETE FROM {table} WHERE id = 1")).Should().Be(1);
			await ShouldConflictAsync(() => a.CommitAsync());
		}

		(await ScalarAsync(first, $"SELECT count(*) FROM {table}")).Should().Be(0L);
	}

	[Test]
	public async Task ATransactionBegunBeforeACommittedDdlFailsAtCommitAndReadersAreExempt()
	{
		var table = await CounterTableAsync();
		await using var first = await EndpointFixture.OpenAsync();
		await using var ddl = await EndpointFixture.OpenAsync();

		await using (var a = await first.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			await ExecuteAsync(first, $"UPDATE {table} SET v = 5 WHERE id = 1", a);
			await ExecuteAsync(ddl, $"CREATE TABLE {EndpointFixture.UniqueName("ddl")} (a int)");
			await ShouldConflictAsync(() => a.CommitAsync(), Oc001);
		}

		(await ScalarAsync(first, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(0);

		// a transaction that only read commits
		await using (var a = await first.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			await ScalarAsync(first, $"SELECT v FROM {table} WHERE id = 1");
			await ExecuteAsync(ddl, $"CREATE TABLE {EndpointFixture.UniqueName("ddl")} (a int)");
			await a.CommitAsync();
		}

		// and one begun after the DDL committed is fine
		await using (var a = await first.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			await ExecuteAsync(first, $"UPDATE {table} SET v = 6 WHERE id = 1", a);
			await a.CommitAsync();
		}

		(await ScalarAsync(first, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(6);
	}

	[Test]
	public async Task AnAsyncIndexBuildFinishingFailsOlderWritingTransactionsWithOc001()
	{
		var table = await CounterTableAsync(_slow);
		var indexed = await CounterTableAsync(_slow);
		await using var ddl = await EndpointFixture.OpenAsync(endpoint: _slow);
		var jobId = (string)(await ScalarAsync(ddl, $"CREATE INDEX ASYNC ON {indexed} (v)"))!;

		var (client, _) = await RawPgClient.ConnectAsync(_slow);
		await using var __ = client;
		(await client.QueryAsync("BEGIN")).Last().ToString().Should().Be("Z(T)");

		await using (var wait = new NpgsqlCommand("CALL sys.wait_for_job(@id)", ddl))
		{
			wait.Parameters.AddWithValue("id", jobId);
			(await wait.ExecuteScalarAsync()).Should().Be(true);
		}

		(await client.QueryAsync($"UPDATE {table} SET v = 1 WHERE id = 1")).Last().ToString().Should().Be("Z(T)");
		(await client.QueryAsync("COMMIT")).Select(m => m.ToString()).Should().Equal($"E(40001: {Oc001})", "Z(I)");
		(await ScalarAsync(ddl, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(0);
	}

	[Test]
	public async Task IndexBuildsSubmittedWhileAnotherRunsOnTheTableDoNotWaitForIt()
	{
		var table = await CounterTableAsync(_slow);
		await using var connection = await EndpointFixture.OpenAsync(endpoint: _slow);
		var first = (string)(await ScalarAsync(connection, $"CREATE INDEX ASYNC ON {table} (v)"))!;

		// the first build holds the table (for 2 s here): the second submission skips its trial build and names the index
		// as PostgreSQL would
		var second = (string)(await ScalarAsync(connection, $"CREATE INDEX ASYNC ON {table} (note)"))!;
		var duplicate = () => ScalarAsync(connection, $"CREATE INDEX ASYNC {table}_v_idx ON {table} (note)");
		(await duplicate.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("42P07");

		foreach (var job in new[] { first, second })
		{
			await using var wait = new NpgsqlCommand("CALL sys.wait_for_job(@id)", connection);
			wait.Parameters.AddWithValue("id", job);
			(await wait.ExecuteScalarAsync()).Should().Be(true);
		}

		(await ScalarAsync(connection, $"SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = '{table}'"))
			.Should().Be($"{table}_note_idx,{table}_pkey,{table}_v_idx");
	}

	[Test]
	public async Task InjectedCommitFailuresFailExactlyTheNextCommitsAndRollThemBack()
	{
		var table = await CounterTableAsync();
		var application = EndpointFixture.UniqueName("inject");
		var connection = await EndpointFixture.OpenAsync(configure: b => b.ApplicationName = application);
		await using var other = await EndpointFixture.OpenAsync();
		await using var check = await EndpointFixture.OpenAsync();
		var endpoint = EndpointFixture.Endpoint;

		endpoint.FailNextCommits(2, applicationName: application);
		endpoint.FailNextCommits(1, "XX000", applicationName: application);
		endpoint.RemainingCommitFailures(application).Should().Be(3);

		// other sessions are not affected
		await using (var t = await other.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			await ExecuteAsync(other, $"UPDATE {table} SET note = 'other' WHERE id = 1", t);
			await t.CommitAsync();
		}

		// a retry loop over whole transactions, with a fresh connection when the old one broke
		var failures = new List<(string, string)>();
		var attempts = 0;
		try
		{
			while (true)
			{
				attempts++;
				if (connection.State != ConnectionState.Open)
				{
					await connection.DisposeAsync();
					connection = await EndpointFixture.OpenAsync(configure: b => b.ApplicationName = application);
				}

				await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
				await ExecuteAsync(connection, $"UPDATE {table} SET v = v + 1 WHERE id = 1", transaction);
				try
				{
					await transaction.CommitAsync();
					break;
				}
				catch (PostgresException e)
				{
					failures.Add((e.SqlState, e.MessageText));
					(await ScalarAsync(check, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(0, "the failed COMMIT rolled back");
				}
			}
		}
		finally
		{
			await connection.DisposeAsync();
		}

		// 40001 is transient and keeps the connection; Npgsql treats XX000 as critical and breaks it, as it would with DSQL
		attempts.Should().Be(4);
		failures.Should().Equal(("40001", Oc000), ("40001", Oc000), ("XX000", "server unavailable"));
		endpoint.RemainingCommitFailures(application).Should().Be(0);
		(await ScalarAsync(check, $"SELECT v FROM {table} WHERE id = 1")).Should().Be(1);
	}

	[Test]
	public async Task AnInjectedFailureOfAnExtendedProtocolCommitSkipsToSync()
	{
		var table = await CounterTableAsync();
		var (client, _) = await RawPgClient.ConnectAsync(EndpointFixture.Endpoint);
		await using var __ = client;
		await client.QueryAsync("SET application_name = 'extended-commit'");
		EndpointFixture.Endpoint.FailNextCommits(1, "OC001", applicationName: "extended-commit");

		await client.QueryAsync("BEGIN");
		await client.QueryAsync($"UPDATE {table} SET v = 7 WHERE id = 1");
		await client.SendAsync(RawPgClient.Parse("COMMIT"), RawPgClient.Bind(), RawPgClient.Execute(),
			RawPgClient.Parse("SELECT 1"), RawPgClient.Bind(), RawPgClient.Execute(), RawPgClient.Sync());
		(await client.ReadUntilReadyAsync()).Select(m => m.ToString()).Should().Equal("1", "2", $"E(40001: {Oc001})", "Z(I)");

		(await client.QueryAsync($"SELECT v FROM {table} WHERE id = 1")).Single(m => m.Type == 'D').Values.Should().Equal("0");
		EndpointFixture.Endpoint.RemainingCommitFailures("extended-commit").Should().Be(0);
	}

	[Test]
	public void FaultInjectionValidatesItsArguments()
	{
		var endpoint = EndpointFixture.Endpoint;
		var unknown = () => endpoint.FailNextCommits(1, "OC002");
		unknown.Should().Throw<ArgumentException>();
		var none = () => endpoint.FailNextCommits(0);
		none.Should().Throw<ArgumentOutOfRangeException>();
	}
}
