using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace AuroraDsql.Local.Tests.Protocol;

/// <summary>Relaying: simple and extended protocol, pipelining, COPY, cancel, notices, disconnects.</summary>
public sealed class ProtocolTests
{
	static LocalDsqlEndpoint Endpoint => EndpointFixture.Endpoint;

	[Test]
	public async Task SimpleMultiStatementQueryKeepsEveryResponseInOrder()
	{
		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var __ = client;

		var messages = await client.QueryAsync("SELECT 1 AS a; ; SELECT 'x;y' AS b; SELECT version()");
		messages.Select(m => m.ToString()).Should().Equal("T", "D(1)", "C(SELECT 1)", "T", "D(x;y)", "C(SELECT 1)", "T", "D(PostgreSQL 16)", "C(SELECT 1)", "Z(I)");

		(await client.QueryAsync("")).Select(m => m.Type).Should().Equal('I', 'Z');

		var failed = await client.QueryAsync("SELECT 1; SELECT 1/0; SELECT 2");
		failed.Select(m => m.Type).Should().Equal('T', 'D', 'C', 'E', 'Z');
		failed[3].Fields['C'].Should().Be("22012");
	}

	[Test]
	public async Task ExtendedProtocolWithParametersAndPipelinedSyncs()
	{
		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var __ = client;

		await client.SendAsync(
			RawPgClient.Parse("SELECT $1::int + 1 AS n", "s1"), RawPgClient.Bind("", "s1", "41"), RawPgClient.Describe('P'), RawPgClient.Execute(), RawPgClient.Sync(),
			RawPgClient.Bind("", "s1", "1"), RawPgClient.Execute(), RawPgClient.Sync(),
			RawPgClient.Parse("SELECT 1/0"), RawPgClient.Bind(), RawPgClient.Execute(), RawPgClient.Parse("SELECT 3"), RawPgClient.Bind(), RawPgClient.Execute(), RawPgClient.Sync(),
			RawPgClient.Parse("SELECT version()"), RawPgClient.Bind(), RawPgClient.Execute(), RawPgClient.Sync());

		var all = new List<RawPgClient.Message>();
		for (var k = 0; k < 4; k++)
			all.AddRange(await client.ReadUntilReadyAsync());

		all.Select(m => m.ToString()).Should().Equal(
			"1", "2", "T", "D(42)", "C(SELECT 1)", "Z(I)",
			"2", "D(2)", "C(SELECT 1)", "Z(I)",
			"1", "E(22012: division by zero)", "Z(I)",
			"1", "2", "D(PostgreSQL 16)", "C(SELECT 1)", "Z(I)");
	}

	[Test]
	public async Task NpgsqlPipelinesBeginWithTheNextCommandAndBatches()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var table = EndpointFixture.UniqueName("pipe");
		await using (var create = new NpgsqlCommand($"CREATE TABLE {table} (id int PRIMARY KEY, v text)", connection))
			await create.ExecuteNonQueryAsync();

