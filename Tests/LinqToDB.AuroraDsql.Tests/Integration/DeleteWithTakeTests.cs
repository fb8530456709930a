using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// <c>Delete()</c> after <c>Take</c>/<c>Skip</c> through the endpoint. linq2db's PostgreSQL provider emits
/// <c>DELETE … LIMIT</c>, which PostgreSQL refuses; the provider deletes the same rows as the stock provider's
/// hand-written form (<c>Where(key in subquery with Take)</c>) on an identical table on the backend.
/// </summary>
public sealed class DeleteWithTakeTests
{
	[Table]
	sealed class Job
	{
		[PrimaryKey]      public int    Id       { get; set; }
		[Column, NotNull] public string State    { get; set; } = "";
		[Column]          public int    Priority { get; set; }
	}

	[Table]
	sealed class Slot
	{
		[PrimaryKey(1)] public int Day  { get; set; }
		[PrimaryKey(2)] public int Hour { get; set; }
		[Column]        public int Load { get; set; }
	}

	static readonly Job[] _jobs = Enumerable.Range(1, 30)
		.Select(i => new Job { Id = i, State = i % 3 == 0 ? "running" : "done", Priority = (i * 7) % 31 })
		.ToArray();

	static readonly Slot[] _slots = Enumerable.Range(0, 4)
		.SelectMany(day => Enumerable.Range(0, 6).Select(hour => new Slot { Day = day, Hour = hour, Load = (day * 6 + hour) * 5 % 23 }))
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

	/// <summary>The same rows in two new tables: one for the provider (through the endpoint), one for the stock provider (on the backend, or through the cluster).</summary>
	async Task<(ITable<T> Dsql, ITable<T> Stock)> TablesAsync<T>(IEnumerable<T> rows)
		where T : class
	{
		var dsqlName  = TestNames.Unique("take_dsql");
		var stockName = TestNames.Unique("take_stock");
		_tables.Add(dsqlName);
		_tables.Add(stockName);

		var dsql  = await _dsql.CreateTableAsync<T>(dsqlName);
		var stock = await _dsql.CreateTableAsync<T>(stockName);
		await dsql.BulkCopyAsync(rows);
		await stock.BulkCopyAsync(rows);

		return (dsql, _stock.GetTable<T>().TableName(stockName));
	}

	[Test]
	public async Task OrderByTakeDeleteDeletesTheRowsTheStockProvidersSubqueryFormDeletes()
	{
		var (dsql, stock) = await TablesAsync(_jobs);

		// What linq2db's PostgreSQL provider does with the same query: DELETE … ORDER BY … LIMIT, a syntax error.
		(await FluentActions.Awaiting(() => stock.Where(j => j.State == "done").OrderBy(j => j.Priority).Take(5).DeleteAsync())
				.Should().ThrowAsync<PostgresException>())
			.Which.SqlState.Should().Be("42601");

		var deleted = await dsql.Where(j => j.State == "done").OrderBy(j => j.Priority).Take(5).DeleteAsync();
		var expected = await stock
			.Where(j => stock.Where(s => s.State == "done").OrderBy(s => s.Priority).Take(5).Select(s => s.Id).Contains(j.Id))
			.DeleteAsync();

		deleted.Should().Be(5).And.Be(expected);
		(await dsql.OrderBy(j => j.Id).Select(j => j.Id).ToListAsync()).Should().Equal(await stock.OrderBy(j => j.Id).Select(j => j.Id).ToListAsync());
	}

	[Test]
	public void SkipTakeDeleteDeletesTheSameRowsSynchronously()
	{
		var (dsql, stock) = TablesAsync(_jobs).GetAwaiter().GetResult();

		var deleted  = dsql.OrderByDescending(j => j.Priority).ThenBy(j => j.Id).Skip(3).Take(4).Delete();
		var expected = stock
			.Where(j => stock.OrderByDescending(s => s.Priority).ThenBy(s => s.Id).Skip(3).Take(4).Select(s => s.Id).Contains(j.Id))
			.Delete();

		deleted.Should().Be(4).And.Be(expected);
		dsql.OrderBy(j => j.Id).Select(j => j.Id).ToList().Should().Equal(stock.OrderBy(j => j.Id).Select(j => j.Id).ToList());
	}

	[Test]
	public async Task ACompositeKeyDeletesTheSameRows()
	{
		var (dsql, stock) = await TablesAsync(_slots);

		var deleted  = await dsql.Where(s => s.Day < 3).OrderBy(s => s.Load).ThenBy(s => s.Day).ThenBy(s => s.Hour).Take(6).DeleteAsync();
		var expected = await stock
			.Where(s => stock.Where(x => x.Day < 3).OrderBy(x => x.Load).ThenBy(x => x.Day).ThenBy(x => x.Hour).Take(6)
				.Any(x => x.Day == s.Day && x.Hour == s.Hour))
			.DeleteAsync();

		deleted.Should().Be(6).And.Be(expected);
		(await dsql.OrderBy(s => s.Day).ThenBy(s => s.Hour).Select(s => new { s.Day, s.Hour }).ToListAsync())
			.Should().Equal(await stock.OrderBy(s => s.Day).ThenBy(s => s.Hour).Select(s => new { s.Day, s.Hour }).ToListAsync());
	}

	[Test]
	public async Task DeleteWithOutputReturnsTheDeletedRows()
	{
		var (dsql, stock) = await TablesAsync(_jobs);

		var returned = await dsql.OrderBy(j => j.Priority).Take(3).DeleteWithOutputAsync(j => new { j.Id, j.Priority }).ToListAsync();
		var expected = await stock
			.Where(j => stock.OrderBy(s => s.Priority).Take(3).Select(s => s.Id).Contains(j.Id))
			.DeleteWithOutputAsync(j => new { j.Id, j.Priority }).ToListAsync();

		returned.Should().HaveCount(3).And.BeEquivalentTo(expected);
		(await dsql.CountAsync()).Should().Be(_jobs.Length - 3);
	}

	[Test]
	public async Task AFilterAfterTakeDeletesOnlyMatchingRowsAmongTheFirst()
	{
		var (dsql, stock) = await TablesAsync(_jobs);

		var deleted  = await dsql.OrderBy(j => j.Id).Take(10).DeleteAsync(j => j.State == "running");
		var expected = await stock
			.Where(j => stock.OrderBy(s => s.Id).Take(10).Where(s => s.State == "running").Select(s => s.Id).Contains(j.Id))
			.DeleteAsync();

		deleted.Should().Be(3, "ids 3, 6 and 9 run").And.Be(expected);
		(await dsql.OrderBy(j => j.Id).Select(j => j.Id).ToListAsync()).Should().Equal(await stock.OrderBy(j => j.Id).Select(j => j.Id).ToListAsync());
	}

	[Test]
	public async Task DeleteInTakeSizedPiecesEmptiesTheTable()
	{
		var (dsql, _) = await TablesAsync(_jobs);
		var pieces = 0;

		while (await dsql.OrderBy(j => j.Id).Take(8).DeleteAsync() > 0)
			pieces++;

		pieces.Should().Be(4, "30 rows in pieces of at most 8");
		(await dsql.CountAsync()).Should().Be(0);
	}
}
