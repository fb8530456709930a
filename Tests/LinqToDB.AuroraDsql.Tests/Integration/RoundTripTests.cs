using AuroraDsql.Local;

using LinqToDB.Async;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// What the provider's operations cost in client round trips, counted by an endpoint of their own (every round trip is a
/// network hop on DSQL). Each figure is pinned: the floor where the provider reaches it, otherwise the reason it does not.
/// </summary>
[NonParallelizable]
public sealed class RoundTripTests
{
	[Table]
	sealed class Account
	{
		[PrimaryKey] public int    Id      { get; set; }
		[Column]     public long   Balance { get; set; }
		[Column]     public string Note    { get; set; } = "";
	}

	[Table]
	sealed class Entry
	{
		[PrimaryKey, Identity] public long   Id   { get; set; }
		[Column]               public string Text { get; set; } = "";
	}

	[Table("rt_schema_item")]
	[AuroraDsqlIndex("ix_rt_schema_item_name", nameof(Name))]
	sealed class SchemaItem
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	LocalDsqlEndpoint _endpoint = null!;
	DataOptions _options = null!;

	[OneTimeSetUp]
	public async Task StartAsync()
	{
		_endpoint = await LocalDsqlEndpoint.StartAsync();
		_options  = new DataOptions().UseAuroraDsql(_endpoint.HostName, o => TestDatabase.Configure(o, _endpoint) with { ApplicationName = "round-trips" });
	}

	[OneTimeTearDown]
	public async Task StopAsync()
	{
		Npgsql.NpgsqlConnection.ClearAllPools();
		await _endpoint.DisposeAsync();
	}

	/// <summary>Round trips of every session of the endpoint so far (pooled sessions stay open between operations).</summary>
	long RoundTrips() => _endpoint.GetSessionStatistics().Sum(s => s.RoundTrips);

	async Task<long> RoundTripsOfAsync(Func<Task> work)
	{
		var before = RoundTrips();
		await work();
		return RoundTrips() - before;
	}

	async Task<ITable<Account>> AccountsAsync(int rows = 1)
	{
		await using var db = new DataConnection(_options);
		var table = await db.CreateTableAsync<Account>(tableName: TestNames.Unique("rt_account"));
		await table.BulkCopyAsync(Enumerable.Range(1, rows).Select(i => new Account { Id = i, Balance = 100 }));
		return table;
	}

	[Test]
	public async Task OpeningAPooledConnectionCostsNoRoundTrip()
	{
		await AccountsAsync(); // the pool now holds an open session

		var trips = await RoundTripsOfAsync(async () =>
		{
			await using var db = new DataConnection(_options);
			await db.OpenDbConnectionAsync(CancellationToken.None);
		});

		// Npgsql's pool hands out an open session; the endpoint's connection string and the provider's (No Reset On
		// Close) send nothing on open or on close
		trips.Should().Be(0);
	}

	[Test]
	public async Task ASingleRowReadCostsOneRoundTrip()
	{
		var name = (await AccountsAsync()).TableName;

		var trips = await RoundTripsOfAsync(async () =>
		{
			await using var db = new DataConnection(_options);
			(await db.GetTable<Account>().TableName(name).FirstAsync(a => a.Id == 1)).Balance.Should().Be(100);
		});

		trips.Should().Be(1);
	}

	[Test]
	public async Task InsertWithIdentityCostsOneRoundTrip()
	{
		await using var setup = new DataConnection(_options);
		var table = await setup.CreateTableAsync<Entry>(tableName: TestNames.Unique("rt_entry"));

		var trips = await RoundTripsOfAsync(async () =>
		{
			await using var db = new DataConnection(_options);
			(await db.InsertWithInt64IdentityAsync(new Entry { Text = "a" }, tableName: table.TableName)).Should().BeGreaterThan(0);
		});

		trips.Should().Be(1);
	}

