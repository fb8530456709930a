using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// Everyday LINQ through the provider and the endpoint gives what linq2db's PostgreSQL provider gives on the same table
/// on the backend (against a cluster: through the cluster, see <see cref="TestDatabase.ConnectStock"/>): the provider
/// translates it the PostgreSQL way, and DSQL runs it. The basis of docs/linq.md.
/// </summary>
public sealed class LinqParityTests
{
	[Table("parity_order")]
	sealed class Order
	{
		[PrimaryKey]                        public int      Id       { get; set; }
		[Column, NotNull]                   public string   Customer { get; set; } = "";
		[Column]                            public string?  Note     { get; set; }
		[Column(Precision = 12, Scale = 2)] public decimal  Amount   { get; set; }
		[Column]                            public DateTime Placed   { get; set; }
		[Column]                            public int?     ParentId { get; set; }
	}

	DataConnection _dsql  = null!;
	DataConnection _stock = null!;

	static readonly Order[] _orders = Enumerable.Range(1, 60).Select(i => new Order
	{
		Id       = i,
		Customer = $"  customer {i % 7}  ",
		Note     = i % 4 == 0 ? null : $"note-{i}",
		Amount   = i * 12.5m % 97,
		Placed   = new DateTime(2026, 1, 30, 8, 15, 0, DateTimeKind.Unspecified).AddHours(i * 17),
		ParentId = i > 10 ? i % 10 + 1 : null,
	}).ToArray();

	[OneTimeSetUp]
	public async Task CreateDataAsync()
	{
		_dsql  = TestDatabase.Connect();
		_stock = TestDatabase.ConnectStock();

		await (await _dsql.CreateTableAsync<Order>()).BulkCopyAsync(_orders);
	}

	[OneTimeTearDown]
	public async Task DropDataAsync()
	{
		await _dsql.DropTableAsync<Order>();
		await _stock.DisposeAsync();
		await _dsql.DisposeAsync();
	}

	/// <summary>Runs <paramref name="query"/> through the provider and through the stock provider; both must agree.</summary>
	async Task<T> SameAsync<T>(Func<DataConnection, Task<T>> query)
	{
		var expected = await query(_stock);
		var actual   = await query(_dsql);

		actual.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
		return actual;
	}

	/// <summary>Two new tables with the orders: one for the provider, one for the stock provider, for statements that change rows.</summary>
	async Task<(ITable<Order> Dsql, ITable<Order> Stock, Func<Task> Drop)> PairAsync()
	{
		var names = new[] { TestNames.Unique("parity_dsql"), TestNames.Unique("parity_stock") };

		foreach (var name in names)
			await (await _dsql.CreateTableAsync<Order>(name)).BulkCopyAsync(_orders);

		return (_dsql.GetTable<Order>().TableName(names[0]), _stock.GetTable<Order>().TableName(names[1]), async () =>
		{
			foreach (var name in names)
				await _dsql.DropTableAsync<Order>(name);
		});
	}

	[Test]
	public async Task UpdatesWithJoinsAndTakeChangeTheSameRows()
	{
		var (dsql, stock, drop) = await PairAsync();

		try
		{
			foreach (var orders in new[] { dsql, stock })
			{
				(await (from o in orders join p in orders on o.ParentId equals p.Id where p.Amount > 30 select o)
					.Set(o => o.Note, o => "child of a large order")
					.UpdateAsync()).Should().BeGreaterThan(0);

				(await orders.Where(o => o.Note == null).OrderBy(o => o.Placed).Take(3).Set(o => o.Amount, 0m).UpdateAsync()).Should().Be(3);
			}

			(await dsql.OrderBy(o => o.Id).Select(o => new { o.Id, o.Note, o.Amount }).ToListAsync())
				.Should().Equal(await stock.OrderBy(o => o.Id).Select(o => new { o.Id, o.Note, o.Amount }).ToListAsync());
		}
		finally
		{
			await drop();
		}
	}

	[Test]
	public async Task Paging() =>
		(await SameAsync(db => db.GetTable<Order>().OrderByDescending(o => o.Amount).ThenBy(o => o.Id).Skip(10).Take(7).Select(o => o.Id).ToListAsync()))
			.Should().HaveCount(7);

