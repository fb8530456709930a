using System.Text;
using Npgsql;

namespace AuroraDsql.Local.Tests.Protocol;

/// <summary>
/// DSQL speaks UTF-8, and the endpoint reads statements as UTF-8: every way to another client encoding is closed, so the
/// rules always see what the server executes.
/// </summary>
public sealed class ClientEncodingTests
{
	static LocalDsqlEndpoint Endpoint => EndpointFixture.Endpoint;

	[TestCase("SET client_encoding = 'SJIS'", "SJIS")]
	[TestCase("SET NAMES 'SJIS'", "SJIS")]
	[TestCase("SET SESSION client_encoding TO big5", "big5")]
	[TestCase("SELECT set_config('client_encoding', 'SJIS', false)", "SJIS")]
	public async Task RefusesAClientEncodingOtherThanUtf8(string sql, string encoding)
	{
		await using var connection = await EndpointFixture.OpenAsync();
		await using var command = new NpgsqlCommand(sql, connection);
		var error = (await FluentActions.Awaiting(() => command.ExecuteNonQueryAsync()).Should().ThrowAsync<PostgresException>()).Which;
		(error.SqlState, error.MessageText).Should().Be(("22023", $"invalid value for parameter \"client_encoding\": \"{encoding}\""));
		(await EndpointFixture.ScalarAsync(connection, "SHOW client_encoding")).Should().Be("UTF8");
	}

	[TestCase("utf-8")]
	[TestCase("UNICODE")]
	[TestCase("SQL_ASCII")]
	public async Task AcceptsTheNamesOfUtf8(string encoding)
	{
		await using var connection = await EndpointFixture.OpenAsync();
		await EndpointFixture.ExecuteAsync(connection, $"SET client_encoding = '{encoding}'");
		(await EndpointFixture.ScalarAsync(connection, "SELECT 'ok'")).Should().Be("ok");
	}

	[Test]
	public async Task RefusesAnotherClientEncodingAtLogin()
	{
		var client = await RawPgClient.OpenSocketAsync(Endpoint.Port);
		await using var _ = client;
		await client.StartTlsAsync(Endpoint, direct: false);
		var messages = await client.LoginAsync("admin", Endpoint.GenerateToken(), extra: ("client_encoding", "SJIS"));

		messages.Last().ToString().Should().Be("E(22023: invalid value for parameter \"client_encoding\": \"SJIS\")");
		messages.Should().NotContain(m => m.Type == 'Z');
	}

	[Test]
	public async Task ARefusedEncodingLeavesNoStatementHiddenInItsBytes()
	{
		var table = EndpointFixture.UniqueName("sjis");
		await using (var connection = await EndpointFixture.OpenAsync())
		{
			await EndpointFixture.ExecuteAsync(connection, $"CREATE TABLE {table} (a int)");
			await EndpointFixture.ExecuteAsync(connection, $"INSERT INTO {table} VALUES (1)");
		}

		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var __ = client;
		await client.QueryAsync("SET client_encoding = 'SJIS'");

		// In Shift JIS 0x81 0x5C is one character; read as UTF-8 it is an invalid byte and a backslash that escapes the
		// quote after it, so a lexer reading UTF-8 would see one string up to the last quote and no TRUNCATE.
		var query = new List<byte>();
		query.AddRange("SELECT E'"u8.ToArray());
		query.AddRange(new byte[] { 0x81, 0x5C });
		query.AddRange(Encoding.ASCII.GetBytes($"'; TRUNCATE {table}; --'"));
		query.Add(0);
		await client.SendAsync(RawPgClient.Build('Q', [.. query]));
		var messages = await client.ReadUntilReadyAsync();

		messages.Where(m => m.Type == 'C').Select(m => m.ToString()).Should().NotContain("C(TRUNCATE TABLE)");
		await using (var connection = await EndpointFixture.OpenAsync())
			(await EndpointFixture.ScalarAsync(connection, $"SELECT count(*) FROM {table}")).Should().Be(1L);
	}

	[Test]
	public async Task SetConfigReachedThroughAnotherFunctionIsRefusedByTheBackend()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		await using var command = new NpgsqlCommand(
			"SELECT query_to_xml('SELECT pg_catalog.set_config(''client_encoding'', ''SJIS'', false)', false, false, '')", connection);
		var error = (await FluentActions.Awaiting(() => command.ExecuteNonQueryAsync()).Should().ThrowAsync<PostgresException>()).Which;
		(error.SqlState, error.MessageText).Should().Be(("42501", "permission denied for function set_config"));
		(await EndpointFixture.ScalarAsync(connection, "SHOW client_encoding")).Should().Be("UTF8");
	}
}
