using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// <c>InsertInBatches</c> copies any number of rows in committed batches: the same rows a single <c>INSERT … SELECT</c>
/// copies where no row limit applies (worked out here from the staged rows), with progress, skipping rows already there.
/// </summary>
public sealed class InsertInBatchesTests
{
	[Table]
	sealed class Staged
	{
		[PrimaryKey]      public int    Id     { get; set; }
		[Column, NotNull] public string Name   { get; set; } = "";
		[Column]          public int    Amount { get; set; }
	}

	[Table]
	sealed class Ledger
	{
		[PrimaryKey]      public int    Id     { get; set; }
		[Column, NotNull] public string Name   { get; set; } = "";
		[Column]          public int    Amount { get; set; }
	}

	[Table]
	sealed class Event
	{
		[PrimaryKey, Identity] public long   Id   { get; set; }
		[Column, NotNull]      public string Name { get; set; } = "";
	}

	const int Rows = 7_000;

	DataConnection _dsql = null!;
	readonly List<string> _tables = [];

	[SetUp]
	public void Connect() => _dsql = TestDatabase.Connect();

	[TearDown]
	public async Task DropAsync()
	{
		foreach (var table in _tables)
			await _dsql.ExecuteAsync($"DROP TABLE IF EXISTS {table}");

		_tables.Clear();
		await _dsql.DisposeAsync();
	}

	async Task<ITable<T>> TableAsync<T>(string prefix, IEnumerable<T>? rows = null)
		where T : class
	{
		var name = TestNames.Unique(prefix);
		_tables.Add(name);

		var table = await _dsql.CreateTableAsync<T>(name);
		if (rows != null)
			await table.BulkCopyAsync(rows);
		return table;
	}

	static IEnumerable<Staged> StagedRows(int count) =>
		Enumerable.Range(1, count).Select(i => new Staged { Id = i, Name = $"row {i}", Amount = i % 97 });

	sealed class Recorder : IProgress<AuroraDsqlBatchProgress>
	{
		public List<AuroraDsqlBatchProgress> Reports { get; } = [];
		public void Report(AuroraDsqlBatchProgress value) => Reports.Add(value);
	}

	[Test]
	public async Task InsertsMoreRowsThanOneTransactionAllowsAsTheStockInsertSelectDoes()
	{
		var staged = await TableAsync("batch_staged", StagedRows(Rows));
		var dsql   = await TableAsync<Ledger>("batch_ledger");
		var progress = new Recorder();

		var inserted = await staged.Where(s => s.Amount > 3)
			.InsertInBatchesAsync(dsql, s => new Ledger { Id = s.Id, Name = s.Name.ToUpper(), Amount = s.Amount * 2 }, progress: progress);

		// What one INSERT … SELECT of the same query inserts where no row limit applies: 6,709 rows, over twice DSQL's 3,000.
		var expected = StagedRows(Rows).Where(s => s.Amount > 3)
			.Select(s => new Ledger { Id = s.Id, Name = s.Name.ToUpperInvariant(), Amount = s.Amount * 2 })
			.ToList();

		inserted.Should().Be(6_709).And.Be(expected.Count);
		progress.Reports.Select(r => r.RowsCommitted).Should().BeInAscendingOrder().And.HaveCount(3).And.EndWith(inserted);
		progress.Reports.Select(r => r.BatchesCommitted).Should().Equal(1, 2, 3);
		progress.Reports.Should().AllSatisfy(r => r.Operation.Should().Be("InsertInBatches"));
		progress.Reports.Sum(r => r.BatchRows).Should().Be(inserted);
		(await dsql.OrderBy(l => l.Id).ToListAsync()).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
	}

	[Test]
	public async Task RunningAgainInsertsOnlyTheRowsStillMissing()
	{
		var staged = await TableAsync("batch_staged", StagedRows(4_000));
		var ledger = await TableAsync("batch_ledger", StagedRows(4_000).Where(s => s.Id % 3 == 0).Select(s => new Ledger { Id = s.Id, Name = "already there", Amount = -1 }));

		var inserted = await staged.InsertInBatchesAsync(ledger, s => new Ledger { Id = s.Id, Name = s.Name, Amount = s.Amount }, batchSize: 1_000);

		inserted.Should().Be(4_000 - 1_333);
		(await ledger.CountAsync()).Should().Be(4_000);
		(await ledger.CountAsync(l => l.Name == "already there")).Should().Be(1_333, "rows already present are left as they are");

		(await staged.InsertInBatchesAsync(ledger, s => new Ledger { Id = s.Id, Name = s.Name, Amount = s.Amount })).Should().Be(0);
	}

	[Test]
	public async Task AFailedBatchSaysHowManyRowsTheBatchesBeforeItCommittedAndARerunCompletesTheCopy()
	{
		var staged = await TableAsync("batch_staged", StagedRows(5_000));
		var ledger = await TableAsync<Ledger>("batch_ledger");

		// Row 4,500 divides by zero on the server: the third batch fails.
		var error = (await FluentActions.Awaiting(() => staged.InsertInBatchesAsync(ledger, s => new Ledger { Id = s.Id, Name = s.Name, Amount = 100 / (s.Id - 4_500) }, batchSize: 2_000))
			.Should().ThrowAsync<AuroraDsqlBatchException>().WithMessage("*InsertInBatches*failed in batch 3*4,000 rows were committed*")).Which;

		error.Operation.Should().Be("InsertInBatches");
		error.BatchesCommitted.Should().Be(2);
		error.RowsCommitted.Should().Be(4_000);
		error.InnerException.Should().BeOfType<PostgresException>().Which.SqlState.Should().Be("22012");
		(await ledger.CountAsync()).Should().Be(4_000);

		(await staged.InsertInBatchesAsync(ledger, s => new Ledger { Id = s.Id, Name = s.Name, Amount = s.Amount }, batchSize: 2_000)).Should().Be(1_000);
		(await ledger.CountAsync()).Should().Be(5_000);
	}

	[Test]
	public void InsertsSynchronouslyIntoAGeneratedKey()
	{
		var staged = TableAsync("batch_staged", StagedRows(3_500)).GetAwaiter().GetResult();
		var events = TableAsync<Event>("batch_event").GetAwaiter().GetResult();
		var progress = new Recorder();

		staged.InsertInBatches(events, s => new Event { Name = s.Name }, batchSize: 2_000, progress: progress).Should().Be(3_500);

		progress.Reports.Select(r => (r.BatchRows, r.RowsCommitted)).Should().Equal((2_000, 2_000L), (1_500, 3_500L));
		events.Select(e => e.Name).Distinct().Count().Should().Be(3_500);
	}

	[Test]
	public async Task InsideATransactionOnlyWhatFitsOneTransactionRuns()
	{
		var staged = await TableAsync("batch_staged", StagedRows(3_100));
		var ledger = await TableAsync<Ledger>("batch_ledger");

		await using (var tx = await _dsql.BeginTransactionAsync())
		{
			await FluentActions.Awaiting(() => staged.InsertInBatchesAsync(ledger, s => new Ledger { Id = s.Id, Name = s.Name, Amount = s.Amount }))
				.Should().ThrowAsync<AuroraDsqlNotSupportedException>().WithMessage("*inside a transaction would insert more than 3,000 rows*outside the transaction*");

			(await staged.Where(s => s.Id <= 10).InsertInBatchesAsync(ledger, s => new Ledger { Id = s.Id, Name = s.Name, Amount = s.Amount })).Should().Be(10);
			await tx.RollbackAsync();
		}

		(await ledger.CountAsync()).Should().Be(0);
	}
}
