using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// <c>Merge()</c> through the provider and the endpoint (DSQL has no MERGE: the provider runs INSERT … ON CONFLICT or
/// UPDATE … FROM), compared with linq2db's PostgreSQL provider running a real MERGE on an identical table on the backend:
/// the same affected count and the same rows afterwards.
/// </summary>
[LocalEndpointOnly("linq2db's PostgreSQL provider running a real MERGE on the backend PostgreSQL as the reference; DSQL has no MERGE")]
public sealed class MergeTests
{
	[Table]
	[AuroraDsqlIndex("ux_merge_item_sku", nameof(Sku), Unique = true)]
	sealed class Item
	{
		[PrimaryKey]      public int    Id       { get; set; }
		[Column, NotNull] public string Sku      { get; set; } = "";
		[Column]          public int    Quantity { get; set; }
		[Column]          public string? Note    { get; set; }
	}

	[Table]
	sealed class Slot
	{
		[PrimaryKey(1)] public int Day  { get; set; }
		[PrimaryKey(2)] public int Hour { get; set; }
		[Column]        public int Load { get; set; }
	}

	static readonly Item[] _items = Enumerable.Range(1, 20)
		.Select(i => new Item { Id = i, Sku = $"sku-{i:00}", Quantity = i * 3 % 11, Note = i % 4 == 0 ? null : $"note {i}" })
		.ToArray();

	/// <summary>Rows 15–24: six existing (some changed), four new.</summary>
	static readonly Item[] _incoming = Enumerable.Range(15, 10)
		.Select(i => new Item { Id = i, Sku = $"sku-{i:00}", Quantity = i % 2 == 0 ? i * 3 % 11 : 100 + i, Note = $"incoming {i}" })
		.ToArray();

	DataConnection _dsql  = null!;
	DataConnection _stock = null!;
	readonly List<string> _tables = [];

	[SetUp]
	public void Connect()
	{
		_dsql  = TestDatabase.Connect();
		_stock = TestDatabase.ConnectStock();
	}

	[TearDown]
	public async Task DropAsync()
	{
		foreach (var table in _tables)
			await _dsql.ExecuteAsync($"DROP TABLE IF EXISTS {table}");

		_tables.Clear();
		await _stock.DisposeAsync();
		await _dsql.DisposeAsync();
	}

	/// <summary>The same rows in two new tables: one for the provider (through the endpoint), one for the stock provider (on the backend).</summary>
	async Task<(ITable<T> Dsql, ITable<T> Stock)> TablesAsync<T>(IEnumerable<T> rows, string? uniqueColumn = null)
		where T : class
	{
		var dsqlName  = TestNames.Unique("merge_dsql");
		var stockName = TestNames.Unique("merge_stock");
		_tables.Add(dsqlName);
		_tables.Add(stockName);

		var dsql  = await _dsql.CreateTableAsync<T>(dsqlName);
		var stock = await _dsql.CreateTableAsync<T>(stockName);
		await dsql.BulkCopyAsync(rows);
		await stock.BulkCopyAsync(rows);

		if (uniqueColumn != null)
		{
			// Straight on the backend: the index only has to exist for ON CONFLICT (and for MERGE's comparison).
			await _stock.ExecuteAsync($"CREATE UNIQUE INDEX ux_{dsqlName} ON {dsqlName} (\"{uniqueColumn}\")");
			await _stock.ExecuteAsync($"CREATE UNIQUE INDEX ux_{stockName} ON {stockName} (\"{uniqueColumn}\")");
		}

		return (dsql, _stock.GetTable<T>().TableName(stockName));
	}

	static async Task ShouldHoldTheSameItemsAsync(ITable<Item> dsql, ITable<Item> stock)
	{
		var expected = await stock.OrderBy(i => i.Id).ToListAsync();
		(await dsql.OrderBy(i => i.Id).ToListAsync()).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
	}

	[Test]
	public async Task AnUpsertFromACollectionUpdatesAndInsertsAsMergeDoes()
	{
		var (dsql, stock) = await TablesAsync(_items);

		var expected = await stock.Merge().Using(_incoming).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync();
		var actual   = await dsql.Merge().Using(_incoming).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync();

		actual.Should().Be(10).And.Be(expected);
		await ShouldHoldTheSameItemsAsync(dsql, stock);
		(await dsql.CountAsync()).Should().Be(24);
	}

	[Test]
	public void AnUpsertRunsSynchronously()
	{
		var (dsql, stock) = TablesAsync(_items).GetAwaiter().GetResult();

		var expected = stock.Merge().Using(_incoming).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().Merge();
		var actual   = dsql.Merge().Using(_incoming).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().Merge();

		actual.Should().Be(expected);
		ShouldHoldTheSameItemsAsync(dsql, stock).GetAwaiter().GetResult();
	}

