using System.Transactions;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Internal.DataProvider.AuroraDsql.Schema;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// linq2db's temporary tables through the provider: regular tables with a unique <c>tmp_…</c> name, created outside
/// transactions and dropped on dispose. Queries over them give the rows a real temporary table would give, worked out
/// here from the seed rows; a second connection of the provider watches the catalog, so the tests run against the local
/// endpoint and a cluster alike.
/// </summary>
public sealed class TempTableTests
{
	[Table]
	sealed class Product
	{
		[PrimaryKey]      public int     Id       { get; set; }
		[Column, NotNull] public string  Name     { get; set; } = "";
		[Column]          public decimal Price    { get; set; }
	}

	[Table]
	sealed class WantedId
	{
		[PrimaryKey] public int Id { get; set; }
	}

	static readonly Product[] _products = Enumerable.Range(1, 50).Select(i => new Product { Id = i, Name = $"product {i}", Price = i * 1.5m }).ToArray();

	DataConnection _dsql     = null!;
	DataConnection _observer = null!;
	string         _productTable = "";

	[SetUp]
	public async Task ConnectAsync()
	{
		_dsql         = TestDatabase.Connect();
		_observer     = TestDatabase.Connect();
		_productTable = TestNames.Unique("temp_product");

		await (await _dsql.CreateTableAsync<Product>(_productTable)).BulkCopyAsync(_products);
	}

	[TearDown]
	public async Task DisconnectAsync()
	{
		await _dsql.ExecuteAsync($"DROP TABLE IF EXISTS {_productTable}");
		await _observer.DisposeAsync();
		await _dsql.DisposeAsync();
	}

	ITable<Product> Products(DataConnection db) => db.GetTable<Product>().TableName(_productTable);

	/// <summary>The <c>tmp_…</c> tables in the catalog, as another connection sees them.</summary>
	Task<List<string>> TempTablesAsync() =>
		_observer.QueryToListAsync<string>("SELECT tablename FROM pg_catalog.pg_tables WHERE tablename LIKE 'tmp\\_%'");

	[Test]
	public async Task ATempTableOfIdsJoinsAsARealTemporaryTableDoes()
	{
		int[] wanted = [3, 8, 13, 21, 34, 55];

		await using var ids = await _dsql.CreateTempTableAsync(wanted.Select(id => new WantedId { Id = id }), tableName: "wanted_ids");
		var names = await Products(_dsql).Join(ids, p => p.Id, w => w.Id, (p, w) => p.Name).OrderBy(n => n).ToListAsync();

		names.Should().Equal("product 13", "product 21", "product 3", "product 34", "product 8")
			.And.Equal(_products.Where(p => wanted.Contains(p.Id)).Select(p => p.Name).Order(StringComparer.Ordinal));
	}

	[Test]
	public async Task ATempTableIsARegularTableWithAUniqueNameUntilItIsDisposed()
	{
		var before = await TempTablesAsync();

		var table = await _dsql.CreateTempTableAsync<WantedId>("wanted_ids");
		await table.InsertAsync(() => new WantedId { Id = 7 });

		var created = (await TempTablesAsync()).Except(before).Should().ContainSingle().Subject;
		created.Should().MatchRegex("^tmp_[0-9]{14}_[0-9a-f]{8}_wanted_ids$");
		TemporaryTables.CreatedAt(created).Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(5));
		(await _observer.QueryToListAsync<int>($"SELECT \"Id\" FROM {created}")).Should().Equal(7);
		(await table.SingleAsync()).Id.Should().Be(7);

		await table.DisposeAsync();

