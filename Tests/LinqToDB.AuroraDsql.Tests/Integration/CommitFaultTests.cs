using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// Retries driven by the endpoint's deterministic fault injection: the next COMMITs of this fixture's sessions (told apart
/// by their application name) fail exactly as on DSQL, and the provider's retry logic must land every change once.
/// </summary>
[LocalEndpointOnly("fault injection at COMMIT: a chosen number of this fixture's COMMITs fail with a chosen code (OC000, OC001, XX000) or stall, deterministically; retries after real conflicts between sessions run everywhere (OptimisticConcurrencyTests and the logging, tracing and TransactionScope tests)")]
public sealed class CommitFaultTests
{
	[Table]
	sealed class Counter
	{
		[PrimaryKey] public int Id    { get; set; }
		[Column]     public int Value { get; set; }
	}

	[Table]
	sealed class Row
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	static readonly AuroraDsqlRetryOptions _fast = new() { MaxRetries = 4, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) };

	string _application = null!;
	DataConnection _db = null!;
	ITable<Counter> _counters = null!;

	[SetUp]
	public async Task SetUpAsync()
	{
		_application = TestNames.Unique("faults");
		var options  = TestDatabase.CreateOptions(o => o with { ApplicationName = _application });

		_db       = new DataConnection(options);
		_counters = await _db.CreateTableAsync<Counter>(tableName: TestNames.Unique("fault_counter"));
		await _counters.InsertAsync(() => new Counter { Id = 1, Value = 0 });
	}

	[TearDown]
	public async Task TearDownAsync()
	{
		TestDatabase.Endpoint.ClearCommitFailures();
		await _counters.DropAsync();
		await _db.DisposeAsync();
	}

	Task IncrementAsync(DataConnection tx, CancellationToken ct) =>
		tx.GetTable<Counter>().TableName(_counters.TableName).Where(c => c.Id == 1).Set(c => c.Value, c => c.Value + 1).UpdateAsync(ct);

	async Task<int> ValueAsync() => await _counters.Where(c => c.Id == 1).Select(c => c.Value).SingleAsync();

	[TestCase("OC000")]
	[TestCase("OC001")]
	public async Task InTransactionRetriesConflictsAtCommitAndAppliesTheWorkOnce(string code)
	{
		TestDatabase.Endpoint.FailNextCommits(2, code, _application);
		var retried = new List<string>();

		var attempts = 0;
		var result = await _db.InTransactionAsync(async (tx, ct) =>
		{
			attempts++;
			await IncrementAsync(tx, ct);
			return attempts;
		}, _fast with { OnRetry = (e, _, _) => retried.Add(((PostgresException)e).MessageText) }, CancellationToken.None);

		result.Should().Be(3);
		(await ValueAsync()).Should().Be(1, "the two failed attempts were rolled back");
		retried.Should().HaveCount(2).And.OnlyContain(m => m.EndsWith($"({code})", StringComparison.Ordinal));
		TestDatabase.Endpoint.RemainingCommitFailures().Should().Be(0);
	}

	[Test]
	public void SynchronousInTransactionRetriesToo()
	{
		TestDatabase.Endpoint.FailNextCommits(1, "OC000", _application);

		var attempts = 0;
		_db.InTransaction(tx =>
		{
			attempts++;
			tx.GetTable<Counter>().TableName(_counters.TableName).Where(c => c.Id == 1).Set(c => c.Value, c => c.Value + 10).Update();
		}, _fast);

		attempts.Should().Be(2);
		ValueAsync().GetAwaiter().GetResult().Should().Be(10);
	}

	[Test]
	public async Task WhenAttemptsRunOutEveryAttemptsErrorIsKept()
	{
		TestDatabase.Endpoint.FailNextCommits(10, "OC000", _application);

		var thrown = await FluentActions.Awaiting(() => _db.InTransactionAsync(IncrementAsync, _fast with { MaxRetries = 2 }))
			.Should().ThrowAsync<AuroraDsqlRetryLimitExceededException>();

		thrown.Which.AttemptErrors.Should().HaveCount(3)
			.And.AllSatisfy(e => e.Should().BeOfType<PostgresException>().Which.SqlState.Should().Be("40001"));
		thrown.Which.MayHaveCommitted.Should().BeFalse("a conflict at COMMIT means the transaction was rolled back");
		TestDatabase.Endpoint.ClearCommitFailures();
		(await ValueAsync()).Should().Be(0, "no attempt committed");
	}

	[Test]
	public async Task AServerUnavailableCommitIsAmbiguousAndNotRunAgain()
	{
		TestDatabase.Endpoint.FailNextCommits(1, "XX000", _application);
		var attempts = 0;

		var thrown = await FluentActions.Awaiting(() => _db.InTransactionAsync(async (tx, ct) =>
			{
				attempts++;
				await IncrementAsync(tx, ct);
			}, _fast))
			.Should().ThrowAsync<AuroraDsqlAmbiguousCommitException>();

		thrown.Which.InnerException.Should().BeOfType<PostgresException>().Which.SqlState.Should().Be("XX000");
		attempts.Should().Be(1);
	}

	[Test]
	public async Task ACommitThatTimesOutIsAmbiguousAndNotRunAgain()
	{
		// A COMMIT that takes longer than the command timeout: a deferred trigger, created behind the endpoint's back, sleeps
		// at COMMIT. The client cannot know whether the COMMIT applied (here the cancel rolls it back).
		await using (var backend = new NpgsqlConnection(TestDatabase.Endpoint.BackendConnectionString))
		{
			await backend.OpenAsync();
			await using var command = new NpgsqlCommand(
				$"CREATE FUNCTION {_counters.TableName}_slow() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(5); RETURN NULL; END$$; " +
				$"CREATE CONSTRAINT TRIGGER slow_commit AFTER UPDATE ON {_counters.TableName} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {_counters.TableName}_slow()",
				backend);
			await command.ExecuteNonQueryAsync();
		}

		var options = TestDatabase.CreateOptions(o => o with
		{
			ApplicationName = _application,
			CommandTimeout  = TimeSpan.FromSeconds(1),
		});
		await using var db = new DataConnection(options);
		var attempts = 0;

		var thrown = await FluentActions.Awaiting(() => db.InTransactionAsync(async (tx, ct) =>
			{
				attempts++;
				await IncrementAsync(tx, ct);
			}, _fast))
			.Should().ThrowAsync<AuroraDsqlAmbiguousCommitException>();

		thrown.Which.InnerException.Should().Match<Exception>(e => e is TimeoutException || e is NpgsqlException && !(e is PostgresException));
		attempts.Should().Be(1);
	}

	[Test]
	public async Task ARetryLimitAfterAmbiguousCommitsSaysTheWorkMayHaveBeenCommitted()
	{
		// Every attempt's COMMIT fails with XX000: none tells whether it applied (here none did, on DSQL any might have).
		TestDatabase.Endpoint.FailNextCommits(_fast.MaxRetries + 1, "XX000", _application);
		var attempts = 0;

		var thrown = await FluentActions.Awaiting(() => _db.InTransactionAsync(async (tx, ct) =>
			{
				attempts++;
				await tx.GetTable<Counter>().TableName(_counters.TableName).Where(c => c.Id == 1).Set(c => c.Value, 42).UpdateAsync(ct);
			}, _fast with { RetryAmbiguousCommit = true }))
			.Should().ThrowAsync<AuroraDsqlRetryLimitExceededException>();

		attempts.Should().Be(_fast.MaxRetries + 1);
		thrown.Which.MayHaveCommitted.Should().BeTrue();
		thrown.Which.Message.Should().Contain("may nevertheless have been committed");
		thrown.Which.AttemptErrors.Should().AllBeOfType<AuroraDsqlAmbiguousCommitException>()
			.And.AllSatisfy(e => e.InnerException.Should().BeOfType<PostgresException>().Which.SqlState.Should().Be("XX000"));
	}

	[Test]
	public async Task AnAmbiguousCommitIsRetriedWhenTheWorkIsDeclaredIdempotent()
	{
		TestDatabase.Endpoint.FailNextCommits(1, "XX000", _application);
		var attempts = 0;

		await _db.InTransactionAsync(async (tx, ct) =>
		{
			attempts++;
			await tx.GetTable<Counter>().TableName(_counters.TableName).Where(c => c.Id == 1).Set(c => c.Value, 42).UpdateAsync(ct);
		}, _fast with { RetryAmbiguousCommit = true });

		attempts.Should().Be(2);
		(await ValueAsync()).Should().Be(42);
	}

	[Test]
	public async Task BulkCopyRetriesTheChunkWhoseCommitConflicted()
	{
		var rows = await _db.CreateTableAsync<Row>(tableName: TestNames.Unique("fault_rows"));
		try
		{
			TestDatabase.Endpoint.FailNextCommits(2, "OC000", _application);

			var result = await rows.BulkCopyAsync(Enumerable.Range(1, 7_001).Select(i => new Row { Id = i, Name = "row " + i }));

			result.RowsCopied.Should().Be(7_001);
			(await rows.CountAsync()).Should().Be(7_001);
			(await rows.Select(r => r.Id).Distinct().CountAsync()).Should().Be(7_001, "a retried chunk is not copied twice");
			TestDatabase.Endpoint.RemainingCommitFailures().Should().Be(0, "both injected conflicts hit chunk commits");
		}
		finally
		{
			await rows.DropAsync();
		}
	}

	[Test]
	public async Task AParallelCopyWithAFailingChunkEndsWithThatChunksError()
	{
		var rows = await _db.CreateTableAsync<Row>(tableName: TestNames.Unique("fault_rows"));
		try
		{
			// Row 4,500 already exists: the second chunk fails on every worker's connection alike (a key violation is not retried).
			await rows.InsertAsync(() => new Row { Id = 4_500, Name = "taken" });

			var copy = () => rows.BulkCopyAsync(new BulkCopyOptions { MaxDegreeOfParallelism = 2 },
				Enumerable.Range(1, 30_000).Select(i => new Row { Id = i, Name = "row " + i }));

			var error = (await copy.Should().ThrowAsync<AuroraDsqlBulkCopyException>()).Which;
			error.InnerException.Should().BeOfType<PostgresException>().Which.SqlState.Should().Be("23505");
			(error.FailedChunkStartIndex, error.FailedRowIndex).Should().Be((3_000L, (long?)4_499));
			(await rows.CountAsync(r => r.Id > 15_000)).Should().Be(0, "the copy stopped instead of carrying on after the failure");
		}
		finally
		{
			await rows.DropAsync();
		}
	}
}
