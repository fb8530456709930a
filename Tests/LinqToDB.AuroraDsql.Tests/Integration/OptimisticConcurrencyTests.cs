using System.Collections.Concurrent;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

public sealed class OptimisticConcurrencyTests
{
	[Table("occ_counter")]
	sealed class Counter
	{
		[PrimaryKey] public int  Id    { get; set; }
		[Column]     public long Value { get; set; }
	}

	static readonly AuroraDsqlRetryOptions _fast = new()
	{
		MaxRetries = 200,
		BaseDelay  = TimeSpan.FromMilliseconds(2),
		MaxDelay   = TimeSpan.FromMilliseconds(50),
	};

	ITable<Counter> _counters = null!;
	DataConnection _db = null!;

	[SetUp]
	public async Task CreateCounterAsync()
	{
		_db       = TestDatabase.Connect();
		_counters = await _db.CreateTableAsync<Counter>(tableName: TestNames.Unique("occ_counter"));
		await _counters.InsertAsync(() => new Counter { Id = 1, Value = 0 });
	}

	[TearDown]
	public async Task DropCounterAsync()
	{
		await _counters.DropAsync();
		await _db.DisposeAsync();
	}

	[Test]
	public async Task ConcurrentIncrementsAreNeitherLostNorDuplicated()
	{
		const int workers = 16, increments = 50;
		var retries   = 0;
		var options   = _fast with { OnRetry = (_, _, _) => Interlocked.Increment(ref retries) };
		var tableName = _counters.TableName;

		await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
		{
			await using var db = TestDatabase.Connect();

			for (var i = 0; i < increments; i++)
			{
				await db.InTransactionAsync(async (tx, ct) =>
				{
					var table = tx.GetTable<Counter>().TableName(tableName);
					var value = await table.Where(c => c.Id == 1).Select(c => c.Value).SingleAsync(ct);
					await table.Where(c => c.Id == 1).Set(c => c.Value, value + 1).UpdateAsync(ct);
				}, options);
			}
		})));

		(await _counters.SingleAsync()).Value.Should().Be(workers * increments);
		retries.Should().BeGreaterThan(0, "16 writers of one row must have collided");
	}

	[Test]
	public void SynchronousUnitOfWorkReturnsItsResult()
	{
		var result = _db.InTransaction(tx =>
		{
			var table = tx.GetTable<Counter>().TableName(_counters.TableName);
			table.Where(c => c.Id == 1).Set(c => c.Value, c => c.Value + 5).Update();
			return table.Single().Value;
		}, _fast);

		result.Should().Be(5);
		_counters.Single().Value.Should().Be(5);
	}

	[Test]
	public async Task EachRetryStartsFromBeginOnAFreshConnection()
	{
		var connections = new List<DataConnection>();
		var isolation   = new List<string>();

		var result = await _db.InTransactionAsync(async (tx, ct) =>
		{
			connections.Add(tx);
			isolation.Add(tx.Execute<string>("SHOW transaction_isolation"));
			tx.Transaction.Should().NotBeNull();

			await tx.GetTable<Counter>().TableName(_counters.TableName).Set(c => c.Value, c => c.Value + 1).UpdateAsync(ct);

			if (connections.Count < 3)
				throw new PostgresException("change conflicts with another transaction (OC000)", "ERROR", "ERROR", "40001");

			return connections.Count;
		}, _fast);

		result.Should().Be(3);
		connections.Should().OnlyHaveUniqueItems();
		connections[0].Should().BeSameAs(_db);
		isolation.Should().AllBe("repeatable read");
		(await _counters.SingleAsync()).Value.Should().Be(1, "the failed attempts were rolled back");
	}

	sealed class CounterDb(DataOptions options) : DataConnection(options)
	{
		public int Marker => Options is null ? 0 : 42;
	}

	[Test]
	public async Task RetriesKeepTheTypeOfATypedDataConnection()
	{
		await using var typed = new CounterDb(TestDatabase.Options);
		var seen = new List<Type>();

		await typed.InTransactionAsync((tx, _) =>
		{
			seen.Add(tx.GetType());
			((CounterDb)tx).Marker.Should().Be(42);

			return seen.Count < 2
				? throw new PostgresException("change conflicts with another transaction (OC000)", "ERROR", "ERROR", "40001")
				: Task.CompletedTask;
		}, _fast);

		seen.Should().Equal(typeof(CounterDb), typeof(CounterDb));
	}

	sealed class FailFirstOpen : LinqToDB.Interceptors.ConnectionInterceptor
	{
		int _failures = 1;

		public override Task ConnectionOpeningAsync(LinqToDB.Interceptors.ConnectionEventData eventData, System.Data.Common.DbConnection connection, CancellationToken cancellationToken) =>
			Interlocked.Decrement(ref _failures) >= 0
				? throw new PostgresException("Unable to accept connection, rate exceeded.", "FATAL", "FATAL", "53400")
				: Task.CompletedTask;
	}

	[Test]
	public async Task AConnectionRefusedAtBeginIsRetried()
	{
		var interceptor = new FailFirstOpen();
		await using var db = TestDatabase.Connect(o => o.UseInterceptor(interceptor));

		var attempts = 0;
		var result = await db.InTransactionAsync((_, _) => Task.FromResult(++attempts), _fast);

		result.Should().Be(1, "the work ran once, after the connection was accepted");
	}

	[Test]
	public async Task CancellationAfterTheWorkDoesNotAbandonTheCommit()
	{
		using var cancellation = new CancellationTokenSource();

		await _db.InTransactionAsync(async (tx, ct) =>
		{
			await tx.GetTable<Counter>().TableName(_counters.TableName).Set(c => c.Value, c => c.Value + 7).UpdateAsync(ct);
			await cancellation.CancelAsync();
		}, _fast, cancellation.Token);

		(await _counters.SingleAsync()).Value.Should().Be(7, "the COMMIT ran to completion");
	}

	[Test]
	public async Task RetriesRunOutWithEveryAttemptsError()
	{
		var attempts = 0;

		var thrown = await FluentActions.Awaiting(() => _db.InTransactionAsync((_, _) =>
			{
				attempts++;
				throw new PostgresException($"change conflicts with another transaction (OC000) #{attempts}", "ERROR", "ERROR", "40001");
			}, _fast with { MaxRetries = 3 }))
			.Should().ThrowAsync<AuroraDsqlRetryLimitExceededException>();

		attempts.Should().Be(4);
		thrown.Which.AttemptErrors.Should().HaveCount(4);
		thrown.Which.AttemptErrors.Select(e => e.Message).Should().EndWith("40001: change conflicts with another transaction (OC000) #4");
		thrown.Which.InnerException.Should().BeSameAs(thrown.Which.AttemptErrors[^1]);
	}

	[Test]
	public async Task NonRetryableErrorsPropagateAtOnce()
	{
		var attempts = 0;

		await FluentActions.Awaiting(() => _db.InTransactionAsync(async (tx, ct) =>
			{
				attempts++;
				await tx.GetTable<Counter>().TableName(_counters.TableName).InsertAsync(() => new Counter { Id = 1, Value = 9 }, ct);
			}, _fast))
			.Should().ThrowAsync<PostgresException>().Where(e => e.SqlState == "23505");

		attempts.Should().Be(1);
		_db.Transaction.Should().BeNull("the failed attempt was rolled back");
	}

	[Test]
	public async Task RefusesToNestInAnOpenTransaction()
	{
		await using var tx = await _db.BeginTransactionAsync();

		await FluentActions.Awaiting(() => _db.InTransactionAsync((_, _) => Task.CompletedTask))
			.Should().ThrowAsync<AuroraDsqlNotSupportedException>().WithMessage("*already has one open*no nested transactions*");
	}

	[Test]
	public async Task AmbiguousCommitIsNotRetriedUnlessAllowed()
	{
		await using var admin = await TestDatabase.OpenNpgsqlAsync();

		async Task<int> KillOwnSessionAsync(DataConnection tx, CancellationToken ct)
		{
			await tx.GetTable<Counter>().TableName(_counters.TableName).Set(c => c.Value, c => c.Value + 1).UpdateAsync(ct);
			var pid = await tx.ExecuteAsync<int>("SELECT pg_backend_pid()", ct);

			await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend($1)", admin) { Parameters = { new() { Value = pid } } };
			await kill.ExecuteScalarAsync(ct);
			return pid;
		}

		var thrown = await FluentActions.Awaiting(() => _db.InTransactionAsync(KillOwnSessionAsync, _fast))
			.Should().ThrowAsync<AuroraDsqlAmbiguousCommitException>().WithMessage("*does not tell whether the transaction was applied*");
		thrown.Which.InnerException.Should().BeAssignableTo<NpgsqlException>();

		var attempts = 0;
		await using var db = TestDatabase.Connect();
		await db.InTransactionAsync(async (tx, ct) =>
		{
			if (++attempts == 1)
				await KillOwnSessionAsync(tx, ct);
			else
				await tx.GetTable<Counter>().TableName(_counters.TableName).Set(c => c.Value, c => c.Value + 10).UpdateAsync(ct);
		}, _fast with { RetryAmbiguousCommit = true });

		attempts.Should().Be(2);
		(await _counters.SingleAsync()).Value.Should().Be(10, "the killed sessions never committed");
	}

	[Test]
	public async Task InTransactionRunsAtRepeatableReadOnAConnectionTheApplicationPassedIn()
	{
		// Npgsql's own BeginTransaction() asks for READ COMMITTED, which DSQL refuses.
		await using var connection = await TestDatabase.OpenNpgsqlAsync();
		await using var db = new DataConnection(new DataOptions().UseConnection(AuroraDsqlTools.GetDataProvider(), connection));

		var level = await db.InTransactionAsync(async (tx, ct) =>
		{
			await tx.GetTable<Counter>().TableName(_counters.TableName).Set(c => c.Value, 7).UpdateAsync(ct);
			return await tx.ExecuteAsync<string>("SHOW transaction_isolation", ct);
		});

		level.Should().Be("repeatable read");
		(await _counters.SingleAsync()).Value.Should().Be(7);
	}

	[Test]
	public async Task ATransactionThatLostItsRowToALaterWriterFailsAtCommitAndIsRetried()
	{
		var attempts = 0;
		var errors   = new List<Exception>();
		await using var other = await TestDatabase.OpenNpgsqlAsync();

		var result = await _db.InTransactionAsync(async (tx, ct) =>
		{
			attempts++;
			var counters = tx.GetTable<Counter>().TableName(_counters.TableName);
			await counters.Set(c => c.Value, c => c.Value + 1).UpdateAsync(ct);

			if (attempts == 1)
			{
				// another writer of the row goes on and commits first, as on DSQL: this transaction is the later committer
				await using var write = new NpgsqlCommand($"UPDATE {_counters.TableName} SET \"Value\" = \"Value\" + 100 WHERE \"Id\" = 1", other);
				(await write.ExecuteNonQueryAsync(ct)).Should().Be(1);
			}

			return await counters.Select(c => c.Value).SingleAsync(ct);
		}, _fast with { OnRetry = (e, _, _) => errors.Add(e) });

		attempts.Should().Be(2);
		errors.Should().ContainSingle().Which.Should().Match<Exception>(e => AuroraDsqlErrors.IsOptimisticConcurrencyConflict(e));
		result.Should().Be(101);
		(await _counters.SingleAsync()).Value.Should().Be(101);
	}

	[LocalEndpointOnly("an endpoint of its own where conflicts fail the statement instead of the commit, a switch a cluster does not have")]
	[Test]
	public async Task StatementRetryPolicyRetriesAutocommitConflictsOnly()
	{
		// Conflicts at the statement: an endpoint where a statement waiting for an open transaction's row fails after the
		// lock timeout (instead of that transaction losing the row).
		await using var endpoint = await global::AuroraDsql.Local.LocalDsqlEndpoint.StartAsync(
			new global::AuroraDsql.Local.LocalDsqlEndpointOptions { ConflictsAtCommit = false });
		var baseOptions = new DataOptions().UseAuroraDsql(endpoint.HostName, o => TestDatabase.Configure(o, endpoint));
		await using var setup = new DataConnection(baseOptions);
		var counters = await setup.CreateTableAsync<Counter>(tableName: _counters.TableName);
		await counters.InsertAsync(() => new Counter { Id = 1, Value = 0 });
		await using var blockers = global::LinqToDB.DataProvider.AuroraDsql.AuroraDsqlTools.CreateDataSource(endpoint.HostName, o => TestDatabase.Configure(o, endpoint));

		var retried = new ConcurrentBag<Exception>();
		var options = baseOptions.UseAuroraDsqlRetryPolicy(o => o with
		{
			MaxRetries = 10,
			BaseDelay  = TimeSpan.FromMilliseconds(50),
			OnRetry    = (e, _, _) => retried.Add(e),
		});

		// An autocommit statement meets a concurrent writer of the same row: it fails with 40001 (OC000) until that
		// writer has committed, and the policy retries it.
		await using (var blocker = await blockers.OpenConnectionAsync())
		{
			await using var tx = await blocker.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
			await using (var update = new NpgsqlCommand($"UPDATE {_counters.TableName} SET \"Value\" = 100 WHERE \"Id\" = 1", blocker, tx))
				await update.ExecuteNonQueryAsync();

			await using var db = new DataConnection(options);
			var pending = db.GetTable<Counter>().TableName(_counters.TableName).Set(c => c.Value, c => c.Value + 1).UpdateAsync();
			await Eventually.UntilAsync(() => !retried.IsEmpty, "the update to meet the open transaction's row and be retried");
			await tx.CommitAsync();

			(await pending).Should().Be(1);
		}

		retried.Should().NotBeEmpty().And.OnlyContain(e => AuroraDsqlErrors.IsOptimisticConcurrencyConflict(e));
		(await counters.SingleAsync()).Value.Should().Be(101);

		// The same conflict inside an application transaction is not retried statement by statement.
		retried.Clear();
		await using (var blocker = await blockers.OpenConnectionAsync())
		{
			await using var tx = await blocker.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
			await using (var update = new NpgsqlCommand($"UPDATE {_counters.TableName} SET \"Value\" = 200 WHERE \"Id\" = 1", blocker, tx))
				await update.ExecuteNonQueryAsync();

			await using var db = new DataConnection(options);
			await using var appTransaction = await db.BeginTransactionAsync();
			var pending = db.GetTable<Counter>().TableName(_counters.TableName).Set(c => c.Value, c => c.Value + 1).UpdateAsync();
			await using (var backend = new NpgsqlConnection(endpoint.BackendConnectionString))
			{
				await backend.OpenAsync();
				await using var waiters = new NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE NOT granted", backend);
				await Eventually.UntilAsync(async () => pending.IsCompleted || (long)(await waiters.ExecuteScalarAsync())! > 0,
					"the update to wait for the open transaction's row (or to have failed on it)");
			}

			await tx.CommitAsync();

			await FluentActions.Awaiting(() => pending).Should().ThrowAsync<PostgresException>().Where(e => e.SqlState == "40001");
		}

		retried.Should().BeEmpty();
	}
}
