using Amazon.Runtime;

using AuroraDsql.Local;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

using LinqToDB;
using LinqToDB.Async;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.AuroraDsql.Benchmarks;

/// <summary>
/// Under DSQL-like latency (the endpoint holds every answer 1 ms, a commit's 3 ms more): a single-row read, a
/// read-modify-write transaction and a 10,000-row load, each by the provider and by hand-written Npgsql doing the fewest
/// round trips that shape of work allows (the baseline of its category), by AWS's DSQL connector for node-postgres
/// (<see cref="NodeConnectorWorker"/>), and the load by the provider sequentially and over 4 connections. On DSQL round
/// trips, not CPU, decide these times.
/// </summary>
[Config(typeof(Config))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet's [GlobalCleanup] disposes them.")]
public class LatencyBenchmarks
{
	const int LoadRows = 10_000;
	const int Operations = 20;

	[Table("bench_latency_account")]
	public sealed class Account
	{
		[PrimaryKey] public int  Id      { get; set; }
		[Column]     public long Balance { get; set; }
	}

	[Table("bench_latency_item")]
	public sealed class Item
	{
		[PrimaryKey] public int Id { get; set; }
		[Column, NotNull] public string Name { get; set; } = "";
	}

	sealed class Config : ManualConfig
	{
		public Config()
		{
			// Each invocation waits on the endpoint's held answers, not on the CPU: few, long invocations are enough. The
			// warm-up is long enough for the runtime's tiered compilation to finish with the code each one runs (a few
			// hundred operations): measured earlier, the first ones time the JIT, not the work.
			AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(15).WithIterationCount(10)
				.WithInvocationCount(1).WithUnrollFactor(1));
			Options |= ConfigOptions.DisableOptimizationsValidator;
		}
	}

	LocalDsqlEndpoint _endpoint = null!;
	NpgsqlDataSource _direct = null!;
	NpgsqlDataSource _npgsql = null!;
	DataOptions _options = null!;
	Item[] _items = null!;
	NodeConnectorWorker _node = null!;
	int _next;

	[GlobalSetup]
	public async Task SetupAsync()
	{
		_endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
		{
			NetworkLatency = TimeSpan.FromMilliseconds(1),
			CommitLatency  = TimeSpan.FromMilliseconds(3),
		});
		_direct = NpgsqlDataSource.Create(_endpoint.BackendConnectionString);

		AuroraDsqlConnectionOptions Configure(AuroraDsqlConnectionOptions o) => o with
		{
			Port                = _endpoint.Port,
			Region              = _endpoint.Region,
			Credentials         = new BasicAWSCredentials(_endpoint.AccessKeyId, _endpoint.SecretAccessKey),
			RootCertificatePath = _endpoint.CaCertificatePath,
			MaxPoolSize         = 16,
		};

		_options = new DataOptions().UseAuroraDsql(_endpoint.HostName, Configure);
		_npgsql  = AuroraDsqlTools.CreateDataSource(_endpoint.HostName, Configure);

		await using (var db = new DataConnection(_options))
		{
			await db.CreateTableAsync<Account>(tableOptions: TableOptions.CreateIfNotExists);
			await db.CreateTableAsync<Item>(tableOptions: TableOptions.CreateIfNotExists);
			await db.GetTable<Account>().BulkCopyAsync(Enumerable.Range(1, 100).Select(i => new Account { Id = i, Balance = 0 }));
		}

		_node = NodeConnectorWorker.Start(_endpoint);

		_items = [.. Enumerable.Range(1, LoadRows).Select(i => new Item { Id = i, Name = "item " + i.ToString("D8", System.Globalization.CultureInfo.InvariantCulture) })];
	}

	[IterationSetup(Targets = [nameof(RawLoad), nameof(ProviderLoadSequential), nameof(ProviderLoadParallel), nameof(NodeConnectorLoad)])]
	public void EmptyTable()
	{
		// Straight to the backend: housekeeping is not measured.
		using var connection = _direct.OpenConnection();
		using var command = new NpgsqlCommand("TRUNCATE bench_latency_item", connection);
		command.ExecuteNonQuery();
	}

	[GlobalCleanup]
	public async Task CleanupAsync()
	{
		await _node.DisposeAsync();
		await _direct.DisposeAsync();
		await _npgsql.DisposeAsync();
		NpgsqlConnection.ClearAllPools();
		await _endpoint.DisposeAsync();
	}

	int NextId() => _next++ % 100 + 1;

	// ---- a single-row read: one round trip

	[Benchmark(Baseline = true, OperationsPerInvoke = Operations, Description = "single-row read, raw Npgsql")]
	[BenchmarkCategory("read")]
	public async Task<long> RawRead()
	{
		long sum = 0;
		for (var k = 0; k < Operations; k++)
		{
			await using var connection = await _npgsql.OpenConnectionAsync();
			await using var command = new NpgsqlCommand("SELECT \"Id\", \"Balance\" FROM bench_latency_account WHERE \"Id\" = $1 LIMIT 1", connection);
			command.Parameters.Add(new NpgsqlParameter { Value = NextId() });
			await using var reader = await command.ExecuteReaderAsync();
			await reader.ReadAsync();
			sum += reader.GetInt64(1);
		}

		return sum;
	}

	[Benchmark(OperationsPerInvoke = Operations, Description = "single-row read, provider")]
	[BenchmarkCategory("read")]
	public async Task<long> ProviderRead()
	{
		long sum = 0;
		for (var k = 0; k < Operations; k++)
		{
			var id = NextId();
			await using var db = new DataConnection(_options);
			sum += (await db.GetTable<Account>().FirstAsync(a => a.Id == id)).Balance;
		}

		return sum;
	}

	[Benchmark(OperationsPerInvoke = Operations, Description = "single-row read, AWS node-postgres connector")]
	[BenchmarkCategory("read")]
	public Task<string> NodeConnectorRead() => _node.RunAsync($"read {Operations}");

	// ---- a read-modify-write transaction: BEGIN with the read, the update, COMMIT

	[Benchmark(Baseline = true, OperationsPerInvoke = Operations, Description = "read-modify-write, raw Npgsql")]
	[BenchmarkCategory("read-modify-write")]
	public async Task RawReadModifyWrite()
	{
		for (var k = 0; k < Operations; k++)
		{
			var id = NextId();
			await using var connection = await _npgsql.OpenConnectionAsync();
			await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);

			long balance;
			await using (var read = new NpgsqlCommand("SELECT \"Balance\" FROM bench_latency_account WHERE \"Id\" = $1", connection, transaction))
			{
				read.Parameters.Add(new NpgsqlParameter { Value = id });
				balance = (long)(await read.ExecuteScalarAsync())!;
			}

			await using (var write = new NpgsqlCommand("UPDATE bench_latency_account SET \"Balance\" = $1 WHERE \"Id\" = $2", connection, transaction))
			{
				write.Parameters.Add(new NpgsqlParameter { Value = balance + 1 });
				write.Parameters.Add(new NpgsqlParameter { Value = id });
				await write.ExecuteNonQueryAsync();
			}

			await transaction.CommitAsync();
		}
	}

	[Benchmark(OperationsPerInvoke = Operations, Description = "read-modify-write, provider InTransactionAsync")]
	[BenchmarkCategory("read-modify-write")]
	public async Task ProviderReadModifyWrite()
	{
		for (var k = 0; k < Operations; k++)
		{
			var id = NextId();
			await using var db = new DataConnection(_options);
			await db.InTransactionAsync(async (tx, ct) =>
			{
				var account = await tx.GetTable<Account>().FirstAsync(a => a.Id == id, ct);
				await tx.GetTable<Account>().Where(a => a.Id == id).Set(a => a.Balance, account.Balance + 1).UpdateAsync(ct);
			});
		}
	}

	[Benchmark(OperationsPerInvoke = Operations, Description = "read-modify-write, AWS node-postgres connector pool.transaction")]
	[BenchmarkCategory("read-modify-write")]
	public Task<string> NodeConnectorReadModifyWrite() => _node.RunAsync($"rmw {Operations}");

	// ---- a 10,000-row load in DSQL-sized transactions

	[Benchmark(Baseline = true, Description = "10,000-row load, raw Npgsql binary COPY, 3,000-row transactions")]
	[BenchmarkCategory("load")]
	public async Task<ulong> RawLoad()
	{
		await using var connection = await _npgsql.OpenConnectionAsync();
		ulong copied = 0;

		for (var offset = 0; offset < LoadRows; offset += AuroraDsqlOptions.DsqlMaxRowsPerTransaction)
		{
			await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
			await using (var importer = await connection.BeginBinaryImportAsync("COPY bench_latency_item (\"Id\", \"Name\") FROM STDIN (FORMAT BINARY)"))
			{
				for (var i = offset; i < Math.Min(LoadRows, offset + AuroraDsqlOptions.DsqlMaxRowsPerTransaction); i++)
				{
					await importer.StartRowAsync();
					await importer.WriteAsync(_items[i].Id, NpgsqlTypes.NpgsqlDbType.Integer);
					await importer.WriteAsync(_items[i].Name, NpgsqlTypes.NpgsqlDbType.Text);
				}

				copied += await importer.CompleteAsync();
			}

			await transaction.CommitAsync();
		}

		return copied;
	}

	[Benchmark(Description = "10,000-row load, provider bulk copy, sequential")]
	[BenchmarkCategory("load")]
	public async Task<long> ProviderLoadSequential()
	{
		await using var db = new DataConnection(_options);
		return (await db.GetTable<Item>().BulkCopyAsync(_items)).RowsCopied;
	}

	[Benchmark(Description = "10,000-row load, provider bulk copy, 4 connections")]
	[BenchmarkCategory("load")]
	public async Task<long> ProviderLoadParallel()
	{
		await using var db = new DataConnection(_options);
		return (await db.GetTable<Item>().BulkCopyAsync(new BulkCopyOptions { MaxDegreeOfParallelism = 4 }, _items)).RowsCopied;
	}

	[Benchmark(Description = "10,000-row load, AWS node-postgres connector, multi-row INSERT per 3,000-row transaction")]
	[BenchmarkCategory("load")]
	public Task<string> NodeConnectorLoad() => _node.RunAsync($"load {LoadRows} {AuroraDsqlOptions.DsqlMaxRowsPerTransaction}");
}
