using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

public sealed class BatchOperationTests
{
	[Table]
	sealed class Order
	{
		[PrimaryKey] public int    Id     { get; set; }
		[Column]     public string Status { get; set; } = "";
		[Column]     public int    Region { get; set; }
	}

	[Table]
	sealed class Line
	{
		[PrimaryKey(1)] public int    OrderId { get; set; }
		[PrimaryKey(2)] public int    LineNo  { get; set; }
		[Column]        public string State   { get; set; } = "";
	}

	DataConnection _db = null!;

	[SetUp]
	public void Connect() => _db = TestDatabase.Connect();

	[TearDown]
	public void Disconnect() => _db.Dispose();

	async Task<ITable<Order>> OrdersAsync(int count)
	{
		var table = await _db.CreateTableAsync<Order>(tableName: TestNames.Unique("batch_order"));
		await table.BulkCopyAsync(Enumerable.Range(1, count).Select(i => new Order { Id = i, Status = "open", Region = i % 3 }));
		return table;
	}

	Task<List<long>> TransactionSizesAsync(string table, string column) =>
		_db.QueryToListAsync<long>($"SELECT count(*) FROM {table} WHERE \"{column}\" = 'archived' GROUP BY xmin::text::bigint ORDER BY 1 DESC");

	[Test]
	public async Task DeleteInBatchesRemovesAnyNumberOfMatchingRows()
	{
		var orders = await OrdersAsync(9_500);

		try
		{
			var deleted = await orders.DeleteInBatchesAsync(o => o.Region != 0);

			deleted.Should().Be(9_500 - 9_500 / 3);
			(await orders.CountAsync()).Should().Be(9_500 / 3);
			(await orders.AllAsync(o => o.Region == 0)).Should().BeTrue();
		}
		finally
		{
			await orders.DropAsync();
		}
	}

	[Test]
	public void DeleteInBatchesSynchronouslyWithSmallBatches()
	{
		var orders = OrdersAsync(1_000).GetAwaiter().GetResult();

		try
		{
			orders.DeleteInBatches(o => o.Id > 100, batchSize: 250).Should().Be(900);
			orders.Count().Should().Be(100);
		}
		finally
		{
			orders.Drop();
		}
	}

	[Test]
	public async Task UpdateInBatchesCommitsAtMost3000RowsPerTransaction()
	{
		var orders = await OrdersAsync(7_000);

		try
		{
			var updated = await orders.UpdateInBatchesAsync(o => o.Status == "open", o => new Order { Status = "archived" });

			updated.Should().Be(7_000);
			(await orders.CountAsync(o => o.Status == "archived")).Should().Be(7_000);
			(await TransactionSizesAsync(orders.TableName, "Status")).Should().Equal(3_000, 3_000, 1_000);
		}
		finally
		{
			await orders.DropAsync();
		}
	}

	[Test]
	public async Task CompositeKeysAreBatchedToo()
	{
		var lines = await _db.CreateTableAsync<Line>(tableName: TestNames.Unique("batch_line"));

		try
		{
			await lines.BulkCopyAsync(Enumerable.Range(1, 1_200).SelectMany(o => new[] { new Line { OrderId = o, LineNo = 1, State = "new" }, new Line { OrderId = o, LineNo = 2, State = "new" } }));

			lines.UpdateInBatches(l => l.LineNo == 2, l => new Line { State = "archived" }, batchSize: 500).Should().Be(1_200);
			(await TransactionSizesAsync(lines.TableName, "State")).Should().Equal(500, 500, 200);

			(await lines.DeleteInBatchesAsync(l => l.State == "new", batchSize: 700)).Should().Be(1_200);
			(await lines.CountAsync()).Should().Be(1_200);
		}
		finally
		{
			await lines.DropAsync();
		}
	}

	[Test]
	public async Task InsideATransactionOnlyWorkThatFitsRuns()
	{
		var orders = await OrdersAsync(3_500);

		try
		{
			await using (var tx = await _db.BeginTransactionAsync())
			{
				await FluentActions.Awaiting(() => orders.DeleteInBatchesAsync(o => o.Id > 0))
					.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
					.WithMessage("*inside a transaction would touch more than 3,000 rows*Nothing was changed*outside the transaction*");
				await FluentActions.Awaiting(() => orders.UpdateInBatchesAsync(o => o.Id > 0, o => new Order { Status = "x" }))
					.Should().ThrowAsync<AuroraDsqlNotSupportedException>();

				(await orders.DeleteInBatchesAsync(o => o.Id <= 100)).Should().Be(100);
				await tx.RollbackAsync();
			}

			(await orders.CountAsync()).Should().Be(3_500);
		}
		finally
		{
			await orders.DropAsync();
		}
	}
	[LocalEndpointOnly("an endpoint of its own that allows 100 rows per transaction (a cluster's limit is a fixed 3,000)")]
	[Test]
	public async Task UpdateInBatchesReadsSmallerPagesWhenABatchExceedsTheServersLimit()
	{
		// A server that allows 100 rows per transaction, and a budget of 400: every first try is too big for it.
		await using var endpoint = await global::AuroraDsql.Local.LocalDsqlEndpoint.StartAsync(new global::AuroraDsql.Local.LocalDsqlEndpointOptions { MaxRowsPerTransaction = 100 });
		var options = new DataOptions().UseAuroraDsql(endpoint.HostName, o => TestDatabase.Configure(o, endpoint), dsql => dsql with { MaxRowsPerTransaction = 400 });

		await using var db = new DataConnection(options);
		var orders = await db.CreateTableAsync<Order>(tableName: "limited_order");

		await using (var backend = new Npgsql.NpgsqlConnection(endpoint.BackendConnectionString))
		{
			await backend.OpenAsync();
			await using var fill = new Npgsql.NpgsqlCommand("INSERT INTO limited_order (\"Id\", \"Status\", \"Region\") SELECT i, 'open', 0 FROM generate_series(1, 1000) i", backend);
			await fill.ExecuteNonQueryAsync();
		}

		var updated = await orders.UpdateInBatchesAsync(o => o.Status == "open", o => new Order { Status = "closed" });

		updated.Should().Be(1_000);
		(await orders.CountAsync(o => o.Status == "closed")).Should().Be(1_000);
	}
}
