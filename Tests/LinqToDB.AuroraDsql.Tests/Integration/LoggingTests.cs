using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

using Microsoft.Extensions.Logging;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// The provider's logging through an <see cref="ILoggerFactory"/> given to <c>UseAuroraDsql</c>: real operations through
/// the local endpoint, with every message captured at Trace (Npgsql's own too).
/// </summary>
public sealed class LoggingTests
{
	[Table]
	sealed class Item
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	[Table("obs_logged_indexed")]
	[AuroraDsqlIndex("ix_obs_logged_name", nameof(Name))]
	sealed class Indexed
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	static readonly AuroraDsqlRetryOptions _fast = new() { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) };

	CapturingLoggerFactory _logs = null!;
	string _application = null!;
	DataOptions _options = null!;

	[SetUp]
	public void SetUp()
	{
		_logs        = new CapturingLoggerFactory();
		_application = TestNames.Unique("logged");
		_options     = new DataOptions().UseAuroraDsql(TestDatabase.HostName, o => TestDatabase.Configure(o) with
		{
			ApplicationName = _application,
			LoggerFactory   = _logs,
		});
	}

	[TearDown]
	public void TearDown()
	{
		TestDatabase.ClearCommitFailures();
		_logs.Dispose();
	}

	static async Task<ITable<Item>> ItemsAsync(DataConnection db, int count)
	{
		var table = await db.CreateTableAsync<Item>(tableName: TestNames.Unique("logged_item"));
		if (count > 0)
			await table.BulkCopyAsync(Enumerable.Range(1, count).Select(i => new Item { Id = i, Name = "item " + i }));
		return table;
	}

	/// <summary>
	/// Updates the row <paramref name="id"/> of <paramref name="table"/> on the first attempt only, and then has another
	/// session update the same row and commit first: a real conflict, so that attempt's COMMIT fails with 40001 OC000.
	/// </summary>
	static Func<DataConnection, CancellationToken, Task> LosingTheFirstAttempt(string table, int id, DataConnection rival)
	{
		var attempt = 0;
		return async (tx, ct) =>
		{
			await tx.GetTable<Item>().TableName(table).Where(i => i.Id == id).Set(i => i.Name, "changed").UpdateAsync(ct);
			if (++attempt == 1)
				await rival.GetTable<Item>().TableName(table).Where(i => i.Id == id).Set(i => i.Name, "rival").UpdateAsync(ct);
		};
	}

	[Test]
	public async Task ARetriedConflictIsLoggedWithItsAttemptSqlStateAndDelay()
	{
		await using var db    = new DataConnection(_options);
		await using var rival = TestDatabase.Connect();
		var items = await ItemsAsync(db, 1);

		try
		{
			var before = _logs.Entries.Count;

			await db.InTransactionAsync(LosingTheFirstAttempt(items.TableName, 1, rival), _fast);

			var transactions = _logs.Entries.Skip(before).Where(e => e.Category == "LinqToDB.AuroraDsql.Transactions").ToList();
			var retry = transactions.Single(e => e.EventId.Id == 1003);
			retry.Level.Should().Be(LogLevel.Information);
			(retry["Attempt"], retry["SqlState"], retry["ConflictCode"]).Should().Be((1, "40001", ", OC000"));
			retry["DelayMs"].Should().BeOfType<long>().Which.Should().BeInRange(5, 25);
			retry.Message.Should().StartWith("Transaction attempt 1 failed with a retryable error (SQLSTATE 40001, OC000)");

			transactions.Where(e => e.EventId.Id == 1001).Select(e => e["Attempt"]).Should().Equal(1, 2);
			transactions.Where(e => e.EventId.Id == 1002).Select(e => e["Attempt"]).Should().Equal(2);
		}
		finally
		{
			await items.DropAsync();
		}
	}

	[LocalEndpointOnly("fault injection at COMMIT: an OC001 schema conflict at every COMMIT, which no client can make happen on a cluster at will")]
	[Test]
	public async Task RetriesThatRunOutAreAWarning()
	{
		await using var db = new DataConnection(_options);
		var items = await ItemsAsync(db, 1);

		try
		{
			TestDatabase.Endpoint.FailNextCommits(10, "OC001", _application);

			await FluentActions.Awaiting(() => db.InTransactionAsync(
					(tx, ct) => tx.GetTable<Item>().TableName(items.TableName).Where(i => i.Id == 1).Set(i => i.Name, "x").UpdateAsync(ct),
					_fast with { MaxRetries = 1 }))
				.Should().ThrowAsync<AuroraDsqlRetryLimitExceededException>();

			var transactions = _logs.Of("LinqToDB.AuroraDsql.Transactions").ToList();
			transactions.Where(e => e.EventId.Id == 1003).Select(e => e["ConflictCode"]).Should().Equal(", OC001");
			transactions.Should().ContainSingle(e => e.EventId.Id == 1004 && e.Level == LogLevel.Warning)
				.Which.Message.Should().Be("The transaction failed 2 times with retryable errors and is not run again (last SQLSTATE 40001)");
		}
		finally
		{
			TestDatabase.ClearCommitFailures();
			await items.DropAsync();
		}
	}

	[Test]
	public async Task ChunkAndBatchCommitsAreLoggedAtDebugAndTheirEndAtInformation()
	{
		await using var db = new DataConnection(_options);
		var items = await ItemsAsync(db, 7_000);

		try
		{
			var chunks = _logs.Of("LinqToDB.AuroraDsql.BulkCopy").Where(e => e.EventId.Id == 3001).ToList();
			chunks.Should().OnlyContain(e => e.Level == LogLevel.Debug);
			chunks.Select(e => ((long)e["First"]!, (long)e["Last"]!, (long)e["Total"]!)).Should().Equal((0L, 2_999L, 3_000L), (3_000L, 5_999L, 6_000L), (6_000L, 6_999L, 7_000L));

			(await items.DeleteInBatchesAsync(i => i.Id > 1_000, batchSize: 2_500)).Should().Be(6_000);

			var batches = _logs.Of("LinqToDB.AuroraDsql.Batches").ToList();
			batches.Where(e => e.EventId.Id == 2001).Select(e => ((int)e["Rows"]!, (long)e["Total"]!)).Should().Equal((2_500, 2_500L), (2_500, 5_000L), (1_000, 6_000L));
			batches.Should().ContainSingle(e => e.EventId.Id == 2002 && e.Level == LogLevel.Information)
				.Which.Message.Should().Be($"DeleteInBatches of {items.TableName} finished: 6000 rows in 3 batches");
		}
		finally
		{
			await items.DropAsync();
		}
	}

	[Test]
	public async Task ARefusedCommandIsAWarningThatNamesTheRuleNotTheCommand()
	{
		await using var db = new DataConnection(_options);

		FluentActions.Invoking(() => db.Execute("SAVEPOINT secret_savepoint_name")).Should().Throw<AuroraDsqlNotSupportedException>();

		var refusal = _logs.Of("LinqToDB.AuroraDsql.Commands").Should().ContainSingle(e => e.EventId.Id == 5001).Which;
		refusal.Level.Should().Be(LogLevel.Warning);
		refusal["SqlState"].Should().Be("0A000");
		refusal.Message.Should().NotContain("secret_savepoint_name");
	}

	[Test]
	public async Task JobWaitsAreLoggedFromStartToCompletion()
	{
		await using var db = new DataConnection(_options);

		try
		{
			var job = (await db.EnsureSchemaAsync<Indexed>()).Should().ContainSingle().Which;
			await db.WaitForJobAsync(job.JobId, TimeSpan.FromMinutes(1));

			var schema = _logs.Of("LinqToDB.AuroraDsql.Schema").Where(e => Equals(e["JobId"], job.JobId) && e.EventId.Id is >= 4001 and <= 4005).ToList();
			schema.First().EventId.Id.Should().Be(4001);
			schema.First().Level.Should().Be(LogLevel.Information);
			schema.Last().EventId.Id.Should().Be(4003);
			schema.Where(e => e.EventId.Id == 4002).Select(e => e["Status"]).Should().EndWith("completed");
		}
		finally
		{
			await db.DropTableAsync<Indexed>(tableOptions: TableOptions.DropIfExists);
		}
	}

	[Test]
	public async Task NpgsqlsDataSourceLogsToTheSameFactory()
	{
		await using var db = new DataConnection(_options);
		await db.ExecuteAsync("SELECT 1");

		_logs.Entries.Should().Contain(e => e.Category.StartsWith("Npgsql", StringComparison.Ordinal), "the data source was built with the logger factory");
	}

	[Test]
	public async Task NothingLoggedAtTraceCarriesATokenOrTheSecretKey()
	{
		// Everything that signs, connects, retries, copies, batches, refuses and waits, with every logger at Trace.
		var signing = TestDatabase.SigningCredentials();

		await using (var db = new DataConnection(_options))
		await using (var rival = TestDatabase.Connect())
		{
			var items = await ItemsAsync(db, 3_500);

			try
			{
				await db.InTransactionAsync(LosingTheFirstAttempt(items.TableName, 1, rival), _fast);

				await items.UpdateInBatchesAsync(i => i.Id < 10, i => new Item { Name = "y" });
				await items.DeleteInBatchesAsync(i => i.Id > 3_000);
				await items.TruncateAsync();
				FluentActions.Invoking(() => db.Execute("LOCK TABLE " + items.TableName)).Should().Throw<AuroraDsqlNotSupportedException>();

				await db.EnsureSchemaAsync<Indexed>(new AuroraDsqlEnsureSchemaOptions { WaitForIndexes = true, WaitTimeout = TimeSpan.FromMinutes(1) });
			}
			finally
			{
				await items.DropAsync();
				await db.DropTableAsync<Indexed>(tableOptions: TableOptions.DropIfExists);
			}
		}

		// A login that fails (a token signed with another key) is logged by Npgsql too.
		var wrongKey = new DataOptions().UseAuroraDsql(TestDatabase.HostName, o => TestDatabase.Configure(o) with
		{
			LoggerFactory = _logs,
			Credentials   = new Amazon.Runtime.BasicAWSCredentials(signing.AccessKey, "not-the-secret-key-0000000000000000000000"),
		});
		await using (var refused = new DataConnection(wrongKey))
			await FluentActions.Awaiting(() => refused.ExecuteAsync("SELECT 1")).Should().ThrowAsync<PostgresException>();

		var entries = _logs.Entries;
		entries.Should().Contain(e => e.Level == LogLevel.Trace, "Npgsql and the provider logged at Trace");
		entries.Select(e => e.Category).Should().Contain(c => c.StartsWith("LinqToDB.AuroraDsql.", StringComparison.Ordinal))
			.And.Contain(c => c.StartsWith("Npgsql", StringComparison.Ordinal));

		foreach (var entry in entries)
		{
			var text = entry.AllText();
			text.Should().NotContain(signing.SecretKey).And.NotContain(signing.AccessKey)
				.And.NotContainEquivalentOf("X-Amz-Signature").And.NotContainEquivalentOf("X-Amz-Credential").And.NotContainEquivalentOf("X-Amz-Security-Token")
				.And.NotContain("Action=DbConnect", "that is how every token begins after its host");
		}
	}
}