	[Test]
	public async Task InsertOnlyInsertsTheMissingRowsAndCountsOnlyThem()
	{
		var (dsql, stock) = await TablesAsync(_items);

		var expected = await stock.Merge().Using(_incoming).OnTargetKey().InsertWhenNotMatched().MergeAsync();
		var actual   = await dsql.Merge().Using(_incoming).OnTargetKey().InsertWhenNotMatched().MergeAsync();

		actual.Should().Be(4).And.Be(expected);
		await ShouldHoldTheSameItemsAsync(dsql, stock);
	}

	[Test]
	public async Task AConditionalUpdateChangesOnlyTheRowsItSelects()
	{
		var (dsql, stock) = await TablesAsync(_items);

		async Task<int> MergeAsync(ITable<Item> table) => await table.Merge()
			.Using(_incoming)
			.OnTargetKey()
			.UpdateWhenMatchedAnd((t, s) => s.Quantity > t.Quantity, (t, s) => new Item { Quantity = s.Quantity, Note = t.Note + " / " + s.Note })
			.InsertWhenNotMatched()
			.MergeAsync();

		var expected = await MergeAsync(stock);
		var actual   = await MergeAsync(dsql);

		actual.Should().Be(expected).And.BeLessThan(10);
		await ShouldHoldTheSameItemsAsync(dsql, stock);
	}

	[Test]
	public async Task UpdateOnlyFromAQueryMatchesOnAnyCondition()
	{
		var (dsql, stock) = await TablesAsync(_items);

		// Not a key: every item whose quantity is the same as another's (by Id + 1) gets its note.
		async Task<int> MergeAsync(ITable<Item> table) => await table.Merge()
			.Using(table.Where(s => s.Id % 2 == 1))
			.On((t, s) => t.Id == s.Id + 1)
			.UpdateWhenMatched((t, s) => new Item { Note = s.Sku, Quantity = t.Quantity + s.Quantity })
			.MergeAsync();

		var expected = await MergeAsync(stock);
		var actual   = await MergeAsync(dsql);

		actual.Should().Be(10).And.Be(expected);
		await ShouldHoldTheSameItemsAsync(dsql, stock);
	}

	[Test]
	public async Task AnUpsertFromAQueryInsertsAndUpdatesAsMergeDoes()
	{
		var (dsql, stock)     = await TablesAsync(_items);
		var (dsqlIn, stockIn) = await TablesAsync(_incoming);

		var expected = await stock.Merge().Using(stockIn.Where(i => i.Id > 16)).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync();
		var actual   = await dsql.Merge().Using(dsqlIn.Where(i => i.Id > 16)).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync();

		actual.Should().Be(8).And.Be(expected);
		await ShouldHoldTheSameItemsAsync(dsql, stock);
	}

	[Test]
	public async Task AnUpsertMatchesOnAUniqueIndex()
	{
		var (dsql, stock) = await TablesAsync(_items, uniqueColumn: nameof(Item.Sku));

		// New ids for existing SKUs: matched by SKU, so updated (the id stays); unknown SKUs are inserted.
		var incoming = _incoming.Select(i => new Item { Id = i.Id + 1000, Sku = i.Sku, Quantity = i.Quantity + 1, Note = i.Note }).ToArray();

		async Task<int> MergeAsync(ITable<Item> table) => await table.Merge()
			.Using(incoming)
			.On(t => t.Sku, s => s.Sku)
			.UpdateWhenMatched((t, s) => new Item { Quantity = s.Quantity, Note = s.Note })
			.InsertWhenNotMatched()
			.MergeAsync();

		var expected = await MergeAsync(stock);
		var actual   = await MergeAsync(dsql);

		actual.Should().Be(10).And.Be(expected);
		await ShouldHoldTheSameItemsAsync(dsql, stock);
		(await dsql.Where(i => i.Id > 1000).Select(i => i.Sku).ToListAsync()).Should().BeEquivalentTo(["sku-21", "sku-22", "sku-23", "sku-24"]);
	}

	[Test]
	public async Task ACompositeKeyUpsertMatchesOnEveryKeyColumn()
	{
		var slots = Enumerable.Range(0, 3).SelectMany(d => Enumerable.Range(0, 4).Select(h => new Slot { Day = d, Hour = h, Load = d * 10 + h })).ToArray();
		var (dsql, stock) = await TablesAsync(slots);
		var incoming = Enumerable.Range(2, 2).SelectMany(d => Enumerable.Range(0, 4).Select(h => new Slot { Day = d, Hour = h, Load = 99 })).ToArray();

		var expected = await stock.Merge().Using(incoming).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync();
		var actual   = await dsql.Merge().Using(incoming).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync();

		actual.Should().Be(8).And.Be(expected);
		(await dsql.OrderBy(s => s.Day).ThenBy(s => s.Hour).ToListAsync())
			.Should().BeEquivalentTo(await stock.OrderBy(s => s.Day).ThenBy(s => s.Hour).ToListAsync(), o => o.WithStrictOrdering());
	}

