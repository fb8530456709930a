using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Testing;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.DataProvider.PostgreSQL;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// linq2db's PostgreSQL lock hints on DSQL. FOR UPDATE and FOR KEY SHARE are sent as written, NOWAIT and SKIP LOCKED
/// too (DSQL accepts them); FOR SHARE and FOR NO KEY UPDATE are refused before sending. DSQL takes no locks, so NOWAIT
/// never fails and SKIP LOCKED never skips: a locked row is read by everyone and the later committer loses at COMMIT,
/// where linq2db's PostgreSQL provider on PostgreSQL fails at once or skips the row.
/// </summary>
public sealed class LockingClauseTests
{
	[Table("lock_job")]
	sealed class Job
	{
		[PrimaryKey]      public int    Id    { get; set; }
		[Column, NotNull] public string State { get; set; } = "";
	}

	DataConnection _db = null!;
	ITable<Job> _jobs = null!;

	[OneTimeSetUp]
	public async Task CreateTableAsync()
	{
		_db   = TestDatabase.Connect();
		_jobs = await _db.CreateTableAsync<Job>();
	}

	[OneTimeTearDown]
	public async Task DropTableAsync()
	{
		await _jobs.DropAsync();
		await _db.DisposeAsync();
	}

	[SetUp]
	public async Task FillAsync()
	{
		await _jobs.DeleteAsync();
		await _jobs.BulkCopyAsync(Enumerable.Range(1, 5).Select(i => new Job { Id = i, State = "new" }));
	}

	public enum Hint
	{
		ForUpdate,
		ForUpdateNoWait,
		ForUpdateSkipLocked,
		ForKeyShare,
		ForKeyShareNoWait,
		ForKeyShareSkipLocked,
	}

	static IQueryable<Job> With(IQueryable<Job> query, Hint hint) => hint switch
	{
		Hint.ForUpdate             => query.AsPostgreSQL().ForUpdateHint(),
		Hint.ForUpdateNoWait       => query.AsPostgreSQL().ForUpdateNoWaitHint(),
		Hint.ForUpdateSkipLocked   => query.AsPostgreSQL().ForUpdateSkipLockedHint(),
		Hint.ForKeyShare           => query.AsPostgreSQL().ForKeyShareHint(),
		Hint.ForKeyShareNoWait     => query.AsPostgreSQL().ForKeyShareNoWaitHint(),
		Hint.ForKeyShareSkipLocked => query.AsPostgreSQL().ForKeyShareSkipLockedHint(),
		_                          => throw new ArgumentOutOfRangeException(nameof(hint)),
	};

	static IQueryable<Job> NextNew(DataConnection db) => db.GetTable<Job>().Where(j => j.State == "new").OrderBy(j => j.Id).Take(1);

	[TestCase(Hint.ForUpdate,             "FOR UPDATE")]
	[TestCase(Hint.ForUpdateNoWait,       "FOR UPDATE NOWAIT")]
	[TestCase(Hint.ForUpdateSkipLocked,   "FOR UPDATE SKIP LOCKED")]
	[TestCase(Hint.ForKeyShare,           "FOR KEY SHARE")]
	[TestCase(Hint.ForKeyShareNoWait,     "FOR KEY SHARE NOWAIT")]
	[TestCase(Hint.ForKeyShareSkipLocked, "FOR KEY SHARE SKIP LOCKED")]
	public async Task LockHintsDsqlAcceptsAreSentAsWrittenAndReadWhatTheStockProviderReads(Hint hint, string clause)
	{
		var recorder = new SqlRecorder();
		await using var db    = TestDatabase.Connect(o => o.UseInterceptor(recorder));
		await using var stock = TestDatabase.ConnectStock();

		List<int> rows, expected;

		await using (await db.BeginTransactionAsync())
			rows = await With(db.GetTable<Job>().Where(j => j.Id > 2), hint).OrderBy(j => j.Id).Select(j => j.Id).ToListAsync();

		// REPEATABLE READ: the stock provider's default (Npgsql's READ COMMITTED) is refused when the reference runs on DSQL.
		await using (await stock.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead))
			expected = await With(stock.GetTable<Job>().Where(j => j.Id > 2), hint).OrderBy(j => j.Id).Select(j => j.Id).ToListAsync();

		rows.Should().Equal(3, 4, 5).And.Equal(expected);

