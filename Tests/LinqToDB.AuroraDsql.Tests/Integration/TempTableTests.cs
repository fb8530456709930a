using System.Transactions;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Internal.DataProvider.AuroraDsql.Schema;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// linq2db's temporary tables through the provider and the endpoint: regular tables with a unique <c>tmp_…</c> name,
/// created outside transactions and dropped on dispose. Queries over them give what the stock provider gives over a
/// real PostgreSQL temporary table on the backend.
/// </summary>
[LocalEndpointOnly("linq2db's PostgreSQL provider's real temporary tables on the backend PostgreSQL as the reference; DSQL has none")]
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

	DataConnection _dsql  = null!;
	DataConnection _stock = null!;
	string         _productTable = "";

	[SetUp]
	public async Task ConnectAsync()
	{
		_dsql         = TestDatabase.Connect();
		_stock        = TestDatabase.ConnectStock();
		_productTable = TestNames.Unique("temp_product");

		await (await _dsql.CreateTableAsync<Product>(_productTable)).BulkCopyAsync(_products);
	}

	[TearDown]
	public async Task DisconnectAsync()
	{
		await _dsql.ExecuteAsync($"DROP TABLE IF EXISTS {_productTable}");
		await _stock.DisposeAsync();
		await _dsql.DisposeAsync();
	}

	ITable<Product> Products(DataConnection db) => db.GetTable<Product>().TableName(_productTable);

	static Task<List<string>> TempTablesAsync(DataConnection db) =>
		db.QueryToListAsync<string>("SELECT tablename FROM pg_catalog.pg_tables WHERE tablename LIKE 'tmp\\_%'");

	[Test]
	public async Task ATempTableOfIdsJoinsAsARealTemporaryTableDoes()
	{
		int[] wanted = [3, 8, 13, 21, 34, 55];

		async Task<List<string>> NamesAsync(DataConnection db)
		{
			await using var ids = await db.CreateTempTableAsync(wanted.Select(id => new WantedId { Id = id }), tableName: "wanted_ids");
			return await Products(db).Join(ids, p => p.Id, w => w.Id, (p, w) => p.Name).OrderBy(n => n).ToListAsync();
		}

		var expected = await NamesAsync(_stock);
		(await NamesAsync(_dsql)).Should().Equal(expected).And.HaveCount(5);
	}

	[Test]
	public async Task ATempTableIsARegularTableWithAUniqueNameUntilItIsDisposed()
	{
		var before = await TempTablesAsync(_stock);

		var table = await _dsql.CreateTempTableAsync<WantedId>("wanted_ids");
		await table.InsertAsync(() => new WantedId { Id = 7 });

		var created = (await TempTablesAsync(_stock)).Except(before).Should().ContainSingle().Subject;
		created.Should().MatchRegex("^tmp_[0-9]{14}_[0-9a-f]{8}_wanted_ids$");
		TemporaryTables.CreatedAt(created).Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(5));
		(await _stock.QueryToListAsync<int>($"SELECT \"Id\" FROM {created}")).Should().Equal(7);
		(await table.SingleAsync()).Id.Should().Be(7);

		await table.DisposeAsync();

		(await TempTablesAsync(_stock)).Should().NotContain(created);
	}

	[Test]
	public async Task IntoTempTableCopiesAQueryAsOnPostgreSQL()
	{
		async Task<(int Count, decimal Sum)> CopyAsync(DataConnection db)
		{
			await using var cheap = await Products(db).Where(p => p.Price < 20).IntoTempTableAsync("cheap_products");
			return (await cheap.CountAsync(), await cheap.SumAsync(p => p.Price));
		}

		var expected = await CopyAsync(_stock);
		(await CopyAsync(_dsql)).Should().Be(expected);
		expected.Count.Should().Be(13);
	}

	[Test]
	public void TempTablesWorkSynchronously()
	{
		List<string> Names(DataConnection db)
		{
			using var cheap = Products(db).Where(p => p.Price > 70).IntoTempTable("expensive_products");
			using var ids   = db.CreateTempTable(new[] { new WantedId { Id = 48 }, new WantedId { Id = 50 } }, tableName: "wanted_ids");
			return cheap.Where(p => ids.Any(i => i.Id == p.Id)).OrderBy(p => p.Id).Select(p => p.Name).ToList();
		}

		Names(_dsql).Should().Equal(Names(_stock)).And.Equal("product 48", "product 50");
		TempTablesAsync(_stock).GetAwaiter().GetResult().Should().NotContain(t => t.EndsWith("_expensive_products", StringComparison.Ordinal));
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
		var before = await TempTablesAsync(_stock);

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

		(await TempTablesAsync(_stock)).Should().BeEquivalentTo(before);
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
			var remaining = await TempTablesAsync(_stock);
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