		await using (var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead))
		{
			await using var batch = new NpgsqlBatch(connection, transaction)
			{
				BatchCommands =
				{
					new NpgsqlBatchCommand($"INSERT INTO {table} VALUES (1, 'a'), (2, 'b')"),
					new NpgsqlBatchCommand($"UPDATE {table} SET v = v || '!' WHERE id = 2"),
					new NpgsqlBatchCommand($"SELECT count(*) FROM {table}"),
				},
			};
			(await batch.ExecuteScalarAsync()).Should().Be(2L);
			batch.BatchCommands[0].RecordsAffected.Should().Be(2);
			batch.BatchCommands[1].RecordsAffected.Should().Be(1);
			await transaction.CommitAsync();
		}

		await using (var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead))
		{
			await using var insert = new NpgsqlCommand($"INSERT INTO {table} VALUES (3, 'c')", connection, transaction);
			await insert.ExecuteNonQueryAsync();
			await transaction.RollbackAsync();
		}

		await using var check = new NpgsqlCommand($"SELECT string_agg(v, ',' ORDER BY id) FROM {table}", connection);
		(await check.ExecuteScalarAsync()).Should().Be("a,b!");
	}

	[Test]
	public async Task ErrorsInsideABlockAbortIt()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
		var fail = () => new NpgsqlCommand("SELECT 1/0", connection, transaction).ExecuteScalarAsync();
		(await fail.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("22012");
		var next = () => new NpgsqlCommand("SELECT 1", connection, transaction).ExecuteScalarAsync();
		(await next.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("25P02");
		await transaction.RollbackAsync();

		await using var after = new NpgsqlCommand("SELECT 5", connection);
		(await after.ExecuteScalarAsync()).Should().Be(5);
	}

	[Test]
	public async Task CopyFromStdinTextAndBinaryAndCopyToStdout()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var table = EndpointFixture.UniqueName("copy");
		await using (var create = new NpgsqlCommand($"CREATE TABLE {table} (id int PRIMARY KEY, name text, data bytea)", connection))
			await create.ExecuteNonQueryAsync();

		await using (var writer = await connection.BeginTextImportAsync($"COPY {table} (id, name) FROM STDIN"))
		{
			for (var k = 1; k <= 1000; k++)
				await writer.WriteLineAsync($"{k}\tname {k}");
		}

		await using (var importer = await connection.BeginBinaryImportAsync($"COPY {table} (id, name, data) FROM STDIN (FORMAT BINARY)"))
		{
			for (var k = 1001; k <= 1500; k++)
			{
				await importer.StartRowAsync();
				await importer.WriteAsync(k, NpgsqlDbType.Integer);
				await importer.WriteAsync("binary " + k, NpgsqlDbType.Text);
				await importer.WriteAsync(new byte[300], NpgsqlDbType.Bytea);
			}

			(await importer.CompleteAsync()).Should().Be(500UL);
		}

		using (var reader = await connection.BeginTextExportAsync($"COPY (SELECT id, name FROM {table} ORDER BY id) TO STDOUT"))
		{
			var text = await reader.ReadToEndAsync();
			var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
			lines.Should().HaveCount(1500);
			lines[0].Should().Be("1\tname 1");
			lines[^1].Should().Be("1500\tbinary 1500");
		}

		await using (var exporter = await connection.BeginBinaryExportAsync($"COPY (SELECT id FROM {table} WHERE id > 1495 ORDER BY id) TO STDOUT (FORMAT BINARY)"))
		{
			var ids = new List<int>();
			while (await exporter.StartRowAsync() != -1)
				ids.Add(await exporter.ReadAsync<int>());
			ids.Should().Equal(1496, 1497, 1498, 1499, 1500);
		}

		await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
		(await count.ExecuteScalarAsync()).Should().Be(1500L);
	}

	[Test]
	public async Task CopyFailureFromTheClientIsRelayed()
	{
		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var __ = client;
		var table = EndpointFixture.UniqueName("copyfail");
		(await client.QueryAsync($"CREATE TABLE {table} (a int)")).Last().Type.Should().Be('Z');

		await client.SendAsync(RawPgClient.Build('Q', RawPgClient.CString($"COPY {table} FROM STDIN")));
		(await client.ReadAsync()).Type.Should().Be('G');
		await client.SendAsync(RawPgClient.Build('d', Encoding.UTF8.GetBytes("1\n")), RawPgClient.Build('f', RawPgClient.CString("client gave up")));
		var rest = await client.ReadUntilReadyAsync();
		rest[0].Fields['C'].Should().Be("57014");
		rest[0].Fields['M'].Should().Contain("client gave up");
	}

	[Test]
	public async Task CancelReachesTheRightBackendSession()
	{
		await using var busy = await EndpointFixture.OpenAsync();
		await using var other = await EndpointFixture.OpenAsync();

		var marker = EndpointFixture.UniqueName("sleeper");
		await using var sleep = new NpgsqlCommand($"SELECT pg_sleep(30) /* {marker} */", busy);
		var running = sleep.ExecuteScalarAsync();
		await WaitUntilRunningAsync(marker);
		sleep.Cancel();

		var act = async () => await running;
		var error = (await act.Should().ThrowAsync<OperationCanceledException>()).Which;
		error.InnerException.Should().BeOfType<PostgresException>().Which.SqlState.Should().Be("57014");

		await using var check = new NpgsqlCommand("SELECT 1", other);
		(await check.ExecuteScalarAsync()).Should().Be(1);
		await using var again = new NpgsqlCommand("SELECT 2", busy);
		(await again.ExecuteScalarAsync()).Should().Be(2);
	}

	static async Task WaitUntilRunningAsync(string marker)
	{
		await using var backend = await EndpointFixture.OpenBackendAsync();
		await using var count = new NpgsqlCommand($"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%{marker}%' AND pid <> pg_backend_pid()", backend);
		await Eventually.UntilAsync(async () => (long)(await count.ExecuteScalarAsync())! > 0, $"the query marked {marker} running on the backend");
	}

	[Test]
	public async Task CancelRequestWithoutTlsWithAWrongKeyIsIgnored()
	{
		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var __ = client;
		await client.SendAsync(RawPgClient.Build('Q', RawPgClient.CString("SELECT pg_sleep(0.5), 'done'")));

		await using (var cancel = await RawPgClient.OpenSocketAsync(Endpoint.Port))
		{
			await cancel.SendAsync(RawPgClient.CancelRequest(client.ProcessId, client.SecretKey + 1));
			(await cancel.IsClosedAsync(Eventually.SafetyLimit)).Should().BeTrue();
		}

		var result = await client.ReadUntilReadyAsync();
		result.Should().Contain(m => m.Type == 'D');
	}

	[Test]
	public async Task NoticesAndParameterStatusAreRelayed()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var notices = new List<string>();
		connection.Notice += (_, e) => notices.Add(e.Notice.MessageText);

		await using (var command = new NpgsqlCommand("DROP TABLE IF EXISTS no_such_table_for_notices", connection))
			await command.ExecuteNonQueryAsync();
		notices.Should().Equal("table \"no_such_table_for_notices\" does not exist, skipping");

		await using (var set = new NpgsqlCommand("SET application_name = 'relay-test'", connection))
			await set.ExecuteNonQueryAsync();
		connection.PostgresParameters["application_name"].Should().Be("relay-test");
	}

	[Test]
	public async Task ClientDisconnectMidQueryFreesTheBackendSession()
	{
		var marker = EndpointFixture.UniqueName("gone");
		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await client.SendAsync(RawPgClient.Build('Q', RawPgClient.CString($"SELECT pg_sleep(60) /* {marker} */")));
		await WaitUntilRunningAsync(marker);
		await client.DisposeAsync();

		await using var backend = await EndpointFixture.OpenBackendAsync();
		await using var count = new NpgsqlCommand($"SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%{marker}%' AND pid <> pg_backend_pid()", backend);
		await Eventually.UntilAsync(async () => (long)(await count.ExecuteScalarAsync())! == 0, "the backend session of the client that went away to end");
		var remaining = (long)(await count.ExecuteScalarAsync())!;

		remaining.Should().Be(0, "the backend session is ended when its client goes away, even mid-query");
	}

	[Test]
	public async Task ClientDisconnectDuringStartupAndTlsIsHarmless()
	{
		await using (var client = await RawPgClient.OpenSocketAsync(Endpoint.Port))
			await client.SendAsync(RawPgClient.SslRequest());

		await using (var client = await RawPgClient.OpenSocketAsync(Endpoint.Port))
		{
			await client.StartTlsAsync(Endpoint, direct: false);
			await client.SendStartupAsync("admin");
		}

		await using var connection = await EndpointFixture.OpenAsync();
		await using var command = new NpgsqlCommand("SELECT 1", connection);
		(await command.ExecuteScalarAsync()).Should().Be(1);
	}

	[Test]
	public async Task LargeRowsPassInBothDirections()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var payload = new string('x', 3_000_000);
		await using var command = new NpgsqlCommand("SELECT length(@p), repeat('y', 2000000)", connection);
		command.Parameters.AddWithValue("p", payload);
		await using var reader = await command.ExecuteReaderAsync();
		await reader.ReadAsync();
		reader.GetInt32(0).Should().Be(3_000_000);
		reader.GetString(1).Length.Should().Be(2_000_000);
	}
}
