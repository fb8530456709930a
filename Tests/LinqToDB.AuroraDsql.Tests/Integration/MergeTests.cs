using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// <c>Merge()</c> through the provider (DSQL has no MERGE: the provider runs INSERT … ON CONFLICT or UPDATE … FROM),
/// checked against what a MERGE leaves behind, worked out here from the seed rows: matched rows updated, unmatched source
/// rows inserted, the rest untouched. Each test pins the exact affected count and every row afterwards, so it runs against
/// the local endpoint and a cluster alike.
/// </summary>
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

		public Item With(int? quantity = null, string? note = null) =>
			new() { Id = Id, Sku = Sku, Quantity = quantity ?? Quantity, Note = note ?? Note };
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

	/// <summary>Rows 15–24: six existing (the odd ones with a higher quantity), four new.</summary>
	static readonly Item[] _incoming = Enumerable.Range(15, 10)
		.Select(i => new Item { Id = i, Sku = $"sku-{i:00}", Quantity = i % 2 == 0 ? i * 3 % 11 : 100 + i, Note = $"incoming {i}" })
		.ToArray();

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

	/// <summary>A new table holding <paramref name="rows"/>; with <paramref name="uniqueColumn"/>, a unique index on it built first (ON CONFLICT needs one).</summary>
	async Task<ITable<T>> TableAsync<T>(IEnumerable<T> rows, string? uniqueColumn = null)
		where T : class
	{
		var name = TestNames.Unique("merge");
		_tables.Add(name);

		var table = await _dsql.CreateTableAsync<T>(name);

		if (uniqueColumn != null)
		{
			var job = await _dsql.ExecuteAsync<string>($"CREATE UNIQUE INDEX ASYNC ux_{name} ON {name} (\"{uniqueColumn}\")");
			(await _dsql.WaitForJobAsync(job, TimeSpan.FromMinutes(5))).IsCompleted.Should().BeTrue();
		}

		await table.BulkCopyAsync(rows);
		return table;
	}

	/// <summary>What MERGE … WHEN MATCHED THEN UPDATE (all columns) WHEN NOT MATCHED THEN INSERT on the key leaves: <paramref name="source"/>'s rows replace or join <paramref name="target"/>'s.</summary>
	static Item[] Upserted(IEnumerable<Item> target, IEnumerable<Item> source) =>
		target.Where(t => source.All(s => s.Id != t.Id)).Concat(source).OrderBy(i => i.Id).ToArray();

	static async Task ShouldHoldAsync(ITable<Item> table, IEnumerable<Item> expected) =>
		(await table.OrderBy(i => i.Id).ToListAsync()).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());

	[Test]
	public async Task AnUpsertFromACollectionUpdatesAndInsertsAsMergeDoes()
	{
		var items = await TableAsync(_items);

		var affected = await items.Merge().Using(_incoming).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync();

		affected.Should().Be(10, "six rows updated and four inserted");
		await ShouldHoldAsync(items, Upserted(_items, _incoming));
		(await items.CountAsync()).Should().Be(24);
	}

	[Test]
	public void AnUpsertRunsSynchronously()
	{
		var items = TableAsync(_items).GetAwaiter().GetResult();

		var affected = items.Merge().Using(_incoming).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().Merge();

		affected.Should().Be(10);
		items.OrderBy(i => i.Id).ToList().Should().BeEquivalentTo(Upserted(_items, _incoming), o => o.WithStrictOrdering());
	}

	[Test]
	public async Task InsertOnlyInsertsTheMissingRowsAndCountsOnlyThem()
	{
		var items = await TableAsync(_items);

		var affected = await items.Merge().Using(_incoming).OnTargetKey().InsertWhenNotMatched().MergeAsync();

		affected.Should().Be(4);
		await ShouldHoldAsync(items, _items.Concat(_incoming.Where(s => s.Id > 20)));
	}

	[Test]
	public async Task AConditionalUpdateChangesOnlyTheRowsItSelects()
	{
		var items = await TableAsync(_items);

		var affected = await items.Merge()
			.Using(_incoming)
			.OnTargetKey()
			.UpdateWhenMatchedAnd((t, s) => s.Quantity > t.Quantity, (t, s) => new Item { Quantity = s.Quantity, Note = t.Note + " / " + s.Note })
			.InsertWhenNotMatched()
			.MergeAsync();

		// Matched and selected: 15, 17 and 19 (the odd ones carry a quantity over 100); 21–24 are new.
		var updated  = _items.Select(t => _incoming.SingleOrDefault(s => s.Id == t.Id) is { } s && s.Quantity > t.Quantity
			? t.With(quantity: s.Quantity, note: t.Note + " / " + s.Note)
			: t).ToArray();
		var inserted = _incoming.Where(s => _items.All(t => t.Id != s.Id)).ToArray();

		updated.Except(_items).Select(i => i.Id).Should().Equal(15, 17, 19);
		affected.Should().Be(7).And.Be(3 + inserted.Length);
		await ShouldHoldAsync(items, updated.Concat(inserted));
		(await items.SingleAsync(i => i.Id == 17)).Note.Should().Be("note 17 / incoming 17");
	}

	[Test]
	public async Task UpdateOnlyFromAQueryMatchesOnAnyCondition()
	{
		var items = await TableAsync(_items);

		// Not a key: every even item is matched by the odd one before it, and takes its SKU and adds its quantity.
		var affected = await items.Merge()
			.Using(items.Where(s => s.Id % 2 == 1))
			.On((t, s) => t.Id == s.Id + 1)
			.UpdateWhenMatched((t, s) => new Item { Note = s.Sku, Quantity = t.Quantity + s.Quantity })
			.MergeAsync();

		affected.Should().Be(10);
		await ShouldHoldAsync(items, _items.Select(t => t.Id % 2 == 0 && _items[t.Id - 2] is var s
			? t.With(quantity: t.Quantity + s.Quantity, note: s.Sku)
			: t));
	}

	[Test]
	public async Task AnUpsertFromAQueryInsertsAndUpdatesAsMergeDoes()
	{
		var items    = await TableAsync(_items);
		var incoming = await TableAsync(_incoming);

		var affected = await items.Merge().Using(incoming.Where(i => i.Id > 16)).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync();

		affected.Should().Be(8);
		await ShouldHoldAsync(items, Upserted(_items, _incoming.Where(i => i.Id > 16)));
	}

	[Test]
	public async Task AnUpsertMatchesOnAUniqueIndex()
	{
		var items = await TableAsync(_items, uniqueColumn: nameof(Item.Sku));

		// New ids for existing SKUs: matched by SKU, so updated (the id stays); unknown SKUs are inserted.
		var incoming = _incoming.Select(i => new Item { Id = i.Id + 1000, Sku = i.Sku, Quantity = i.Quantity + 1, Note = i.Note }).ToArray();

		var affected = await items.Merge()
			.Using(incoming)
			.On(t => t.Sku, s => s.Sku)
			.UpdateWhenMatched((t, s) => new Item { Quantity = s.Quantity, Note = s.Note })
			.InsertWhenNotMatched()
			.MergeAsync();

		affected.Should().Be(10);
		await ShouldHoldAsync(items, _items
			.Select(t => incoming.SingleOrDefault(s => s.Sku == t.Sku) is { } s ? t.With(quantity: s.Quantity, note: s.Note) : t)
			.Concat(incoming.Where(s => _items.All(t => t.Sku != s.Sku))));
		(await items.Where(i => i.Id > 1000).Select(i => i.Sku).ToListAsync()).Should().BeEquivalentTo(["sku-21", "sku-22", "sku-23", "sku-24"]);
	}

	[Test]
	public async Task ACompositeKeyUpsertMatchesOnEveryKeyColumn()
	{
		var slots    = Enumerable.Range(0, 3).SelectMany(d => Enumerable.Range(0, 4).Select(h => new Slot { Day = d, Hour = h, Load = d * 10 + h })).ToArray();
		var table    = await TableAsync(slots);
		var incoming = Enumerable.Range(2, 2).SelectMany(d => Enumerable.Range(0, 4).Select(h => new Slot { Day = d, Hour = h, Load = 99 })).ToArray();

		var affected = await table.Merge().Using(incoming).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync();

		affected.Should().Be(8, "day 2 updated, day 3 inserted, hour by hour");
		(await table.OrderBy(s => s.Day).ThenBy(s => s.Hour).ToListAsync()).Should().BeEquivalentTo(
			slots.Where(s => s.Day < 2).Concat(incoming), o => o.WithStrictOrdering());
	}

	[Test]
	public async Task AnEmptySourceChangesNothing()
	{
		var items = await TableAsync(_items);

		var affected = await items.Merge().Using(Array.Empty<Item>()).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync();

		affected.Should().Be(0);
		await ShouldHoldAsync(items, _items);
	}

	[Test]
	public async Task ASourceWithTheSameKeyTwiceFailsLikeMergeAndChangesNothing()
	{
		var items = await TableAsync(_items);
		Item[] twice = [new() { Id = 3, Sku = "sku-03", Quantity = 1 }, new() { Id = 3, Sku = "sku-03", Quantity = 2 }];

		var error = (await FluentActions.Awaiting(() => items.Merge().Using(twice).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync())
			.Should().ThrowAsync<PostgresException>()).Which;

		// MERGE's own error for a target row matched twice: cardinality_violation, "MERGE command cannot affect row a second time".
		error.SqlState.Should().Be("21000");
		error.MessageText.Should().Contain("cannot affect row a second time");
		await ShouldHoldAsync(items, _items);
	}

	[Test]
	public async Task ASourceLargerThanOneTransactionIsRefusedBeforeSending()
	{
		var items = await TableAsync(_items);
		var many  = Enumerable.Range(1, 3_001).Select(i => new Item { Id = i, Sku = $"many-{i}" }).ToArray();

		await FluentActions.Awaiting(() => items.Merge().Using(many).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync())
			.Should().ThrowAsync<AuroraDsqlNotSupportedException>().WithMessage("*3,001 source rows*at most 3,000*chunks*");

		(await items.CountAsync()).Should().Be(20);
	}

	[Test]
	public async Task DeleteAndNotMatchedBySourceBranchesAreRefusedNamingTheSeparateStatement()
	{
		var items = await TableAsync(_items);

		await FluentActions.Awaiting(() => items.Merge().Using(_incoming).OnTargetKey().DeleteWhenMatched().InsertWhenNotMatched().MergeAsync())
			.Should().ThrowAsync<AuroraDsqlNotSupportedException>().WithMessage("*has no MERGE*DELETE branches*separate Delete()*Nothing was sent.");
		await FluentActions.Awaiting(() => items.Merge().Using(_incoming).OnTargetKey().InsertWhenNotMatched().DeleteWhenNotMatchedBySource().MergeAsync())
			.Should().ThrowAsync<AuroraDsqlNotSupportedException>().WithMessage("*NOT MATCHED BY SOURCE*separate statement*");

		await ShouldHoldAsync(items, _items);
	}

	[Test]
	public async Task AnUpsertFromAQueryOverTheRowLimitSaysHowToSplitIt()
	{
		var items  = await TableAsync(_items);
		var source = await TableAsync(Enumerable.Range(1, 3_100).Select(i => new Item { Id = i, Sku = $"many-{i}" }));

		var error = (await FluentActions.Awaiting(() => items.Merge().Using(source).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync())
			.Should().ThrowAsync<AuroraDsqlRowLimitExceededException>().WithMessage("*limit of 3,000 rows*nothing was changed*Merge the source in parts*InsertInBatches*")).Which;

		error.SqlState.Should().Be("54000");
		await ShouldHoldAsync(items, _items);
	}

	[Test]
	public async Task AnUpsertJoinsTheApplicationTransaction()
	{
		var items = await TableAsync(_items);

		await using (var tx = await _dsql.BeginTransactionAsync())
		{
			(await items.Merge().Using(_incoming).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().MergeAsync()).Should().Be(10);
			await tx.RollbackAsync();
		}

		await ShouldHoldAsync(items, _items);
	}
}
