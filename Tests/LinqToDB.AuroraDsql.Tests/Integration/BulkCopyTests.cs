using LinqToDB.DataProvider.AuroraDsql.Testing;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>Bulk copy commits in chunks that fit DSQL's 3,000-row and 10 MiB transaction limits.</summary>
public sealed class BulkCopyTests
{
	[Table]
	sealed class Item
	{
		[PrimaryKey] public int     Id      { get; set; }
		[Column]     public string  Name    { get; set; } = "";
		[Column]     public string? Payload { get; set; }
	}

	DataConnection _db = null!;
	ITable<Item> _items = null!;

	[SetUp]
	public async Task CreateTableAsync()
	{
		_db    = TestDatabase.Connect();
		_items = await _db.CreateTableAsync<Item>(tableName: TestNames.Unique("bulk"));
	}

	[TearDown]
	public async Task DropTableAsync()
	{
		await _items.DropAsync();
		await _db.DisposeAsync();
	}

	static IEnumerable<Item> Items(int count, int payloadBytes = 0) =>
		Enumerable.Range(1, count).Select(i => new Item { Id = i, Name = "item " + i, Payload = payloadBytes > 0 ? new string('x', payloadBytes) : null });

	/// <summary>Rows written by one transaction share its xmin: the committed chunk sizes, in commit order.</summary>
	async Task<List<ChunkTransaction>> TransactionsAsync() =>
		await _db.QueryToListAsync<ChunkTransaction>(
			$"SELECT count(*) AS \"Rows\", coalesce(sum(octet_length(\"Payload\")), 0) AS \"Bytes\" FROM {_items.TableName} GROUP BY xmin::text::bigint ORDER BY min(\"Id\")");

	sealed class ChunkTransaction
	{
		public long Rows  { get; set; }
		public long Bytes { get; set; }
	}