	[Test]
	public async Task AReadModifyWriteTransactionCostsThreeRoundTrips()
	{
		var name = (await AccountsAsync()).TableName;

		var trips = await RoundTripsOfAsync(async () =>
		{
			await using var db = new DataConnection(_options);
			await db.InTransactionAsync(async (tx, ct) =>
			{
				var account = await tx.GetTable<Account>().TableName(name).FirstAsync(a => a.Id == 1, ct);
				await tx.GetTable<Account>().TableName(name).Where(a => a.Id == 1).Set(a => a.Balance, account.Balance + 1).UpdateAsync(ct);
			});
		});

		// BEGIN rides with the read, then the update, then COMMIT
		trips.Should().Be(3);
	}

	[Test]
	public async Task ARetriedReadModifyWriteTransactionCostsThreeRoundTripsPerAttempt()
	{
		var name = (await AccountsAsync()).TableName;
		_endpoint.FailNextCommits(1, applicationName: "round-trips");

		var attempts = 0;
		var trips = await RoundTripsOfAsync(async () =>
		{
			await using var db = new DataConnection(_options);
			await db.InTransactionAsync(async (tx, ct) =>
			{
				attempts++;
				var account = await tx.GetTable<Account>().TableName(name).FirstAsync(a => a.Id == 1, ct);
				await tx.GetTable<Account>().TableName(name).Where(a => a.Id == 1).Set(a => a.Balance, account.Balance + 1).UpdateAsync(ct);
			}, new AuroraDsqlRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) });
		});

		// the failed attempt costs the same three trips (its COMMIT fails), the retry on a pooled connection three more
		attempts.Should().Be(2);
		trips.Should().Be(6);
	}

	[TestCase(1_000, 1)]
	[TestCase(7_001, 3)]
	public async Task ABulkCopyCostsThreeRoundTripsPerChunk(int rows, int chunks)
	{
		await using var db = new DataConnection(_options);
		var table = await db.CreateTableAsync<Account>(tableName: TestNames.Unique("rt_copy"));

		var trips = await RoundTripsOfAsync(async () =>
			(await table.BulkCopyAsync(Enumerable.Range(1, rows).Select(i => new Account { Id = i, Balance = i }))).RowsCopied.Should().Be(rows));

		// Per chunk, its own transaction: BEGIN rides with COPY … FROM STDIN (the client waits for the server to start the
		// copy), the end of the data waits for its CommandComplete, then COMMIT. A chunk sent as an autocommitted COPY would
		// save the COMMIT trip, at a price the provider does not pay: a connection lost while the chunk is sent is then no
		// longer a failure that is safely retried (nothing was committed) but one whose outcome is unknown (the COPY may have
		// committed as its answer was lost), which the retries must not repeat. With its own COMMIT only the COMMIT's own
		// loss is ambiguous.
		trips.Should().Be(3 * chunks);
	}

	[Test]
	public async Task DeleteInBatchesCostsTwoRoundTripsPerBatch()
	{
		var name = (await AccountsAsync(7_001)).TableName;

		var trips = await RoundTripsOfAsync(async () =>
		{
			await using var db = new DataConnection(_options);
			(await db.GetTable<Account>().TableName(name).DeleteInBatchesAsync(a => a.Id > 0)).Should().Be(7_001);
		});

		// per batch of at most 3,000 rows: BEGIN rides with the DELETE, then COMMIT; the short last batch ends the loop
		trips.Should().Be(2 * 3);
	}

	[Test]
	public async Task EnsureSchemaCostsOneRoundTripPerTableAndTwoPerIndex()
	{
		// CREATE TABLE IF NOT EXISTS is one autocommitted statement; CREATE INDEX ASYNC IF NOT EXISTS is another, and the job
		// it answers is then read once (sys.jobs) so that the returned AuroraDsqlJob carries its type, object and state. That
		// read is the one trip above the floor, kept because callers inspect the jobs EnsureSchema returns.
		var trips = await RoundTripsOfAsync(async () =>
		{
			await using var db = new DataConnection(_options);
			await db.EnsureSchemaAsync<SchemaItem>();
		});

		trips.Should().Be(1 + 2);

		// run again: the same statements, each a no-op (the index statement still answers a job id, which is read)
		var again = await RoundTripsOfAsync(async () =>
		{
			await using var db = new DataConnection(_options);
			await db.EnsureSchemaAsync<SchemaItem>();
		});

		again.Should().Be(1 + 2);
	}
}
