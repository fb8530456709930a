using System.Diagnostics;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// The spans of the provider's ActivitySource and the measurements of its Meter (both <c>LinqToDB.AuroraDsql</c>), as an
/// <see cref="ActivityListener"/> and a <see cref="System.Diagnostics.Metrics.MeterListener"/> see them.
/// </summary>
public sealed class TracingAndMetricsTests
{
	[Table]
	sealed class Item
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	[Table("obs_traced_indexed")]
	[AuroraDsqlIndex("ix_obs_traced_name", nameof(Name))]
	sealed class Indexed
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	static readonly AuroraDsqlRetryOptions _fast = new() { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) };

	TelemetryRecorder _telemetry = null!;
	string _application = null!;
	DataConnection _db = null!;

	[SetUp]
	public void SetUp()
	{
		_telemetry   = new TelemetryRecorder();
		_application = TestNames.Unique("traced");
		_db          = new DataConnection(new DataOptions().UseAuroraDsql(TestDatabase.HostName, o => TestDatabase.Configure(o) with { ApplicationName = _application }));
	}

	[TearDown]
	public async Task TearDownAsync()
	{
		TestDatabase.ClearCommitFailures();
		_telemetry.Dispose();
		await _db.DisposeAsync();
	}

	async Task<ITable<Item>> ItemsAsync(int count)
	{
		var table = await _db.CreateTableAsync<Item>(tableName: TestNames.Unique("traced_item"));
		if (count > 0)
			await table.BulkCopyAsync(Enumerable.Range(1, count).Select(i => new Item { Id = i, Name = "item " + i }));
		return table;
	}

	static object? Tag(Activity activity, string name) => activity.GetTagItem(name);

	[Test]
	public async Task EachInTransactionAttemptIsASpanWithItsOutcomeAndSqlState()
	{
		var items = await ItemsAsync(1);
		await using var rival = TestDatabase.Connect();

		try
		{
			// The first attempt loses at COMMIT to another session that updates the same row and commits first (40001 OC000).
			var attempt = 0;
			using (var parent = new ActivitySource("test").StartActivity("parent"))
				await _db.InTransactionAsync(async (tx, ct) =>
				{
					await tx.GetTable<Item>().TableName(items.TableName).Where(i => i.Id == 1).Set(i => i.Name, "x").UpdateAsync(ct);
					if (++attempt == 1)
						await rival.GetTable<Item>().TableName(items.TableName).Where(i => i.Id == 1).Set(i => i.Name, "rival").UpdateAsync(ct);
				}, _fast);

			var attempts = _telemetry.Spans.Where(s => s.OperationName == "InTransaction" && Tag(s, "db.operation.name") is null).ToList();
			attempts.Select(s => (Tag(s, "db.aurora_dsql.attempt"), Tag(s, "db.aurora_dsql.outcome"))).Should().Equal((1, "retry"), (2, "committed"));

			var failed = attempts[0];
			failed.Status.Should().Be(ActivityStatusCode.Error);
			(Tag(failed, "db.response.status_code"), Tag(failed, "db.aurora_dsql.conflict_code"), Tag(failed, "error.type")).Should().Be(("40001", "OC000", "40001"));
			Tag(failed, "db.system.name").Should().Be("postgresql");
			attempts[1].Status.Should().Be(ActivityStatusCode.Unset);

			_telemetry.Sum("db.client.operation.aurora_dsql.conflicts", ("db.aurora_dsql.conflict_code", "OC000"), ("db.operation.name", "InTransaction")).Should().Be(1);
			_telemetry.Sum("db.client.operation.aurora_dsql.retries", ("db.response.status_code", "40001"), ("db.operation.name", "InTransaction")).Should().Be(1);
		}
		finally
		{
			await items.DropAsync();
		}
	}

	[Test]
	public async Task EachBulkCopyChunkIsASpanAndItsRowsAreCounted()
	{
		var items = await ItemsAsync(0);

		try
		{
			await items.BulkCopyAsync(Enumerable.Range(1, 7_001).Select(i => new Item { Id = i, Name = "item " + i }));

			var chunks = _telemetry.Spans.Where(s => s.OperationName == "BulkCopy " + items.TableName).ToList();
			chunks.Select(s => (Tag(s, "db.aurora_dsql.chunk.start_index"), Tag(s, "db.aurora_dsql.chunk.rows"), Tag(s, "db.aurora_dsql.outcome")))
				.Should().Equal((0L, 3_000, "committed"), (3_000L, 3_000, "committed"), (6_000L, 1_001, "committed"));
			chunks.Should().OnlyContain(s => (string?)Tag(s, "db.collection.name") == items.TableName);

			// Each chunk's transaction is an attempt span inside the chunk's span.
			var chunkAttempts = _telemetry.Spans.Where(s => s.OperationName == "InTransaction" && (string?)Tag(s, "db.operation.name") == "BulkCopy").ToList();
			chunkAttempts.Select(s => s.ParentSpanId).Should().BeEquivalentTo(chunks.Select(c => c.SpanId));

			_telemetry.Sum("db.client.operation.aurora_dsql.rows_copied", ("db.collection.name", items.TableName)).Should().Be(7_001);
		}
		finally
		{
			await items.DropAsync();
		}
	}

	[Test]
	public async Task EachBatchIsASpanAndBatchesAreCounted()
	{
		var items = await ItemsAsync(2_500);

		try
		{
			(await items.DeleteInBatchesAsync(i => i.Id > 500, batchSize: 1_000)).Should().Be(2_000);

			var batches = _telemetry.Spans.Where(s => s.OperationName == "DeleteInBatches " + items.TableName).ToList();
			batches.Select(s => (Tag(s, "db.aurora_dsql.batch.number"), Tag(s, "db.aurora_dsql.batch.rows"), Tag(s, "db.aurora_dsql.outcome")))
				.Should().Equal((1, 1_000, "committed"), (2, 1_000, "committed"), (3, 0, "committed"));

			var tags = new[] { ("db.operation.name", (object?)"DeleteInBatches"), ("db.collection.name", items.TableName) };
			_telemetry.Sum("db.client.operation.aurora_dsql.batches", tags).Should().Be(2);
			_telemetry.Sum("db.client.operation.aurora_dsql.batch_rows", tags).Should().Be(2_000);
		}
		finally
		{
			await items.DropAsync();
		}
	}

	[Test]
	public async Task AJobWaitIsASpanWithTheJobsFinalStatus()
	{
		try
		{
			var job = (await _db.EnsureSchemaAsync<Indexed>()).Should().ContainSingle().Which;
			await _db.WaitForJobAsync(job.JobId, TimeSpan.FromMinutes(1));

			var wait = _telemetry.Spans.Should().ContainSingle(s => s.OperationName == "WaitForJob" && (string?)Tag(s, "db.aurora_dsql.job.id") == job.JobId).Which;
			(Tag(wait, "db.aurora_dsql.job.type"), Tag(wait, "db.aurora_dsql.job.status"), Tag(wait, "db.aurora_dsql.outcome"))
				.Should().Be(("INDEX_BUILD", "completed", "completed"));
			_telemetry.Measurements.Should().Contain(m => m.Instrument == "db.client.operation.aurora_dsql.job_wait.duration" && Equals(m.Tags["db.aurora_dsql.outcome"], "completed"));
		}
		finally
		{
			await _db.DropTableAsync<Indexed>(tableOptions: TableOptions.DropIfExists);
		}
	}

	[LocalEndpointOnly("fault injection at COMMIT: a COMMIT that fails with XX000, which no client can make happen on a cluster at will")]
	[Test]
	public async Task AFailedBatchEndsItsSpanWithTheServersSqlState()
	{
		var items = await ItemsAsync(10);

		try
		{
			TestDatabase.Endpoint.FailNextCommits(1, "XX000", _application);

			await FluentActions.Awaiting(() => items.UpdateInBatchesAsync(i => i.Id > 0, i => new Item { Name = "z" }))
				.Should().ThrowAsync<AuroraDsqlBatchException>();

			var batch = _telemetry.Spans.Should().ContainSingle(s => s.OperationName == "UpdateInBatches " + items.TableName).Which;
			(Tag(batch, "db.aurora_dsql.outcome"), Tag(batch, "db.response.status_code")).Should().Be(("failed", "XX000"));
			batch.Status.Should().Be(ActivityStatusCode.Error);
		}
		finally
		{
			await items.DropAsync();
		}
	}
}
