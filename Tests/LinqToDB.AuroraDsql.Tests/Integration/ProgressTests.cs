using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// Progress of batched deletes, updates and truncates, job waits and EnsureSchema, and what a chunked operation that
/// fails or is cancelled part way tells about the rows committed before it. Failures and cancellations are triggered
/// from the progress reports themselves, so they land between known batches.
/// </summary>
public sealed class ProgressTests
{
	[Table]
	sealed class Item
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	[Table("obs_progress_indexed")]
	[AuroraDsqlIndex("ix_obs_progress_name", nameof(Name))]
	[AuroraDsqlIndex("ix_obs_progress_name_id", nameof(Name), nameof(Id))]
	sealed class Indexed
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	/// <summary>Reports as they happen, on the reporting thread (unlike <see cref="Progress{T}"/>, which posts them).</summary>
	sealed class Reports<T>(Action<T>? onReport = null) : IProgress<T>
	{
		readonly List<T> _items = [];

		public IReadOnlyList<T> Items { get { lock (_items) return _items.ToArray(); } }

		public void Report(T value)
		{
			lock (_items)
				_items.Add(value);
			onReport?.Invoke(value);
		}
	}

	string _application = null!;
	DataConnection _db = null!;

	[SetUp]
	public void SetUp()
	{
		_application = TestNames.Unique("progress");
		_db          = new DataConnection(Options());
	}

	[TearDown]
	public async Task TearDownAsync()
	{
		TestDatabase.ClearCommitFailures();
		await _db.DisposeAsync();
	}

	DataOptions Options(Func<AuroraDsqlOptions, AuroraDsqlOptions>? provider = null) =>
		new DataOptions().UseAuroraDsql(TestDatabase.HostName, o => TestDatabase.Configure(o) with { ApplicationName = _application }, provider);

	async Task<ITable<Item>> ItemsAsync(int count)
	{
		var table = await _db.CreateTableAsync<Item>(tableName: TestNames.Unique("progress_item"));
		await table.BulkCopyAsync(Enumerable.Range(1, count).Select(i => new Item { Id = i, Name = "item " + i }));
		return table;
	}

	[Test]
	public async Task DeleteInBatchesReportsEveryCommittedBatch()
	{
		var items = await ItemsAsync(1_000);

		try
		{
			var progress = new Reports<AuroraDsqlBatchProgress>();
			(await items.DeleteInBatchesAsync(i => i.Id > 100, batchSize: 300, progress: progress)).Should().Be(900);

			progress.Items.Should().Equal(
				new AuroraDsqlBatchProgress("DeleteInBatches", items.TableName, 1, 300, 300),
				new AuroraDsqlBatchProgress("DeleteInBatches", items.TableName, 2, 300, 600),
				new AuroraDsqlBatchProgress("DeleteInBatches", items.TableName, 3, 300, 900));
		}
		finally
		{
			await items.DropAsync();
		}
	}

	[Test]
	public void UpdateInBatchesReportsEveryCommittedBatchSynchronously()
	{
		var items = ItemsAsync(1_000).GetAwaiter().GetResult();

		try
		{
			var progress = new Reports<AuroraDsqlBatchProgress>();
			items.UpdateInBatches(i => i.Id <= 700, i => new Item { Name = "updated" }, batchSize: 400, progress: progress).Should().Be(700);

			progress.Items.Select(p => (p.Operation, p.BatchesCommitted, p.BatchRows, p.RowsCommitted))
				.Should().Equal(("UpdateInBatches", 1, 400, 400L), ("UpdateInBatches", 2, 300, 700L));
		}
		finally
		{
			items.Drop();
		}
	}