	[TestCase(BulkCopyType.ProviderSpecific)]
	[TestCase(BulkCopyType.MultipleRows)]
	public async Task LargeCopiesCommitInChunksOfAtMost3000Rows(BulkCopyType type)
	{
		var result = await _items.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = type }, Items(7_001));

		result.RowsCopied.Should().Be(7_001);
		(await _items.CountAsync()).Should().Be(7_001);
		(await TransactionsAsync()).Select(t => t.Rows).Should().Equal(3_000, 3_000, 1_001);
	}

	[Test]
	public void SynchronousCopyChunksToo()
	{
		_items.BulkCopy(Items(3_500)).RowsCopied.Should().Be(3_500);
		TransactionsAsync().GetAwaiter().GetResult().Select(t => t.Rows).Should().Equal(3_000, 500);
	}

	[Test]
	public async Task ChunksAreSizedFromTheDataToStayUnder10MiB()
	{
		const int payload = 200_000;

		await _items.BulkCopyAsync(Items(150, payload));

		var transactions = await TransactionsAsync();
		transactions.Sum(t => t.Rows).Should().Be(150);
		transactions.Should().HaveCountGreaterThan(2, "150 rows of 200 kB are 30 MB");
		transactions.Should().OnlyContain(t => t.Bytes <= 10L * 1024 * 1024 * 9 / 10);
	}

	[Test]
	public async Task SmallerTransactionBudgetsAreHonoured()
	{
		await using var db = TestDatabase.Connect(o => o.UseAuroraDsqlOptions(d => d with { MaxRowsPerTransaction = 400 }));

		await db.GetTable<Item>().TableName(_items.TableName).BulkCopyAsync(Items(1_000));

		(await TransactionsAsync()).Select(t => t.Rows).Should().Equal(400, 400, 200);
	}

	[Test]
	public async Task ParallelCopyUsesSeveralConnections()
	{
		var result = await _items.BulkCopyAsync(new BulkCopyOptions { MaxDegreeOfParallelism = 4 }, Items(12_345));

		result.RowsCopied.Should().Be(12_345);
		(await _items.Select(i => i.Id).Distinct().CountAsync()).Should().Be(12_345);
		var transactions = await TransactionsAsync();
		transactions.Should().OnlyContain(t => t.Rows <= 3_000);
		transactions.Sum(t => t.Rows).Should().Be(12_345);
	}

	[Test]
	public void SynchronousParallelCopy()
	{
		_items.BulkCopy(new BulkCopyOptions { MaxDegreeOfParallelism = 2 }, Items(7_000)).RowsCopied.Should().Be(7_000);
		// two rounds of two chunks at once, equal shares
		TransactionsAsync().GetAwaiter().GetResult().Select(t => t.Rows).Should().BeEquivalentTo([1_750L, 1_750L, 1_750L, 1_750L]);
	}

	[Test]
	public async Task AParallelCopyGivesEveryConnectionAnEqualShare()
	{
		// 10,000 rows over 4 connections: 4 × 2,500 in one round, not 3,000 × 3 and 1,000 (one worker with a third of the work)
		(await _items.BulkCopyAsync(new BulkCopyOptions { MaxDegreeOfParallelism = 4 }, Items(10_000))).RowsCopied.Should().Be(10_000);
		(await TransactionsAsync()).Select(t => t.Rows).Should().BeEquivalentTo([2_500L, 2_500L, 2_500L, 2_500L]);
	}

	[Test]
	public async Task AParallelCopyOfAFewRowsStaysOneTransaction()
	{
		(await _items.BulkCopyAsync(new BulkCopyOptions { MaxDegreeOfParallelism = 4 }, Items(400))).RowsCopied.Should().Be(400);
		(await TransactionsAsync()).Select(t => t.Rows).Should().Equal(400L);
	}

	[Test]
	public async Task AParallelCopyOfASourceOfUnknownLengthKeepsFullChunks()
	{
		(await _items.BulkCopyAsync(new BulkCopyOptions { MaxDegreeOfParallelism = 4 }, Items(7_000).Where(_ => true))).RowsCopied.Should().Be(7_000);
		(await TransactionsAsync()).Select(t => t.Rows).Should().BeEquivalentTo([3_000L, 3_000L, 1_000L]);
	}

	[Test]
	public void SynchronousParallelCopyDoesNotNeedTheCallersSynchronizationContext()
	{
		// A UI-like context that runs nothing while its thread waits: a continuation posted to it would never run.
		BulkCopyRowsCopied? result = null;
		Exception? error = null;
		var caller = new Thread(() =>
		{
			SynchronizationContext.SetSynchronizationContext(new NeverPumpedSynchronizationContext());
			try
			{
				result = _items.BulkCopy(new BulkCopyOptions { MaxDegreeOfParallelism = 2 }, Items(4_000));
			}
			catch (Exception ex)
			{
				error = ex;
			}
		}) { IsBackground = true };

		caller.Start();
		caller.Join(TimeSpan.FromMinutes(1)).Should().BeTrue("the copy must not wait for the caller's context");
		error.Should().BeNull();
		result!.RowsCopied.Should().Be(4_000);
	}

	sealed class NeverPumpedSynchronizationContext : SynchronizationContext
	{
		public override void Post(SendOrPostCallback d, object? state) { }

		public override SynchronizationContext CreateCopy() => this;
	}

	[Test]
	public async Task OptionsWithOneFixedConnectionCopySequentially()
	{
		await using var connection = await TestDatabase.OpenNpgsqlAsync();
		await using var db = new DataConnection(new DataOptions().UseConnection(AuroraDsqlTools.GetDataProvider(), connection));

		var result = await db.GetTable<Item>().TableName(_items.TableName).BulkCopyAsync(new BulkCopyOptions { MaxDegreeOfParallelism = 4 }, Items(7_000));

		result.RowsCopied.Should().Be(7_000);
		(await TransactionsAsync()).Select(t => t.Rows).Should().Equal(3_000, 3_000, 1_000);
	}

	[Test]
	public async Task ProgressIsReportedAfterEachCommittedChunk()
	{
		var reported = new List<long>();

		var result = await _items.BulkCopyAsync(
			new BulkCopyOptions { NotifyAfter = 1_000, RowsCopiedCallback = r => reported.Add(r.RowsCopied) },
			Items(7_001));

		result.RowsCopied.Should().Be(7_001);
		reported.Should().Equal(3_000, 6_000, 7_001);
	}

	[Test]
	public async Task CallbackCanAbortBetweenChunks()
	{
		var result = await _items.BulkCopyAsync(
			new BulkCopyOptions { NotifyAfter = 1, RowsCopiedCallback = r => r.Abort = r.RowsCopied >= 3_000 },
			Items(9_000));

		result.Abort.Should().BeTrue();
		result.RowsCopied.Should().Be(3_000);
		(await _items.CountAsync()).Should().Be(3_000);
	}

	static IEnumerable<Item> ItemsFailingAt(int failingId)
	{
		foreach (var item in Items(failingId))
		{
			if (item.Id == failingId)
				throw new InvalidOperationException("source failed at " + failingId);
			yield return item;
		}
	}

	[TestCase(BulkCopyType.ProviderSpecific)]
	[TestCase(BulkCopyType.MultipleRows)]
	public async Task AFailedChunkNamesItsSourceRowsAndTheRowsCommittedBeforeIt(BulkCopyType type)
	{
		// Row 4,500 exists: the second chunk (source rows 3,000 to 5,999) fails on it.
		await _items.InsertAsync(() => new Item { Id = 4_500, Name = "taken" });

		var act = () => _items.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = type }, Items(7_000));

		var error = (await act.Should().ThrowAsync<AuroraDsqlBulkCopyException>()).Which;
		error.InnerException.Should().BeOfType<Npgsql.PostgresException>().Which.SqlState.Should().Be("23505");
		(error.RowsCommitted, error.FailedChunkStartIndex, error.FailedChunkRowCount).Should().Be((3_000L, 3_000L, 3_000));
		if (type == BulkCopyType.ProviderSpecific)
		{
			// A COPY names the line it failed on, counted within the chunk: source row 4,499 is line 1,500.
			error.FailedRowIndex.Should().Be(4_499);
			error.Message.Should().Contain("at source row 4,499 (line 1,500 of the chunk's COPY)");
		}
		else
			error.FailedRowIndex.Should().BeNull("multi-row INSERTs do not say which row failed");

		error.Message.Should().Contain("source rows 3,000 to 5,999").And.Contain("3,000 rows were committed by earlier chunks");
		(await _items.CountAsync()).Should().Be(3_001);
	}

	[Test]
	public void AFailedChunkNamesItsSourceRowsSynchronously()
	{
		_items.Insert(() => new Item { Id = 6_001, Name = "taken" });

		var act = () => _items.BulkCopy(Items(7_000));

		var error = act.Should().Throw<AuroraDsqlBulkCopyException>().Which;
		(error.RowsCommitted, error.FailedChunkStartIndex, error.FailedRowIndex).Should().Be((6_000L, 6_000L, (long?)6_000));
	}

	[Test]
	public async Task ASourceFailingInALaterChunkKeepsTheChunksCommittedBeforeIt()
	{
		var act = () => _items.BulkCopyAsync(ItemsFailingAt(3_500));

		(await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("source failed at 3500");
		(await TransactionsAsync()).Select(t => t.Rows).Should().Equal(3_000);
	}

	[Test]
	public void ASourceFailingInALaterChunkKeepsTheChunksCommittedBeforeItSynchronously()
	{
		var act = () => _items.BulkCopy(ItemsFailingAt(6_200));

		act.Should().Throw<InvalidOperationException>().WithMessage("source failed at 6200");
		TransactionsAsync().GetAwaiter().GetResult().Select(t => t.Rows).Should().Equal(3_000, 3_000);
	}

	/// <summary>Counts the rows taken from it.</summary>
	sealed class CountingSource(IEnumerable<Item> rows) : IEnumerable<Item>
	{
		public int Taken { get; private set; }

		public IEnumerator<Item> GetEnumerator()
		{
			foreach (var row in rows)
			{
				Taken++;
				yield return row;
			}
		}

		System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
	}

	// A chunk is complete when the row after it is read: 3,001 rows are taken for the first chunk. A binary COPY reads (and
	// encodes) the next chunk while the server inserts the current one; multi-row INSERTs read a chunk when it is its turn.
	[TestCase(BulkCopyType.ProviderSpecific, 6_001)]
	[TestCase(BulkCopyType.MultipleRows, 3_001)]
	public async Task BinaryCopyReadsTheNextChunkWhileTheServerInsertsTheCurrentOne(BulkCopyType type, int takenWhenTheFirstChunkCommitted)
	{
		var source = new CountingSource(Items(9_000));
		var taken  = new List<int>();

		var result = await _items.BulkCopyAsync(
			new BulkCopyOptions { BulkCopyType = type, NotifyAfter = 3_000, RowsCopiedCallback = _ => taken.Add(source.Taken) },
			source);

		result.RowsCopied.Should().Be(9_000);
		taken.First().Should().Be(takenWhenTheFirstChunkCommitted);
		(await TransactionsAsync()).Select(t => t.Rows).Should().Equal(3_000, 3_000, 3_000);
	}

	[Test]
	public void SynchronousBinaryCopyReadsTheNextChunkWhileTheServerInsertsTheCurrentOne()
	{
		var source = new CountingSource(Items(9_000));
		var taken  = new List<int>();

		_items.BulkCopy(new BulkCopyOptions { NotifyAfter = 3_000, RowsCopiedCallback = _ => taken.Add(source.Taken) }, source)
			.RowsCopied.Should().Be(9_000);

		taken.Should().Equal(6_001, 9_000, 9_000);
	}

	// The chunk read ahead is read before the current chunk's transaction begins: a source that takes its time there does
	// not stretch a transaction (here past an age limit of 1 s, which would fail its COMMIT).
	[LocalEndpointOnly("an endpoint of its own on a fake clock with a 1 s transaction age limit (a cluster's is 5 minutes of real time)")]
	[Test]
	public async Task ReadingAheadNeverHoldsATransactionOpenWhileTheSourceIsRead()
	{
		// the source's slowness moves the endpoint's clock (transaction ages), not the wall clock
		var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
		await using var endpoint = await global::AuroraDsql.Local.LocalDsqlEndpoint.StartAsync(
			new global::AuroraDsql.Local.LocalDsqlEndpointOptions { MaxTransactionAge = TimeSpan.FromSeconds(1), TimeProvider = clock });
		await using var db = new DataConnection(new DataOptions().UseAuroraDsql(endpoint.HostName, o => TestDatabase.Configure(o, endpoint)));
		var table = await db.CreateTableAsync<Item>(tableName: "slow_source");

		IEnumerable<Item> Slowly(IEnumerable<Item> rows)
		{
			foreach (var row in rows)
			{
				if (row.Id % 3_000 == 1_000)
					clock.Advance(TimeSpan.FromMilliseconds(1_500));
				yield return row;
			}
		}

		async IAsyncEnumerable<Item> SlowlyAsync(IEnumerable<Item> rows)
		{
			foreach (var row in rows)
			{
				if (row.Id % 3_000 == 1_000)
				{
					await Task.Yield();
					clock.Advance(TimeSpan.FromMilliseconds(1_500));
				}
				yield return row;
			}
		}

		table.BulkCopy(Slowly(Items(6_000))).RowsCopied.Should().Be(6_000);
		(await table.BulkCopyAsync(SlowlyAsync(Items(12_000).Skip(6_000)))).RowsCopied.Should().Be(6_000);
		(await table.CountAsync()).Should().Be(12_000);
	}

	// The second chunk is encoded while the first one is in the server: its error still comes after the first one committed.
	[Test]
	public async Task ARowThatCannotBeEncodedInALaterChunkKeepsTheChunksCommittedBeforeIt()
	{
		var rows = Items(4_000).Select(i => i.Id == 3_500 ? new Item { Id = i.Id, Name = "broken \uD800 text" } : i);

		var act = () => _items.BulkCopyAsync(rows);

		await act.Should().ThrowAsync<System.Text.EncoderFallbackException>();
		(await TransactionsAsync()).Select(t => t.Rows).Should().Equal(3_000);
	}

	[Test]
	public void ARowThatCannotBeEncodedInALaterChunkKeepsTheChunksCommittedBeforeItSynchronously()
	{
		var rows = Items(7_000).Select(i => i.Id == 6_100 ? new Item { Id = i.Id, Name = "broken \uD800 text" } : i);

		var act = () => _items.BulkCopy(rows);

		act.Should().Throw<System.Text.EncoderFallbackException>();
		TransactionsAsync().GetAwaiter().GetResult().Select(t => t.Rows).Should().Equal(3_000, 3_000);
	}

	[Test]
	public async Task ATableOfADataContextIsCopiedInChunks()
	{
		using var context = new DataContext(TestDatabase.Options);

		var result = await context.GetTable<Item>().TableName(_items.TableName).BulkCopyAsync(Items(6_500));

		result.RowsCopied.Should().Be(6_500);
		(await TransactionsAsync()).Select(t => t.Rows).Should().Equal(3_000, 3_000, 500);
		(await _items.OrderBy(i => i.Id).Select(i => i.Name).FirstAsync()).Should().Be("item 1");
	}

	[Table]
	sealed class Numbered
	{
		[PrimaryKey, Identity] public long   Id   { get; set; }
		[Column]               public string Name { get; set; } = "";
	}

	[TestCase(false)]
	[TestCase(true)]
	public async Task KeepIdentityDecidesWhoNumbersTheRows(bool keepIdentity)
	{
		var numbered = await _db.CreateTableAsync<Numbered>(tableName: TestNames.Unique("bulk_identity"));
		try
		{
			var rows = Enumerable.Range(1, 4_000).Select(i => new Numbered { Id = 1_000_000 + i, Name = "n" + i });

			(await numbered.BulkCopyAsync(new BulkCopyOptions { KeepIdentity = keepIdentity }, rows)).RowsCopied.Should().Be(4_000);

			var ids = await numbered.OrderBy(n => n.Name).Select(n => new { n.Id, n.Name }).ToListAsync();
			ids.Should().HaveCount(4_000);
			if (keepIdentity)
				ids.Should().OnlyContain(n => n.Name == "n" + (n.Id - 1_000_000), "the given numbers are kept");
			else
				ids.Should().OnlyContain(n => n.Id < 1_000_000, "the identity numbers the rows");
		}
		finally
		{
			await numbered.DropAsync();
		}
	}

	[Test]
	public async Task AsyncSourcesAreChunked()
	{
		static async IAsyncEnumerable<Item> Produce()
		{
			foreach (var item in Items(4_000))
			{
				if (item.Id % 500 == 0)
					await Task.Yield();
				yield return item;
			}
		}

		(await _items.BulkCopyAsync(Produce())).RowsCopied.Should().Be(4_000);
		(await TransactionsAsync()).Select(t => t.Rows).Should().Equal(3_000, 1_000);
	}

	[Test]
	public async Task InsideATransactionWorkThatCannotFitIsRefusedBeforeSending()
	{
		var recorder = new SqlRecorder();
		await using var db = TestDatabase.Connect(o => o.UseInterceptor(recorder));
		var table = db.GetTable<Item>().TableName(_items.TableName);

		await using (var tx = await db.BeginTransactionAsync())
		{
			await FluentActions.Awaiting(() => table.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.MultipleRows }, Items(3_001)))
				.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
				.WithMessage("*inside an application transaction*more than 3,000 rows*Nothing was sent*outside the transaction*");

			recorder.Commands.Should().BeEmpty();

			(await table.BulkCopyAsync(Items(2_000))).RowsCopied.Should().Be(2_000);
			(await table.CountAsync()).Should().Be(2_000);
			await tx.RollbackAsync();
		}

		(await _items.CountAsync()).Should().Be(0, "the copy inside the transaction was rolled back with it");
	}

	[Test]
	public async Task MultipleRowsModeSendsInsertsAndBinaryModeSendsNone()
	{
		var recorder = new SqlRecorder();
		await using var db = TestDatabase.Connect(o => o.UseInterceptor(recorder));
		var table = db.GetTable<Item>().TableName(_items.TableName);

		await table.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.MultipleRows }, Items(10));
		recorder.Commands.Should().ContainSingle(c => c.StartsWith("INSERT INTO", StringComparison.Ordinal));

		await table.Where(i => i.Id > 0).DeleteAsync();
		var before = recorder.Commands.Count;
		await table.BulkCopyAsync(Items(10));
		recorder.Commands.Skip(before).Should().NotContain(c => c.StartsWith("INSERT INTO", StringComparison.Ordinal), "binary COPY is the default");
		(await table.CountAsync()).Should().Be(10);
	}

	[LocalEndpointOnly("an endpoint of its own whose backend is made to refuse binary COPY (a cluster cannot be made to)")]
	[Test]
	public async Task AServerThatRefusesBinaryCopyIsSentInsertsFromThenOn()
	{
		// A server of its own (the refusal is remembered per server and database, and must not reach other tests).
		await using var endpoint = await global::AuroraDsql.Local.LocalDsqlEndpoint.StartAsync();
		var sent    = new System.Collections.Concurrent.ConcurrentQueue<string>();
		var options = new DataOptions().UseAuroraDsql(endpoint.HostName, o => TestDatabase.Configure(o, endpoint))
			.UseTracing(System.Diagnostics.TraceLevel.Info, t =>
			{
				if (t.TraceInfoStep == TraceInfoStep.BeforeExecute && t.SqlText is { } sql)
					sent.Enqueue(sql);
			});

		await using var db = new DataConnection(options);
		var failing  = await db.CreateTableAsync<Item>(tableName: "failing");
		var refusing = await db.CreateTableAsync<Item>(tableName: "refusing");
		var other    = await db.CreateTableAsync<Item>(tableName: "other");

		// "failing" raises an unsupported-feature error that mentions COPY once the COPY runs (after it started), which is
		// not a refusal of binary COPY. "refusing" turns the COPY statement itself away, as a server without binary COPY
		// would: PostgreSQL answers COPY FROM into a table under row-level security with 0A000 (INSERTs pass the policy).
		await using (var backend = new Npgsql.NpgsqlConnection(endpoint.BackendConnectionString))
		{
			await backend.OpenAsync();
			await using var setup = new Npgsql.NpgsqlCommand("""
				CREATE FUNCTION fail_copy() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = 'unsupported in this COPY';
				END $$;
				CREATE TRIGGER fail_copy BEFORE INSERT ON failing FOR EACH STATEMENT EXECUTE FUNCTION fail_copy();
				ALTER TABLE refusing ENABLE ROW LEVEL SECURITY;
				ALTER TABLE refusing FORCE ROW LEVEL SECURITY;
				CREATE POLICY everything ON refusing USING (true) WITH CHECK (true);
				""", backend);
			await setup.ExecuteNonQueryAsync();
		}

		var rows = Enumerable.Range(1, 10).Select(i => new Item { Id = i, Name = "n" + i }).ToArray();

		var failed = () => failing.BulkCopyAsync(rows);
		(await failed.Should().ThrowAsync<AuroraDsqlBulkCopyException>()).Which.InnerException.Should().BeOfType<Npgsql.PostgresException>()
			.Which.MessageText.Should().Be("unsupported in this COPY");
		(await failing.CountAsync()).Should().Be(0, "a failure after the COPY started is reported, not sent again as INSERTs");

		sent.Clear();
		(await other.BulkCopyAsync(rows)).RowsCopied.Should().Be(10);
		sent.Should().Contain(s => s.Contains("BULK", StringComparison.Ordinal), "that failure did not mark the server as refusing binary COPY");
		await other.DeleteAsync();

		sent.Clear();
		(await refusing.BulkCopyAsync(rows)).RowsCopied.Should().Be(10);
		(await refusing.CountAsync()).Should().Be(10, "the refused chunk was sent again as INSERTs");
		sent.Take(3).Should().Equal(["BeginTransactionAsync(RepeatableRead)", "RollbackTransactionAsync", "BeginTransactionAsync(RepeatableRead)"],
			"the chunk's COPY was refused and rolled back, then the chunk was sent again");
		sent.Should().Contain(s => s.Contains("INSERT INTO refusing", StringComparison.Ordinal));

		sent.Clear();
		(await other.BulkCopyAsync(rows)).RowsCopied.Should().Be(10);
		(await other.CountAsync()).Should().Be(10);
		sent.Should().NotContain(s => s.Contains("BULK", StringComparison.Ordinal), "the server's refusal is remembered: no COPY is tried again")
			.And.Contain(s => s.Contains("INSERT INTO other", StringComparison.Ordinal));

		// Another server (the shared test endpoint) still gets binary COPY.
		await using var shared = TestDatabase.Connect(o => o.UseTracing(System.Diagnostics.TraceLevel.Info, t =>
		{
			if (t.TraceInfoStep == TraceInfoStep.BeforeExecute && t.SqlText is { } sql)
				sent.Enqueue(sql);
		}));
		sent.Clear();
		(await shared.GetTable<Item>().TableName(_items.TableName).BulkCopyAsync(rows)).RowsCopied.Should().Be(10);
		sent.Should().Contain(s => s.Contains("BULK", StringComparison.Ordinal));
	}

	[LocalEndpointOnly("a LATIN1 connection straight to the backend PostgreSQL; DSQL, like the endpoint, speaks UTF-8 only, so a client of a cluster cannot open one")]
	[Test]
	public async Task AConnectionSetUpForAnotherEncodingIsLeftToLinq2DbsImporter()
	{
		// Straight to the backend (the endpoint, like DSQL, speaks UTF-8 only). With LATIN1 on the wire, text encoded as
		// UTF-8 would be stored garbled ("cafÃ©"); linq2db's importer writes it in the connection's encoding.
		var settings = new Npgsql.NpgsqlConnectionStringBuilder(TestDatabase.Endpoint.BackendConnectionString) { Encoding = "LATIN1", ClientEncoding = "LATIN1" };
		await using var connection = new Npgsql.NpgsqlConnection(settings.ConnectionString);
		await connection.OpenAsync();
		await using var db = new DataConnection(new DataOptions().UseConnection(AuroraDsqlTools.GetDataProvider(), connection));

		var copied = await db.GetTable<Item>().TableName(_items.TableName)
			.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.ProviderSpecific }, [new Item { Id = 1, Name = "café" }]);

		copied.RowsCopied.Should().Be(1);
		(await _items.Select(i => i.Name).SingleAsync()).Should().Be("café");
	}

	[LocalEndpointOnly("a COPY the server takes 1.5 s to finish: a trigger created on the backend PostgreSQL (DSQL has no triggers, and nothing a client sends makes a COPY slow at will)")]
	[Test]
	public async Task ABulkCopyTimeoutOfZeroWaitsAsLongAsTheServerTakes()
	{
		// The server takes 1.5 s to finish each COPY; the connection's own command timeout is 1 s.
		await using (var backend = new Npgsql.NpgsqlConnection(TestDatabase.Endpoint.BackendConnectionString))
		{
			await backend.OpenAsync();
			await using var trigger = new Npgsql.NpgsqlCommand($"""
				CREATE OR REPLACE FUNCTION slow_statement() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1.5); RETURN NULL; END $$;
				CREATE TRIGGER slow_copy AFTER INSERT ON {_items.TableName} FOR EACH STATEMENT EXECUTE FUNCTION slow_statement();
				""", backend);
			await trigger.ExecuteNonQueryAsync();
		}

		var options = new DataOptions().UseAuroraDsql(TestDatabase.Endpoint.HostName,
			o => TestDatabase.Configure(o) with { ConfigureConnectionString = b => b.CommandTimeout = 1 },
			dsql => dsql with { RetryOptions = dsql.RetryOptions with { MaxRetries = 0 } });
		var rows = Enumerable.Range(1, 3).Select(i => new Item { Id = i, Name = "n" + i }).ToArray();

		// No bulk copy timeout: the connection's 1 s applies, and the chunk is rolled back.
		await using (var db = new DataConnection(options))
		{
			var copy = () => db.GetTable<Item>().TableName(_items.TableName).BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.ProviderSpecific }, rows);
			(await copy.Should().ThrowAsync<Exception>()).Which.ToString().Should().Contain("Timeout");
		}

		// A bulk copy timeout of 0: no limit, as with linq2db's importer. (Other keys: the timed-out COPY may still be running
		// on the server, holding its rows until it notices the client is gone.)
		await using (var db = new DataConnection(options))
		{
			var copied = await db.GetTable<Item>().TableName(_items.TableName)
				.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.ProviderSpecific, BulkCopyTimeout = 0 }, rows.Select(r => new Item { Id = r.Id + 10, Name = r.Name }));
			copied.RowsCopied.Should().Be(3);
		}

		(await _items.Select(i => i.Id).OrderBy(i => i).ToListAsync()).Should().Equal(11, 12, 13);
	}
}
