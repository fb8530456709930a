using Amazon.Runtime;

using AuroraDsql.Local;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

using LinqToDB;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.AuroraDsql.Benchmarks;

/// <summary>
/// Loading 100,000 rows: one raw Npgsql binary COPY straight into the backend PostgreSQL (the baseline: what this machine
/// can do), the same hand-written COPY in 3,000-row transactions directly and through the endpoint (what DSQL's transaction
/// size costs by itself), the provider's chunked bulk copy through the endpoint (sequential and over 4 connections), and
/// row-by-row inserts through the endpoint. Ratios compare time per 100,000 rows.
/// </summary>
[Config(typeof(Config))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet's [GlobalCleanup] disposes them.")]
public class BulkCopyBenchmarks
{
	const int Rows = 100_000;

	[Table("bench_item")]
	public sealed class Item
	{
		[PrimaryKey] public int      Id      { get; set; }
		[Column, NotNull] public string Name { get; set; } = "";
		[Column(Precision = 12, Scale = 2)] public decimal Amount { get; set; }
		[Column]     public DateTime Created { get; set; }
	}

	sealed class Config : ManualConfig
	{
		public Config()
		{
			// One operation is long (100,000 rows) but runs each method a few times only: without tiered compilation the first
			// iterations are not measured at tier 0 (client, provider and the in-process endpoint alike).
			AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(7)
				.WithInvocationCount(1).WithUnrollFactor(1).WithEnvironmentVariable("DOTNET_TieredCompilation", "0"));
			Options |= ConfigOptions.DisableOptimizationsValidator;
		}
	}

	LocalDsqlEndpoint _endpoint = null!;
	NpgsqlDataSource _direct = null!;
	NpgsqlDataSource _viaEndpoint = null!;
	DataOptions _options = null!;
	Item[] _items = null!;

	[GlobalSetup]
	public async Task SetupAsync()
	{
		_endpoint = await LocalDsqlEndpoint.StartAsync();
		_direct   = NpgsqlDataSource.Create(_endpoint.BackendConnectionString);

		AuroraDsqlConnectionOptions Configure(AuroraDsqlConnectionOptions o) => o with
		{
			Port                = _endpoint.Port,
			Region              = _endpoint.Region,
			Credentials         = new BasicAWSCredentials(_endpoint.AccessKeyId, _endpoint.SecretAccessKey),
			RootCertificatePath = _endpoint.CaCertificatePath,
			MaxPoolSize         = 16,
		};

		_options     = new DataOptions().UseAuroraDsql(_endpoint.HostName, Configure);
		_viaEndpoint = AuroraDsqlTools.CreateDataSource(_endpoint.HostName, Configure);

		await using (var db = new DataConnection(_options))
			await db.CreateTableAsync<Item>(tableOptions: TableOptions.CreateIfNotExists);

		var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
		_items = Enumerable.Range(1, Rows)
			.Select(i => new Item { Id = i, Name = "item " + i.ToString("D8", System.Globalization.CultureInfo.InvariantCulture), Amount = i % 1000 + 0.25m, Created = start.AddSeconds(i) })
			.ToArray();
	}

	[IterationSetup]
	public void EmptyTable()
	{
		// Straight to the backend: the benchmark's own housekeeping is not measured and not subject to DSQL's rules.
		using var connection = _direct.OpenConnection();
		using var command = new NpgsqlCommand("TRUNCATE bench_item", connection);
		command.ExecuteNonQuery();
	}

	[GlobalCleanup]
	public async Task CleanupAsync()
	{
		await _direct.DisposeAsync();
		await _viaEndpoint.DisposeAsync();
		NpgsqlConnection.ClearAllPools();
		await _endpoint.DisposeAsync();
	}

	[Benchmark(Baseline = true, Description = "raw binary COPY, direct to PostgreSQL")]
	public async Task<ulong> RawBinaryCopyDirect()
	{
		await using var connection = await _direct.OpenConnectionAsync();
		return await RawCopyAsync(connection, 0, Rows);
	}

	[Benchmark(Description = "raw binary COPY, direct, 3,000-row transactions")]
	public Task<ulong> RawChunkedCopyDirect() => RawChunkedCopyAsync(_direct);

	[Benchmark(Description = "raw binary COPY, endpoint, 3,000-row transactions")]
	public Task<ulong> RawChunkedCopyEndpoint() => RawChunkedCopyAsync(_viaEndpoint);

	/// <summary>Hand-written Npgsql: the same rows in DSQL-sized transactions, one after the other (a reference, not a baseline).</summary>
	async Task<ulong> RawChunkedCopyAsync(NpgsqlDataSource dataSource)
	{
		await using var connection = await dataSource.OpenConnectionAsync();
		ulong copied = 0;

		for (var offset = 0; offset < Rows; offset += AuroraDsqlOptions.DsqlMaxRowsPerTransaction)
		{
			await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
			copied += await RawCopyAsync(connection, offset, Math.Min(Rows, offset + AuroraDsqlOptions.DsqlMaxRowsPerTransaction));
			await transaction.CommitAsync();
		}

		return copied;
	}

	async Task<ulong> RawCopyAsync(NpgsqlConnection connection, int from, int to)
	{
		await using var importer = await connection.BeginBinaryImportAsync("COPY bench_item (\"Id\", \"Name\", \"Amount\", \"Created\") FROM STDIN (FORMAT BINARY)");

		for (var i = from; i < to; i++)
		{
			var item = _items[i];
			await importer.StartRowAsync();
			await importer.WriteAsync(item.Id, NpgsqlTypes.NpgsqlDbType.Integer);
			await importer.WriteAsync(item.Name, NpgsqlTypes.NpgsqlDbType.Text);
			await importer.WriteAsync(item.Amount, NpgsqlTypes.NpgsqlDbType.Numeric);
			await importer.WriteAsync(item.Created, NpgsqlTypes.NpgsqlDbType.Timestamp);
		}

		return await importer.CompleteAsync();
	}

	[Benchmark(Description = "chunked bulk copy, endpoint, sequential")]
	public async Task<long> ChunkedSequential()
	{
		await using var db = new DataConnection(_options);
		return (await db.GetTable<Item>().BulkCopyAsync(_items)).RowsCopied;
	}

	[Benchmark(Description = "chunked bulk copy, endpoint, 4 connections")]
	public async Task<long> ChunkedParallel()
	{
		await using var db = new DataConnection(_options);
		return (await db.GetTable<Item>().BulkCopyAsync(new BulkCopyOptions { MaxDegreeOfParallelism = 4 }, _items)).RowsCopied;
	}

	[Benchmark(Description = "row-by-row inserts, endpoint")]
	public async Task<int> RowByRow()
	{
		await using var db = new DataConnection(_options);
		var count = 0;

		foreach (var item in _items)
			count += await db.InsertAsync(item);

		return count;
	}
}