		recorder.Commands.Should().ContainSingle().Which.Should().EndWith(clause + "\n");
	}

	[Test]
	public async Task ForShareAndForNoKeyUpdateAreRefusedBeforeTheyAreSent()
	{
		await using var db = TestDatabase.Connect();

		await FluentActions.Awaiting(() => db.GetTable<Job>().AsPostgreSQL().ForShareHint().ToListAsync())
			.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
			.WithMessage("*0A000: locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported*Use FOR UPDATE*Nothing was sent*");
		await FluentActions.Awaiting(() => db.GetTable<Job>().AsPostgreSQL().ForNoKeyUpdateSkipLockedHint().ToListAsync())
			.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
			.WithMessage("*locking clauses other than FOR UPDATE/FOR KEY SHARE*Nothing was sent*");

		// Sent anyway (as linq2db's PostgreSQL provider sends it), the database refuses it with the error the provider names.
		await using var connection = await TestDatabase.OpenNpgsqlAsync();
		await using var command    = new NpgsqlCommand($"SELECT \"Id\" FROM {TestDatabase.TableName<Job>()} FOR SHARE", connection);
		var refused = (await FluentActions.Awaiting(() => command.ExecuteScalarAsync()).Should().ThrowAsync<PostgresException>()).Which;
		(refused.SqlState, refused.MessageText).Should().Be(("0A000", "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported"));
	}

	[Test]
	public async Task SkipLockedSkipsNothingTheLaterCommitterLosesInstead()
	{
		await using var first  = TestDatabase.Connect();
		await using var second = TestDatabase.Connect();

		await using var firstTransaction = await first.BeginTransactionAsync();
		(await NextNew(first).AsPostgreSQL().ForUpdateSkipLockedHint().SingleAsync()).Id.Should().Be(1);

		await using (var secondTransaction = await second.BeginTransactionAsync())
		{
			var taken = await NextNew(second).AsPostgreSQL().ForUpdateSkipLockedHint().SingleAsync();
			taken.Id.Should().Be(1, "DSQL locks nothing, so there is no locked row to skip");

			await second.GetTable<Job>().Where(j => j.Id == taken.Id).Set(j => j.State, "taken").UpdateAsync();
			await secondTransaction.CommitAsync();
		}

		var commit = await FluentActions.Awaiting(() => firstTransaction.CommitAsync()).Should().ThrowAsync<PostgresException>();
		commit.Which.SqlState.Should().Be(AuroraDsqlErrors.SerializationFailure, "the first reader of row 1 commits last and loses");
		AuroraDsqlErrors.IsOptimisticConcurrencyConflict(commit.Which).Should().BeTrue();
	}

	[LocalEndpointOnly("PostgreSQL's own row locks on the backend PostgreSQL, the behaviour DSQL differs from; a cluster has no PostgreSQL behind it to show them")]
	[Test]
	public async Task OnPostgreSqlTheStockProvidersSkipLockedSkipsTheLockedRow()
	{
		await using var first  = TestDatabase.ConnectStock();
		await using var second = TestDatabase.ConnectStock();

		await using var firstTransaction  = await first.BeginTransactionAsync();
		(await NextNew(first).AsPostgreSQL().ForUpdateSkipLockedHint().SingleAsync()).Id.Should().Be(1);

		await using var secondTransaction = await second.BeginTransactionAsync();
		(await NextNew(second).AsPostgreSQL().ForUpdateSkipLockedHint().SingleAsync()).Id.Should().Be(2, "PostgreSQL skips the row the first transaction locked");
	}

	[Test]
	public async Task NowaitDoesNotFailOnARowAnotherTransactionRead()
	{
		await using var first  = TestDatabase.Connect();
		await using var second = TestDatabase.Connect();

		await using var firstTransaction = await first.BeginTransactionAsync();
		(await first.GetTable<Job>().Where(j => j.Id == 1).AsPostgreSQL().ForUpdateHint().SingleAsync()).State.Should().Be("new");

		await using (var secondTransaction = await second.BeginTransactionAsync())
		{
			(await second.GetTable<Job>().Where(j => j.Id == 1).AsPostgreSQL().ForUpdateNoWaitHint().SingleAsync())
				.State.Should().Be("new", "DSQL has no lock to fail on");

			await second.GetTable<Job>().Where(j => j.Id == 1).Set(j => j.State, "taken").UpdateAsync();
			await secondTransaction.CommitAsync();
		}

		(await FluentActions.Awaiting(() => firstTransaction.CommitAsync()).Should().ThrowAsync<PostgresException>())
			.Which.SqlState.Should().Be(AuroraDsqlErrors.SerializationFailure);
	}

	[LocalEndpointOnly("PostgreSQL's own row locks on the backend PostgreSQL, the behaviour DSQL differs from; a cluster has no PostgreSQL behind it to show them")]
	[Test]
	public async Task OnPostgreSqlTheStockProvidersNowaitFailsAtOnce()
	{
		await using var first  = TestDatabase.ConnectStock();
		await using var second = TestDatabase.ConnectStock();

		await using var firstTransaction  = await first.BeginTransactionAsync();
		await first.GetTable<Job>().Where(j => j.Id == 1).AsPostgreSQL().ForUpdateHint().SingleAsync();

		await using var secondTransaction = await second.BeginTransactionAsync();
		(await FluentActions.Awaiting(() => second.GetTable<Job>().Where(j => j.Id == 1).AsPostgreSQL().ForUpdateNoWaitHint().SingleAsync())
				.Should().ThrowAsync<PostgresException>())
			.Which.SqlState.Should().Be("55P03", "lock_not_available");
	}
}
