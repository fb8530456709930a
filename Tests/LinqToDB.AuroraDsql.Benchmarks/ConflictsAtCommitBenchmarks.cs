using AuroraDsql.Local;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

using Npgsql;

namespace LinqToDB.AuroraDsql.Benchmarks;

/// <summary>
/// What the endpoint's first-committer rule costs a transaction that meets no conflict: every transaction block is
/// recorded (its messages and a digest of its answers) so that it can be run again if it loses its rows while idle, and a
/// monitor watches for statements that wait on a row. Two endpoints in one run, with
/// <see cref="LocalDsqlEndpointOptions.ConflictsAtCommit"/> off (the baseline: PostgreSQL's own row locks) and on (the
/// default), each running a read-modify-write transaction and a transaction of 20 updates, with raw Npgsql and no latency.
/// </summary>
[Config(typeof(Config))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet's [GlobalCleanup] disposes them.")]
public class ConflictsAtCommitBenchmarks
{
	const int Accounts = 100;
	const int UpdatesPerTransaction = 20;

	sealed class Config : ManualConfig
	{
		public Config()
		{
			AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(15));
			Options |= ConfigOptions.DisableOptimizationsValidator;
		}
	}

	LocalDsqlEndpoint _plain = null!;
	LocalDsqlEndpoint _recorded = null!;
	NpgsqlDataSource _plainSource = null!;
	NpgsqlDataSource _recordedSource = null!;
	int _next;

	[GlobalSetup]
	public async Task SetupAsync()
	{
		_plain          = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { ConflictsAtCommit = false });
		_recorded       = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { ConflictsAtCommit = true });
		_plainSource    = NpgsqlDataSource.Create(_plain.CreateConnectionString());
		_recordedSource = NpgsqlDataSource.Create(_recorded.CreateConnectionString());

		foreach (var source in new[] { _plainSource, _recordedSource })
		{
			await using var connection = await source.OpenConnectionAsync();
			await using (var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS bench_conflict_account (id int PRIMARY KEY, balance bigint NOT NULL)", connection))
				await create.ExecuteNonQueryAsync();
			await using var fill = new NpgsqlCommand($"INSERT INTO bench_conflict_account SELECT i, 0 FROM generate_series(1, {Accounts}) i ON CONFLICT DO NOTHING", connection);
			await fill.ExecuteNonQueryAsync();
		}
	}

	[GlobalCleanup]
	public async Task CleanupAsync()
	{
		await _plainSource.DisposeAsync();
		await _recordedSource.DisposeAsync();
		NpgsqlConnection.ClearAllPools();
		await _plain.DisposeAsync();
		await _recorded.DisposeAsync();
	}

	int NextId() => _next++ % Accounts + 1;

	async Task ReadModifyWriteAsync(NpgsqlDataSource source)
	{
		var id = NextId();
		await using var connection = await source.OpenConnectionAsync();
		await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);

		long balance;
		await using (var read = new NpgsqlCommand("SELECT balance FROM bench_conflict_account WHERE id = $1", connection, transaction))
		{
			read.Parameters.Add(new NpgsqlParameter { Value = id });
			balance = (long)(await read.ExecuteScalarAsync())!;
		}

		await using (var write = new NpgsqlCommand("UPDATE bench_conflict_account SET balance = $1 WHERE id = $2", connection, transaction))
		{
			write.Parameters.Add(new NpgsqlParameter { Value = balance + 1 });
			write.Parameters.Add(new NpgsqlParameter { Value = id });
			await write.ExecuteNonQueryAsync();
		}

		await transaction.CommitAsync();
	}

	async Task UpdatesAsync(NpgsqlDataSource source)
	{
		await using var connection = await source.OpenConnectionAsync();
		await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
		await using var write = new NpgsqlCommand("UPDATE bench_conflict_account SET balance = balance + 1 WHERE id = $1", connection, transaction);
		var id = new NpgsqlParameter<int>();
		write.Parameters.Add(id);

		for (var k = 0; k < UpdatesPerTransaction; k++)
		{
			id.TypedValue = NextId();
			await write.ExecuteNonQueryAsync();
		}

		await transaction.CommitAsync();
	}

	[Benchmark(Baseline = true, Description = "read-modify-write, conflicts at commit off")]
	[BenchmarkCategory("read-modify-write")]
	public Task ReadModifyWritePlain() => ReadModifyWriteAsync(_plainSource);

	[Benchmark(Description = "read-modify-write, conflicts at commit on")]
	[BenchmarkCategory("read-modify-write")]
	public Task ReadModifyWriteRecorded() => ReadModifyWriteAsync(_recordedSource);

	[Benchmark(Baseline = true, Description = "20 updates in a transaction, conflicts at commit off")]
	[BenchmarkCategory("20 updates")]
	public Task UpdatesPlain() => UpdatesAsync(_plainSource);

	[Benchmark(Description = "20 updates in a transaction, conflicts at commit on")]
	[BenchmarkCategory("20 updates")]
	public Task UpdatesRecorded() => UpdatesAsync(_recordedSource);
}