	[Test]
	public async Task SetOperations()
	{
		await SameAsync(db =>
		{
			var orders = db.GetTable<Order>();
			return orders.Where(o => o.Amount > 50).Select(o => o.Id)
				.Union(orders.Where(o => o.Id < 5).Select(o => o.Id))
				.Except(orders.Where(o => o.Note == null).Select(o => o.Id))
				.OrderBy(id => id)
				.ToListAsync();
		});

		await SameAsync(db => db.GetTable<Order>().Where(o => o.Id < 10).Select(o => o.Customer)
			.Concat(db.GetTable<Order>().Where(o => o.Id > 55).Select(o => o.Customer))
			.Intersect(db.GetTable<Order>().Where(o => o.Amount > 20).Select(o => o.Customer))
			.OrderBy(c => c)
			.ToListAsync());
	}

	[Test]
	public async Task ContainsOverTwoThousandValues()
	{
		var ids = Enumerable.Range(1_000, 2_000).Concat([3, 55, 59]).ToArray();

		(await SameAsync(db => db.GetTable<Order>().Where(o => ids.Contains(o.Id)).OrderBy(o => o.Id).Select(o => o.Id).ToListAsync()))
			.Should().Equal(3, 55, 59);
	}

	[Test]
	public async Task GroupingWithHavingAndAggregates() =>
		await SameAsync(db => db.GetTable<Order>()
			.GroupBy(o => o.Customer.Trim())
			.Where(g => g.Count() > 8)
			.OrderBy(g => g.Key)
			.Select(g => new { g.Key, Count = g.Count(), Total = g.Sum(o => o.Amount), Largest = g.Max(o => o.Amount), Notes = g.Count(o => o.Note != null) })
			.ToListAsync());

	[Test]
	public async Task StringFunctions() =>
		await SameAsync(db => db.GetTable<Order>()
			.Where(o => o.Note != null && o.Note.StartsWith("note-1") && o.Customer.Contains("customer"))
			.OrderBy(o => o.Id)
			.Select(o => new
			{
				Upper   = o.Customer.Trim().ToUpper(),
				Length  = o.Note!.Length,
				Middle  = o.Note.Substring(2, 3),
				Padded  = o.Customer.TrimStart().Replace("customer", "c"),
				Index   = o.Note.IndexOf('-'),
			})
			.ToListAsync());

	[Test]
	public async Task DateFunctions() =>
		await SameAsync(db => db.GetTable<Order>()
			.Where(o => o.Placed.AddDays(3) > new DateTime(2026, 2, 10) && o.Placed.Month == 2)
			.OrderBy(o => o.Id)
			.Select(o => new { o.Placed.Year, o.Placed.Day, o.Placed.Hour, o.Placed.DayOfWeek, Date = o.Placed.Date, Later = Sql.DateAdd(Sql.DateParts.Hour, 5, o.Placed) })
			.ToListAsync());

	[Test]
	public async Task SubqueriesJoinsAndDistinct()
	{
		await SameAsync(db =>
			(from o in db.GetTable<Order>()
			 join p in db.GetTable<Order>() on o.ParentId equals p.Id into parents
			 from p in parents.DefaultIfEmpty()
			 where db.GetTable<Order>().Any(c => c.ParentId == o.Id) || p == null
			 orderby o.Id
			 select new { o.Id, Parent = (int?)p.Id, Children = db.GetTable<Order>().Count(c => c.ParentId == o.Id) })
			.ToListAsync());

		await SameAsync(db => db.GetTable<Order>().Select(o => o.Customer).Distinct().OrderBy(c => c).ToListAsync());
	}

	[Test]
	public async Task WindowFunctionsAndCtes() =>
		await SameAsync(db =>
		{
			var ranked = db.GetTable<Order>()
				.Select(o => new { o.Id, o.Customer, Rank = Sql.Ext.Rank().Over().PartitionBy(o.Customer).OrderByDesc(o.Amount).ThenBy(o.Id).ToValue() })
				.AsCte("ranked");

			return ranked.Where(r => r.Rank == 1).OrderBy(r => r.Customer).ToListAsync();
		});

	[Test]
	public async Task RawSql() =>
		await SameAsync(db => db.QueryToListAsync<int>($"SELECT \"Id\" FROM {TestDatabase.TableName<Order>()} WHERE \"Amount\" > @amount ORDER BY \"Id\"", new DataParameter("amount", 80m)));
}
