using System.Data;
using Npgsql;
using NpgsqlTypes;

using static AuroraDsql.Local.Tests.EndpointFixture;

namespace AuroraDsql.Local.Tests.Rules;

/// <summary>
/// DSQL's per-transaction limits through an endpoint configured with small ones (10 rows, 4,096 bytes, a fake clock for the
/// age): rows actually changed, counted in the backend (autocommit included, cascades and COPY too), bytes checked at
/// COMMIT, age. One test uses the real 3,000 rows on the shared endpoint.
/// </summary>
public sealed class LimitTests
{
	const string RowLimit = "transaction row limit exceeded";

	LocalDsqlEndpoint _endpoint = null!;
	readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 10, 1, 12, 0, 0, TimeSpan.Zero));

	[OneTimeSetUp]
	public async Task StartAsync() => _endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
	{
		MaxRowsPerTransaction  = 10,
		MaxBytesPerTransaction = 4096,
		MaxTransactionAge      = TimeSpan.FromSeconds(30),
		TimeProvider           = _clock,
	});

	[OneTimeTearDown]
	public async Task StopAsync() => await _endpoint.DisposeAsync();

	async Task<NpgsqlConnection> OpenAsync() => await EndpointFixture.OpenAsync(endpoint: _endpoint);

	static async Task<string> CreateTableAsync(NpgsqlConnection connection, string columns = "id int PRIMARY KEY, v text")
	{
		var table = EndpointFixture.UniqueName("lim");
		await ExecuteAsync(connection, $"CREATE TABLE {table} ({columns})");
		return table;
	}

	static async Task<long> CountAsync(NpgsqlConnection connection, string table)
	{
		await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
		return (long)(await command.ExecuteScalarAsync())!;
	}

	static async Task ShouldFailAsync(Func<Task> act, string sqlState, string message)
	{
		var error = (await act.Should().ThrowAsync<PostgresException>()).Which;
		(error.SqlState, error.MessageText).Should().Be((sqlState, message));
	}

	[Test]
	public async Task TheStatementCrossingTheRowLimitFailsAndTheTransactionRollsBack()
	{
		await using var connection = await OpenAsync();
		var table = await CreateTableAsync(connection);

		await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			(await ExecuteAsync(connection, $"INSERT INTO {table} SELECT g, 'x' FROM generate_series(1, 6) g", transaction)).Should().Be(6);
			(await ExecuteAsync(connection, $"UPDATE {table} SET v = 'y' WHERE id <= 4", transaction)).Should().Be(4);
			await ShouldFailAsync(() => ExecuteAsync(connection, $"DELETE FROM {table} WHERE id = 1", transaction), "54000", RowLimit);
			await ShouldFailAsync(() => ExecuteAsync(connection, "SELECT 1", transaction), "25P02",
				"current transaction is aborted, commands ignored until end of transaction block");
			await transaction.RollbackAsync();
		}

		(await CountAsync(connection, table)).Should().Be(0);
	}

	[Test]
	public async Task ExactlyTheLimitPassesAndRowsNotChangedDoNotCount()
	{
		await using var connection = await OpenAsync();
		var table = await CreateTableAsync(connection);

		await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			await ExecuteAsync(connection, $"INSERT INTO {table} SELECT g, 'x' FROM generate_series(1, 10) g", transaction);
			(await ExecuteAsync(connection, $"UPDATE {table} SET v = 'z' WHERE false", transaction)).Should().Be(0);
			(await ExecuteAsync(connection, $"DELETE FROM {table} WHERE id > 100", transaction)).Should().Be(0);
			await transaction.CommitAsync();
		}

		(await CountAsync(connection, table)).Should().Be(10);
	}

	[Test]
	public async Task AnAutocommitStatementOverTheLimitChangesNothing()
	{
		await using var connection = await OpenAsync();
		var table = await CreateTableAsync(connection);
		await ShouldFailAsync(() => ExecuteAsync(connection, $"INSERT INTO {table} SELECT g, 'x' FROM generate_series(1, 11) g"), "54000", RowLimit);
		(await CountAsync(connection, table)).Should().Be(0);

		// each autocommit statement is its own transaction
		for (var k = 0; k < 3; k++)
			await ExecuteAsync(connection, $"INSERT INTO {table} SELECT g, 'x' FROM generate_series({k * 10 + 1}, {k * 10 + 10}) g");
		(await CountAsync(connection, table)).Should().Be(30);
	}

	[Test]
	public async Task CascadedDeletesCount()
	{
		await using var connection = await OpenAsync();
		var parent = await CreateTableAsync(connection, "id int PRIMARY KEY");
		var child = await CreateTableAsync(connection, $"id int PRIMARY KEY, p int REFERENCES {parent} (id) ON DELETE CASCADE");
		await ExecuteAsync(connection, $"INSERT INTO {parent} VALUES (1)");
		await ExecuteAsync(connection, $"INSERT INTO {child} SELECT g, 1 FROM generate_series(1, 10) g");

		// 1 parent row + 10 cascaded child rows
		await ShouldFailAsync(() => ExecuteAsync(connection, $"DELETE FROM {parent}"), "54000", RowLimit);
		(await CountAsync(connection, child)).Should().Be(10);
	}

	[Test]
	public async Task CopyCounts()
	{
		await using var connection = await OpenAsync();
		var table = await CreateTableAsync(connection);

		var act = async () =>
		{
			await using var importer = await connection.BeginBinaryImportAsync($"COPY {table} (id, v) FROM STDIN (FORMAT BINARY)");
			for (var k = 1; k <= 11; k++)
				await importer.WriteRowAsync(CancellationToken.None, k, "r");
			await importer.CompleteAsync();
		};
		await ShouldFailAsync(act, "54000", RowLimit);
		(await CountAsync(connection, table)).Should().Be(0);
	}

	[Test]
	public async Task EachCopyInATransactionCountsItsOwnRows()
	{
		await using var connection = await OpenAsync();
		var table = await CreateTableAsync(connection);

		async Task CopyAsync(int from, int count)
		{
			await using var importer = await connection.BeginBinaryImportAsync($"COPY {table} (id, v) FROM STDIN (FORMAT BINARY)");
			for (var k = from; k < from + count; k++)
				await importer.WriteRowAsync(CancellationToken.None, k, "r");
			await importer.CompleteAsync();
		}

		await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			await CopyAsync(1, 2);
			await CopyAsync(3, 7);
			(await ScalarAsync(connection, $"SELECT count(*) FROM {table}")).Should().Be(9L);
			await ShouldFailAsync(() => CopyAsync(10, 2), "54000", RowLimit);
		}

		(await CountAsync(connection, table)).Should().Be(0);
	}

	[Test]
	public async Task CopiedBytesCountTowardTheSizeLimit()
	{
		await using var connection = await OpenAsync();
		var table = await CreateTableAsync(connection);

		await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			// COPY counts the bytes the client sent (about 3,000 here), INSERT the new row image (about 2,000)
			await using (var writer = await connection.BeginTextImportAsync($"COPY {table} (id, v) FROM STDIN"))
				await writer.WriteAsync("1\t" + new string('a', 3000) + "\n");
			await ExecuteAsync(connection, $"INSERT INTO {table} VALUES (2, repeat('b', 2000))", transaction);
			var commit = () => transaction.CommitAsync();
			await ShouldFailAsync(commit, "54000", "transaction size limit 4096b exceeded");
		}

		(await CountAsync(connection, table)).Should().Be(0);

		await using (var writer = await connection.BeginTextImportAsync($"COPY {table} (id, v) FROM STDIN"))
			await writer.WriteAsync("3\t" + new string('c', 3000) + "\n");
		(await CountAsync(connection, table)).Should().Be(1);
	}

	[Test]
	public async Task ACopyWhoseBytesSentCouldCrossTheSizeLimitCountsItsStoredRows()
	{
		// 10 rows of 120 null columns: about 4,900 bytes on the wire (4-byte lengths), a few hundred stored
		await using var connection = await OpenAsync();
		var table = await CreateTableAsync(connection, "id int PRIMARY KEY, " + string.Join(", ", Enumerable.Range(1, 120).Select(i => $"c{i} int")));

		await using (var importer = await connection.BeginBinaryImportAsync($"COPY {table} FROM STDIN (FORMAT BINARY)"))
		{
			for (var k = 1; k <= 10; k++)
			{
				await importer.StartRowAsync();
				await importer.WriteAsync(k, NpgsqlDbType.Integer);
				for (var c = 0; c < 120; c++)
					await importer.WriteNullAsync();
			}

			(await importer.CompleteAsync()).Should().Be(10UL);
		}

		(await CountAsync(connection, table)).Should().Be(10);
	}

	[Test]
	public async Task ModifiedBytesOverTheLimitFailTheCommit()
	{
		await using var connection = await OpenAsync();
		var table = await CreateTableAsync(connection);

		await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			await ExecuteAsync(connection, $"INSERT INTO {table} VALUES (1, repeat('a', 3000))", transaction);
			await ExecuteAsync(connection, $"INSERT INTO {table} VALUES (2, repeat('b', 3000))", transaction);
			var commit = () => transaction.CommitAsync();
			await ShouldFailAsync(commit, "54000", "transaction size limit 4096b exceeded");
		}

		(await CountAsync(connection, table)).Should().Be(0);
		await ShouldFailAsync(() => ExecuteAsync(connection, $"INSERT INTO {table} VALUES (3, repeat('c', 5000))"), "54000", "transaction size limit 4096b exceeded");
		(await CountAsync(connection, table)).Should().Be(0);
		(await ExecuteAsync(connection, $"INSERT INTO {table} VALUES (4, repeat('d', 3000))")).Should().Be(1);
	}

	[Test]
	public async Task OldTransactionsFailAndEndRolledBack()
	{
		var (client, _) = await RawPgClient.ConnectAsync(_endpoint);
		await using var __ = client;
		await using var connection = await OpenAsync();
		var table = await CreateTableAsync(connection);
		const string Age = "E(54000: transaction age limit of 30s exceeded)";

		await client.QueryAsync("BEGIN");
		await client.QueryAsync($"INSERT INTO {table} VALUES (1, 'x')");
		_clock.Advance(TimeSpan.FromSeconds(31));
		(await client.QueryAsync("SELECT 1")).Select(m => m.ToString()).Should().Equal(Age, "Z(E)");
		(await client.QueryAsync("COMMIT")).Select(m => m.ToString()).Should().Equal("C(ROLLBACK)", "Z(I)");

		await client.QueryAsync("BEGIN");
		await client.QueryAsync($"INSERT INTO {table} VALUES (2, 'x')");
		_clock.Advance(TimeSpan.FromSeconds(31));
		(await client.QueryAsync("COMMIT")).Select(m => m.ToString()).Should().Equal(Age, "Z(I)");

		(await CountAsync(connection, table)).Should().Be(0);
		(await client.QueryAsync("SELECT 1")).Last().ToString().Should().Be("Z(I)");
	}

	[Test]
	public async Task InternalTablesAndDirectBackendSessionsAreNotLimited()
	{
		await using var connection = await OpenAsync();
		var table = await CreateTableAsync(connection);
		await using var backend = await EndpointFixture.OpenBackendAsync(_endpoint);
		(await ExecuteAsync(backend, $"INSERT INTO {table} SELECT g, 'x' FROM generate_series(1, 100) g")).Should().Be(100);

		// the limit triggers are on the table, owned by the endpoint
		await using var triggers = new NpgsqlCommand($"SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = '{table}'::regclass", backend);
		(await triggers.ExecuteScalarAsync()).Should().Be("aurora_dsql_rows_delete,aurora_dsql_rows_insert,aurora_dsql_rows_update");
	}

	[Test]
	public async Task TheRealLimitIs3000RowsAndA3000RowBinaryCopyPasses()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var table = EndpointFixture.UniqueName("lim3000");
		await ExecuteAsync(connection, $"CREATE TABLE {table} (id int PRIMARY KEY, v text, d timestamptz)");

		async Task CopyAsync(int from, int count)
		{
			await using var importer = await connection.BeginBinaryImportAsync($"COPY {table} (id, v, d) FROM STDIN (FORMAT BINARY)");
			for (var k = from; k < from + count; k++)
			{
				await importer.StartRowAsync();
				await importer.WriteAsync(k, NpgsqlDbType.Integer);
				await importer.WriteAsync("row " + k, NpgsqlDbType.Text);
				await importer.WriteAsync(DateTime.UtcNow, NpgsqlDbType.TimestampTz);
			}

			await importer.CompleteAsync();
		}

		await CopyAsync(1, 3000);
		(await CountAsync(connection, table)).Should().Be(3000);
		await ShouldFailAsync(() => CopyAsync(10001, 3001), "54000", RowLimit);
		(await CountAsync(connection, table)).Should().Be(3000);
	}

	[Test]
	public async Task RowsOver2MibAreRefused()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var table = EndpointFixture.UniqueName("big");
		await ExecuteAsync(connection, $"CREATE TABLE {table} (id int PRIMARY KEY, v text)");
		await ShouldFailAsync(() => ExecuteAsync(connection, $"INSERT INTO {table} VALUES (1, repeat('x', 2200000))"), "54000", "maximum row size exceeded");
		(await ExecuteAsync(connection, $"INSERT INTO {table} VALUES (2, repeat('x', 1000000))")).Should().Be(1);

		async Task CopyAsync(int id, int length)
		{
			await using var writer = await connection.BeginTextImportAsync($"COPY {table} (id, v) FROM STDIN");
			await writer.WriteAsync($"{id}\t{new string('y', length)}\n");
		}

		await ShouldFailAsync(() => CopyAsync(3, 2_200_000), "54000", "maximum row size exceeded");
		await CopyAsync(4, 1_000_000);
		(await ScalarAsync(connection, $"SELECT string_agg(id::text, ',' ORDER BY id) FROM {table}")).Should().Be("2,4");
	}
}