	[Test]
	public async Task TruncateReportsToTheOptionsBatchProgress()
	{
		var items = await ItemsAsync(7_000);

		try
		{
			var progress = new Reports<AuroraDsqlBatchProgress>();
			await using var db = new DataConnection(Options(o => o with { BatchProgress = progress }));

			(await db.GetTable<Item>().TableName(items.TableName).TruncateAsync()).Should().Be(7_000);

			progress.Items.Select(p => (p.Operation, p.BatchRows, p.RowsCommitted)).Should().Equal(("Truncate", 3_000, 3_000L), ("Truncate", 3_000, 6_000L), ("Truncate", 1_000, 7_000L));
			progress.Items.Should().OnlyContain(p => p.TableName.Contains(items.TableName, StringComparison.Ordinal));
		}
		finally
		{
			await items.DropAsync();
		}
	}

	[Test]
	public async Task ACancelledDeleteInBatchesTellsTheRowsCommittedBeforeIt()
	{
		var items = await ItemsAsync(1_000);

		try
		{
			using var cancel = new CancellationTokenSource();
			var progress     = new Reports<AuroraDsqlBatchProgress>(p => { if (p.BatchesCommitted == 2) cancel.Cancel(); });

			var thrown = await FluentActions.Awaiting(() => items.DeleteInBatchesAsync(i => i.Id > 0, batchSize: 250, progress: progress, cancellationToken: cancel.Token))
				.Should().ThrowAsync<AuroraDsqlOperationCanceledException>();

			(thrown.Which.RowsCommitted, thrown.Which.Operation, thrown.Which.TableName).Should().Be((500L, "DeleteInBatches", items.TableName));
			thrown.Which.CancellationToken.Should().Be(cancel.Token);
			thrown.Which.Message.Should().Contain("500 rows were committed by the 2 batches before it");
			(await items.CountAsync()).Should().Be(500);
		}
		finally
		{
			await items.DropAsync();
		}
	}

	[Test]
	public async Task ACancelledTruncateTellsTheRowsCommittedBeforeIt()
	{
		var items = await ItemsAsync(7_000);

		try
		{
			using var cancel = new CancellationTokenSource();
			var progress     = new Reports<AuroraDsqlBatchProgress>(_ => cancel.Cancel());
			await using var db = new DataConnection(Options(o => o with { BatchProgress = progress }));

			var thrown = await FluentActions.Awaiting(() => db.GetTable<Item>().TableName(items.TableName).TruncateAsync(token: cancel.Token))
				.Should().ThrowAsync<OperationCanceledException>();

			thrown.Which.Should().BeOfType<AuroraDsqlOperationCanceledException>().Which.RowsCommitted.Should().Be(3_000);
			(await items.CountAsync()).Should().Be(4_000);
		}
		finally
		{
			await items.DropAsync();
		}
	}

	[LocalEndpointOnly("fault injection at COMMIT: a COMMIT that fails with XX000 (outcome unknown), which no client can make happen on a cluster at will")]
	[Test]
	public async Task AFailedBatchTellsTheRowsCommittedBeforeIt()
	{
		var items = await ItemsAsync(1_000);

		try
		{
			// After the second batch, the next COMMIT fails without telling whether it applied: never re-run blindly.
			var progress = new Reports<AuroraDsqlBatchProgress>(p =>
			{
				if (p.BatchesCommitted == 2)
					TestDatabase.Endpoint.FailNextCommits(1, "XX000", _application);
			});

			var thrown = await FluentActions.Awaiting(() => items.UpdateInBatchesAsync(i => i.Id > 0, i => new Item { Name = "new" }, batchSize: 300, progress: progress))
				.Should().ThrowAsync<AuroraDsqlBatchException>();

			var error = thrown.Which;
			(error.RowsCommitted, error.BatchesCommitted, error.Operation, error.TableName).Should().Be((600L, 2, "UpdateInBatches", items.TableName));
			error.InnerException.Should().BeOfType<AuroraDsqlAmbiguousCommitException>();
			error.Message.Should().Contain("failed in batch 3").And.Contain("600 rows were committed by the 2 batches before it");
			(await items.CountAsync(i => i.Name == "new")).Should().Be(600);
		}
		finally
		{
			await items.DropAsync();
		}
	}

