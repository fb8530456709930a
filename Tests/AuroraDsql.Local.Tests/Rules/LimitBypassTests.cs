using Npgsql;

namespace AuroraDsql.Local.Tests.Rules;

/// <summary>
/// The per-transaction row limit cannot be switched off by a client: its settings are not client-settable (startup
/// options, set_config in a function body or through another function), and the counting triggers cannot be dropped,
/// disabled or renamed (through the endpoint or directly on the backend as admin).
/// </summary>
public sealed class LimitBypassTests
{
	const int OverTheLimit = 3001;

	static async Task<string> TableAsync(NpgsqlConnection connection)
	{
		var table = EndpointFixture.UniqueName("bypass");
		await EndpointFixture.ExecuteAsync(connection, $"CREATE TABLE {table} (a int)");
		return table;
	}

	static async Task InsertOverTheLimitFailsAsync(NpgsqlConnection connection, string table)
	{
		await using var insert = new NpgsqlCommand($"INSERT INTO {table} SELECT g FROM generate_series(1, {OverTheLimit}) g", connection);
		var error = (await FluentActions.Awaiting(() => insert.ExecuteNonQueryAsync()).Should().ThrowAsync<PostgresException>()).Which;
		(error.SqlState, error.MessageText).Should().Be(("54000", "transaction row limit exceeded"));
		(await EndpointFixture.ScalarAsync(connection, $"SELECT count(*) FROM {table}")).Should().Be(0L);
	}

	[TestCase("-c aurora_dsql.tx_rows=-1000000", "aurora_dsql.tx_rows")]
	[TestCase("--aurora-dsql.max-rows=1000000", "aurora_dsql.max_rows")]
	[TestCase("-c statement_timeout=0", "statement_timeout")]
	public async Task StartupOptionsCannotSetTheLimits(string options, string parameter)
	{
		var error = await FluentActions.Awaiting(() => EndpointFixture.OpenAsync(configure: b => b.Options = options)).Should().ThrowAsync<PostgresException>();
		(error.Which.SqlState, error.Which.MessageText).Should().Be(("0A000", $"setting configuration parameter \"{parameter}\" not supported"));
	}

	[Test]
	public async Task StartupParametersCannotSetTheLimits()
	{
		var client = await RawPgClient.OpenSocketAsync(EndpointFixture.Endpoint.Port);
		await using var _ = client;
		await client.StartTlsAsync(EndpointFixture.Endpoint, direct: false);
		var messages = await client.LoginAsync("admin", EndpointFixture.Endpoint.GenerateToken(), extra: ("aurora_dsql.tx_rows", "-1000000"));
		messages.Last().ToString().Should().Be("E(0A000: setting configuration parameter \"aurora_dsql.tx_rows\" not supported)");
	}

	[Test]
	public async Task SetConfigInAFunctionBodyIsRefusedAtItsDefinition()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var table = await TableAsync(connection);

		await using var create = new NpgsqlCommand(
			$"CREATE FUNCTION {table}_reset() RETURNS text LANGUAGE sql AS $$ SELECT set_config('aurora_dsql.tx_rows', '-1000000', true) $$", connection);
		var error = (await FluentActions.Awaiting(() => create.ExecuteNonQueryAsync()).Should().ThrowAsync<PostgresException>()).Which;
		(error.SqlState, error.MessageText).Should().Be(("0A000", "setting configuration parameter \"aurora_dsql.tx_rows\" not supported"));

		await InsertOverTheLimitFailsAsync(connection, table);
	}

	[Test]
	public async Task SetConfigOutOfTheEndpointsSightIsRefusedByTheBackend()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var table = await TableAsync(connection);

		await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
		await using var reset = new NpgsqlCommand(
			"SELECT query_to_xml('SELECT pg_catalog.set_config(''aurora_dsql.tx_rows'', ''-1000000'', true)', false, false, '')", connection, transaction);
		var error = (await FluentActions.Awaiting(() => reset.ExecuteNonQueryAsync()).Should().ThrowAsync<PostgresException>()).Which;
		(error.SqlState, error.MessageText).Should().Be(("42501", "permission denied for function set_config"));
		await transaction.RollbackAsync();

		await InsertOverTheLimitFailsAsync(connection, table);
	}

	[Test]
	public async Task TheCountingTriggersCannotBeDroppedOrDisabled()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var table = await TableAsync(connection);

		foreach (var sql in new[]
		{
			$"DROP TRIGGER aurora_dsql_rows_insert ON {table}",
			$"CREATE FUNCTION {table}_off() RETURNS void LANGUAGE sql AS 'ALTER TABLE {table} DISABLE TRIGGER aurora_dsql_rows_insert'",
		})
		{
			await using var command = new NpgsqlCommand(sql, connection);
			await FluentActions.Awaiting(() => command.ExecuteNonQueryAsync()).Should().ThrowAsync<PostgresException>(sql);
		}

		await InsertOverTheLimitFailsAsync(connection, table);
	}

	[TestCase("DROP TRIGGER aurora_dsql_rows_insert ON {0}")]
	[TestCase("ALTER TABLE {0} DISABLE TRIGGER aurora_dsql_rows_insert")]
	[TestCase("ALTER TABLE {0} ENABLE REPLICA TRIGGER aurora_dsql_rows_insert")]
	[TestCase("ALTER TRIGGER aurora_dsql_rows_insert ON {0} RENAME TO quiet")]
	public async Task OnTheBackendAdminCannotTouchTheCountingTriggers(string sql)
	{
		string table;
		await using (var connection = await EndpointFixture.OpenAsync())
			table = await TableAsync(connection);

		var builder = new NpgsqlConnectionStringBuilder(EndpointFixture.Endpoint.BackendConnectionString) { Username = "admin", Pooling = false };
		await using (var backend = new NpgsqlConnection(builder.ConnectionString))
		{
			await backend.OpenAsync();
			await using var command = new NpgsqlCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, table), backend);
			var error = (await FluentActions.Awaiting(() => command.ExecuteNonQueryAsync()).Should().ThrowAsync<PostgresException>()).Which;
			error.SqlState.Should().Be("42501");
			error.MessageText.Should().StartWith("permission denied: trigger \"");
		}

		await using (var connection = await EndpointFixture.OpenAsync())
		{
			(await EndpointFixture.ScalarAsync(connection,
				$"SELECT string_agg(tgname || ':' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = '{table}'::regclass"))
				.Should().Be("aurora_dsql_rows_delete:O,aurora_dsql_rows_insert:O,aurora_dsql_rows_update:O");
			await InsertOverTheLimitFailsAsync(connection, table);
		}
	}
}