	[Test]
	public async Task AnEmptySourceChangesNothing()
	{
		var (dsql, stock) = await TablesAsync(_items);

		var expected = await stock.Merge().Using(Array.Empty<Item>()).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync();
		var actual   = await dsql.Merge().Using(Array.Empty<Item>()).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync();

		actual.Should().Be(0).And.Be(expected);
		await ShouldHoldTheSameItemsAsync(dsql, stock);
	}

	[Test]
	public async Task ASourceWithTheSameKeyTwiceFailsLikeMergeAndChangesNothing()
	{
		var (dsql, stock) = await TablesAsync(_items);
		Item[] twice = [new() { Id = 3, Sku = "sku-03", Quantity = 1 }, new() { Id = 3, Sku = "sku-03", Quantity = 2 }];

		var mergeError = (await FluentActions.Awaiting(() => stock.Merge().Using(twice).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync())
			.Should().ThrowAsync<PostgresException>()).Which;
		var error = (await FluentActions.Awaiting(() => dsql.Merge().Using(twice).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync())
			.Should().ThrowAsync<PostgresException>()).Which;

		error.SqlState.Should().Be("21000").And.Be(mergeError.SqlState);
		error.MessageText.Should().Contain("cannot affect row a second time");
		await ShouldHoldTheSameItemsAsync(dsql, stock);
	}

	[Test]
	public async Task ASourceLargerThanOneTransactionIsRefusedBeforeSending()
	{
		var (dsql, _) = await TablesAsync(_items);
		var many = Enumerable.Range(1, 3_001).Select(i => new Item { Id = i, Sku = $"many-{i}" }).ToArray();

		await FluentActions.Awaiting(() => dsql.Merge().Using(many).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync())
			.Should().ThrowAsync<AuroraDsqlNotSupportedException>().WithMessage("*3,001 source rows*at most 3,000*chunks*");

		(await dsql.CountAsync()).Should().Be(20);
	}

	[Test]
	public async Task DeleteAndNotMatchedBySourceBranchesAreRefusedNamingTheSeparateStatement()
	{
		var (dsql, stock) = await TablesAsync(_items);

		await FluentActions.Awaiting(() => dsql.Merge().Using(_incoming).OnTargetKey().DeleteWhenMatched().InsertWhenNotMatched().MergeAsync())
			.Should().ThrowAsync<AuroraDsqlNotSupportedException>().WithMessage("*has no MERGE*DELETE branches*separate Delete()*Nothing was sent.");
		await FluentActions.Awaiting(() => dsql.Merge().Using(_incoming).OnTargetKey().InsertWhenNotMatched().DeleteWhenNotMatchedBySource().MergeAsync())
			.Should().ThrowAsync<AuroraDsqlNotSupportedException>().WithMessage("*NOT MATCHED BY SOURCE*separate statement*");

		await ShouldHoldTheSameItemsAsync(dsql, stock);
	}

	[Test]
	public async Task AnUpsertFromAQueryOverTheRowLimitSaysHowToSplitIt()
	{
		var (dsql, _) = await TablesAsync(_items);
		var sourceName = TestNames.Unique("merge_source");
		_tables.Add(sourceName);
		var source = await _dsql.CreateTableAsync<Item>(sourceName);
		await source.BulkCopyAsync(Enumerable.Range(1, 3_100).Select(i => new Item { Id = i, Sku = $"many-{i}" }));

		var error = (await FluentActions.Awaiting(() => dsql.Merge().Using(source).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync())
			.Should().ThrowAsync<AuroraDsqlRowLimitExceededException>().WithMessage("*limit of 3,000 rows*nothing was changed*Merge the source in parts*InsertInBatches*")).Which;

		error.SqlState.Should().Be("54000");
		(await dsql.OrderBy(i => i.Id).ToListAsync()).Should().BeEquivalentTo(_items, o => o.WithStrictOrdering());
	}

	[Test]
	public async Task AnUpsertJoinsTheApplicationTransaction()
	{
		var (dsql, _) = await TablesAsync(_items);

		await using (var tx = await _dsql.BeginTransactionAsync())
		{
			(await dsql.Merge().Using(_incoming).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync()).Should().Be(10);
			await tx.RollbackAsync();
		}

		(await dsql.CountAsync()).Should().Be(20);
	}
}