	[Test]
	public async Task ACancelledBulkCopyTellsTheRowsCommittedBeforeIt()
	{
		var items = await ItemsAsync(0);

		try
		{
			using var cancel = new CancellationTokenSource();
			var options = new BulkCopyOptions { NotifyAfter = 3_000, RowsCopiedCallback = _ => cancel.Cancel() };

			var thrown = await FluentActions.Awaiting(() => items.BulkCopyAsync(options, Enumerable.Range(1, 10_000).Select(i => new Item { Id = i, Name = "n" }), cancel.Token))
				.Should().ThrowAsync<AuroraDsqlOperationCanceledException>();

			(thrown.Which.RowsCommitted, thrown.Which.Operation).Should().Be((3_000L, "BulkCopy"));
			(await items.CountAsync()).Should().Be(3_000);
		}
		finally
		{
			await items.DropAsync();
		}
	}

	[Test]
	public async Task EnsureSchemaReportsTheTableTheIndexBuildsAndTheirStatus()
	{
		try
		{
			var progress = new Reports<AuroraDsqlSchemaProgress>();
			var jobs = await _db.EnsureSchemaAsync<Indexed>(new AuroraDsqlEnsureSchemaOptions { WaitForIndexes = true, WaitTimeout = TimeSpan.FromMinutes(1), Progress = progress });

			var steps = progress.Items;
			steps[0].Should().Be(new AuroraDsqlSchemaProgress(AuroraDsqlSchemaStep.TableEnsured, "obs_progress_indexed"));
			steps.Where(s => s.Step == AuroraDsqlSchemaStep.IndexBuildSubmitted).Select(s => (s.ObjectName, s.Job!.JobId))
				.Should().Equal(("ix_obs_progress_name", jobs[0].JobId), ("ix_obs_progress_name_id", jobs[1].JobId));
			foreach (var job in jobs)
				steps.Where(s => s.Step == AuroraDsqlSchemaStep.IndexBuildStatusChanged && s.Job!.JobId == job.JobId).Select(s => s.Job!.Status).Should().EndWith("completed");

			// Run again: the table is there, and each index is reported once more (CREATE INDEX ASYNC IF NOT EXISTS may answer with a job).
			var again = new Reports<AuroraDsqlSchemaProgress>();
			await _db.EnsureSchemaAsync<Indexed>(new AuroraDsqlEnsureSchemaOptions { Progress = again });
			again.Items.Select(s => s.Step).Should().HaveCount(3).And.StartWith(AuroraDsqlSchemaStep.TableEnsured)
				.And.NotContain(AuroraDsqlSchemaStep.IndexBuildStatusChanged, "nothing was waited for");
		}
		finally
		{
			await _db.DropTableAsync<Indexed>(tableOptions: TableOptions.DropIfExists);
		}
	}

	[Test]
	public async Task WaitForJobsReportsEachJobsStatusChanges()
	{
		try
		{
			var jobs     = await _db.EnsureSchemaAsync<Indexed>();
			var progress = new Reports<AuroraDsqlJob>();

			var done = await _db.WaitForJobsAsync(jobs.Select(j => j.JobId), TimeSpan.FromMinutes(1), progress);

			done.Select(j => (j.JobId, j.Status)).Should().Equal(jobs.Select(j => (j.JobId, "completed")));
			foreach (var job in jobs)
			{
				var statuses = progress.Items.Where(p => p.JobId == job.JobId).Select(p => p.Status).ToList();
				statuses.Should().EndWith("completed").And.OnlyHaveUniqueItems("a status is reported when it changes");
			}

			var again = new Reports<AuroraDsqlJob>();
			_db.WaitForJobs(jobs.Select(j => j.JobId), progress: again).Should().HaveCount(2);
			again.Items.Select(j => j.Status).Should().Equal("completed", "completed");
		}
		finally
		{
			await _db.DropTableAsync<Indexed>(tableOptions: TableOptions.DropIfExists);
		}
	}
}