		(await TempTablesAsync()).Should().NotContain(created);
	}

	[Test]
	public async Task IntoTempTableCopiesAQueryAsOnPostgreSQL()
	{
		await using var cheap = await Products(_dsql).Where(p => p.Price < 20).IntoTempTableAsync("cheap_products");

		(await cheap.CountAsync(), await cheap.SumAsync(p => p.Price)).Should().Be((13, 136.5m));
		(await cheap.OrderBy(p => p.Id).ToListAsync()).Should().BeEquivalentTo(_products.Where(p => p.Price < 20), o => o.WithStrictOrdering());
	}

	[Test]
	public void TempTablesWorkSynchronously()
	{
		var before = TempTablesAsync().GetAwaiter().GetResult();

		List<string> names;
		using (var cheap = Products(_dsql).Where(p => p.Price > 70).IntoTempTable("expensive_products"))
		using (var ids   = _dsql.CreateTempTable(new[] { new WantedId { Id = 48 }, new WantedId { Id = 50 } }, tableName: "wanted_ids"))
			names = cheap.Where(p => ids.Any(i => i.Id == p.Id)).OrderBy(p => p.Id).Select(p => p.Name).ToList();

		names.Should().Equal("product 48", "product 50");
		TempTablesAsync().GetAwaiter().GetResult().Should().BeEquivalentTo(before, "both were dropped on dispose");
	}

	[Test]
	public async Task TwoConnectionsWithTheSameTempTableNameGetTablesOfTheirOwn()
	{
		await using var other = TestDatabase.Connect();

		await using var mine   = await _dsql.CreateTempTableAsync(new[] { new WantedId { Id = 1 } }, tableName: "wanted_ids");
		await using var theirs = await other.CreateTempTableAsync(new[] { new WantedId { Id = 2 }, new WantedId { Id = 3 } }, tableName: "wanted_ids");

		(await mine.Select(i => i.Id).ToListAsync()).Should().Equal(1);
		(await theirs.OrderBy(i => i.Id).Select(i => i.Id).ToListAsync()).Should().Equal(2, 3);
	}

	[Test]
	public async Task AnotherConnectionDoesNotSeeTheTempTableByItsName()
	{
		await using var mine  = await _dsql.CreateTempTableAsync(new[] { new WantedId { Id = 1 } }, tableName: "wanted_ids");
		await using var other = TestDatabase.Connect();

		var error = await FluentActions.Awaiting(() => other.GetTable<WantedId>().TableName("wanted_ids").TableOptions(TableOptions.IsTemporary).ToListAsync())
			.Should().ThrowAsync<PostgresException>();
		error.Which.SqlState.Should().Be("42P01");
	}

	[Test]
	public async Task ATempTableCannotBeCreatedInsideATransaction()
	{
		var before = await TempTablesAsync();

		await using (var tx = await _dsql.BeginTransactionAsync())
		{
			await FluentActions.Awaiting(() => _dsql.CreateTempTableAsync<WantedId>("wanted_ids"))
				.Should().ThrowAsync<AuroraDsqlNotSupportedException>().WithMessage("*cannot be created inside a transaction*before beginning the transaction*");
		}

		using (new TransactionScope(TransactionScopeOption.Required, new TransactionOptions { IsolationLevel = IsolationLevel.RepeatableRead }, TransactionScopeAsyncFlowOption.Enabled))
		{
			await using var db = TestDatabase.Connect();
			await FluentActions.Awaiting(() => db.CreateTempTableAsync<WantedId>("wanted_ids"))
				.Should().ThrowAsync<AuroraDsqlNotSupportedException>().WithMessage("*inside a transaction*");
		}

		(await TempTablesAsync()).Should().BeEquivalentTo(before);
	}

	[Test]
	public async Task ATempTableCreatedBeforeATransactionIsUsedInsideIt()
	{
		await using var ids = await _dsql.CreateTempTableAsync<WantedId>("wanted_ids");

		await using (var tx = await _dsql.BeginTransactionAsync())
		{
			await ids.InsertAsync(() => new WantedId { Id = 5 });
			await tx.CommitAsync();
		}

		(await Products(_dsql).Where(p => ids.Any(i => i.Id == p.Id)).Select(p => p.Name).ToListAsync()).Should().Equal("product 5");
	}

	[Test]
	public async Task LeftoverTempTablesOlderThanTheAgeAreDropped()
	{
		var old       = "tmp_20200101000000_0123abcd_" + TestNames.Unique("left").ToLowerInvariant();
		var unrelated = TestNames.Unique("tmp_user").ToLowerInvariant();
		await _dsql.ExecuteAsync($"CREATE TABLE {old} (id int PRIMARY KEY)");
		await _dsql.ExecuteAsync($"CREATE TABLE {unrelated} (id int PRIMARY KEY)");

		try
		{
			await using var fresh = await _dsql.CreateTempTableAsync<WantedId>("fresh_ids");

			var dropped = await _dsql.DropLeftoverTempTablesAsync(TimeSpan.FromHours(1));

			dropped.Should().Contain("public." + old);
			var remaining = await TempTablesAsync();
			remaining.Should().NotContain(old).And.Contain(unrelated).And.Contain(t => t.EndsWith("_fresh_ids", StringComparison.Ordinal));

			_dsql.DropLeftoverTempTables(TimeSpan.FromHours(1)).Should().NotContain(t => t.EndsWith("_fresh_ids", StringComparison.Ordinal));
		}
		finally
		{
			await _dsql.ExecuteAsync($"DROP TABLE IF EXISTS {old}");
			await _dsql.ExecuteAsync($"DROP TABLE IF EXISTS {unrelated}");
		}
	}

	[Test]
	public async Task LeftoversAreNotDroppedInsideATransaction()
	{
		await using var tx = await _dsql.BeginTransactionAsync();

		await FluentActions.Awaiting(() => _dsql.DropLeftoverTempTablesAsync(TimeSpan.FromHours(1)))
			.Should().ThrowAsync<AuroraDsqlNotSupportedException>().WithMessage("*outside any transaction*");
	}
}
