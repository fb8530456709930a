using System.Net.Sockets;
using Npgsql;

namespace AuroraDsql.Local.Tests.Security;

/// <summary>
/// The roles clients log in as get no path to the host: no membership in the predefined roles that run programs or read and
/// write server files (nor a way to grant it), no CREATEROLE, no PL/pgSQL, no statement hidden in a function body, no TCP
/// port on the backend, no database but postgres. Checked through the endpoint and, where it is the backend that must
/// hold, directly on the backend as admin.
/// </summary>
public sealed class BackendHardeningTests
{
	static LocalDsqlEndpoint Endpoint => EndpointFixture.Endpoint;

	static async Task<PostgresException> FailsAsync(NpgsqlConnection connection, string sql)
	{
		await using var command = new NpgsqlCommand(sql, connection);
		return (await FluentActions.Awaiting(() => command.ExecuteNonQueryAsync()).Should().ThrowAsync<PostgresException>()).Which;
	}

	/// <summary>A session on the backend's Unix socket that logged in as admin itself (no endpoint in between).</summary>
	static async Task<NpgsqlConnection> OpenBackendAsAdminAsync()
	{
		var builder = new NpgsqlConnectionStringBuilder(Endpoint.BackendConnectionString) { Username = "admin", Pooling = false };
		var connection = new NpgsqlConnection(builder.ConnectionString);
		await connection.OpenAsync();
		return connection;
	}

	[TestCase("GRANT pg_execute_server_program TO admin", "pg_execute_server_program")]
	[TestCase("GRANT pg_read_server_files, pg_write_server_files TO admin", "pg_read_server_files")]
	[TestCase("GRANT pg_write_all_data TO admin", "pg_write_all_data")]
	[TestCase("ALTER GROUP pg_execute_server_program ADD USER admin", "pg_execute_server_program")]
	public async Task AdminCannotGrantItselfAPredefinedRole(string sql, string role)
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var error = await FailsAsync(connection, sql);
		(error.SqlState, error.MessageText).Should().Be(("42501", $"permission denied to grant role \"{role}\""));
		(await EndpointFixture.ScalarAsync(connection, "SELECT pg_has_role('admin', 'pg_execute_server_program', 'MEMBER')")).Should().Be(false);
	}

	[TestCase("CREATE ROLE {0} SUPERUSER", "permission denied to create role")]
	[TestCase("CREATE ROLE {0} LOGIN CREATEROLE", "permission denied to create role")]
	[TestCase("CREATE USER {0} CREATEDB", "permission denied to create role")]
	[TestCase("CREATE ROLE {0} IN ROLE pg_execute_server_program", "permission denied to grant role \"pg_execute_server_program\"")]
	[TestCase("CREATE ROLE {0} ROLE postgres", "permission denied to grant role \"postgres\"")]
	public async Task RolesWithPowersBeyondAnOrdinaryRoleCannotBeCreated(string sql, string message)
	{
		var role = EndpointFixture.UniqueName("r");
		await using var connection = await EndpointFixture.OpenAsync();
		var error = await FailsAsync(connection, string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, role));
		(error.SqlState, error.MessageText).Should().Be(("42501", message));
		(await EndpointFixture.ScalarAsync(connection, $"SELECT count(*) FROM pg_roles WHERE rolname = '{role}'")).Should().Be(0L);
	}

	[TestCase("ALTER ROLE admin NOLOGIN", "permission denied to alter role \"admin\"")]
	[TestCase("ALTER ROLE admin RENAME TO boss", "permission denied to rename role \"admin\"")]
	[TestCase("DROP ROLE postgres", "permission denied to drop role \"postgres\"")]
	[TestCase("ALTER ROLE postgres NOSUPERUSER", "permission denied to alter role \"postgres\"")]
	[TestCase("REVOKE pg_monitor FROM pg_read_all_stats", "permission denied to revoke role \"pg_monitor\"")]
	public async Task AdminAndRolesBeyondOrdinaryOnesCannotBeChanged(string sql, string message)
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var error = await FailsAsync(connection, sql);
		(error.SqlState, error.MessageText).Should().Be(("42501", message));
	}

	[Test]
	public async Task OrdinaryRolesAreManagedAsWithCreateRole()
	{
		var role = EndpointFixture.UniqueName("app");
		var renamed = role + "_r";
		await using var connection = await EndpointFixture.OpenAsync();

		async Task<string> TagAsync(string sql)
		{
			await using var command = new NpgsqlCommand(sql, connection);
			await command.ExecuteNonQueryAsync();
			return sql;
		}

		await TagAsync($"CREATE ROLE {role} WITH LOGIN CONNECTION LIMIT 5 VALID UNTIL 'infinity'");
		await TagAsync($"GRANT {role} TO admin WITH ADMIN OPTION");
		(await EndpointFixture.ScalarAsync(connection, $"SELECT rolconnlimit || ' ' || rolcanlogin || ' ' || pg_has_role('admin', '{role}', 'MEMBER') FROM pg_roles WHERE rolname = '{role}'"))
			.Should().Be("5 true true");

		await TagAsync($"ALTER ROLE {role} NOLOGIN CONNECTION LIMIT -1");
		await TagAsync($"ALTER ROLE {role} RENAME TO {renamed}");
		await TagAsync($"REVOKE {renamed} FROM admin");
		(await EndpointFixture.ScalarAsync(connection, $"SELECT rolconnlimit || ' ' || rolcanlogin || ' ' || pg_has_role('admin', '{renamed}', 'MEMBER') FROM pg_roles WHERE rolname = '{renamed}'"))
			.Should().Be("-1 false false");

		await TagAsync($"DROP ROLE IF EXISTS {renamed}, {role}");
		(await EndpointFixture.ScalarAsync(connection, $"SELECT count(*) FROM pg_roles WHERE rolname IN ('{role}', '{renamed}')")).Should().Be(0L);
	}

	[Test]
	public async Task RoleStatementsAnswerWithPostgresTags()
	{
		var role = EndpointFixture.UniqueName("tag");
		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var _ = client;

		var tags = new List<string>();
		foreach (var sql in new[] { $"CREATE USER {role}", $"SELECT rolcanlogin FROM pg_roles WHERE rolname = '{role}'", $"GRANT {role} TO admin",
			$"REVOKE {role} FROM admin", $"ALTER USER {role} NOLOGIN", $"DROP USER {role}" })
			tags.AddRange((await client.QueryAsync(sql)).Where(m => m.Type is 'C' or 'D' or 'E').Select(m => m.ToString()));

		tags.Should().Equal(["C(CREATE ROLE)", "D(t)", "C(SELECT 1)", "C(GRANT ROLE)", "C(REVOKE ROLE)", "C(ALTER ROLE)", "C(DROP ROLE)"],
			"a user can log in by default");
	}

	[Test]
	public async Task OnTheBackendAdminHasNoCreateRoleAndNoProceduralLanguage()
	{
		await using var backend = await OpenBackendAsAdminAsync();
		(await EndpointFixture.ScalarAsync(backend, "SELECT rolcreaterole OR rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = 'admin'")).Should().Be(false);

		var grant = await FailsAsync(backend, "GRANT pg_execute_server_program TO admin");
		grant.SqlState.Should().Be("42501");

		var create = await FailsAsync(backend, $"CREATE ROLE {EndpointFixture.UniqueName("r")}");
		create.SqlState.Should().Be("42501");

		var plpgsql = await FailsAsync(backend, $"CREATE FUNCTION {EndpointFixture.UniqueName("f")}() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$");
		(plpgsql.SqlState, plpgsql.MessageText).Should().Be(("42501", "permission denied for language plpgsql"));
	}

	[TestCase("COPY {0} FROM PROGRAM 'id'", "0A000", "COPY to or from a file or program is not supported")]
	[TestCase("SELECT 1; COPY {0} TO '/tmp/x'", "0A000", "COPY to or from a file or program is not supported")]
	[TestCase("TRUNCATE {0}", "0A000", "unsupported statement: Truncate")]
	[TestCase("SET statement_timeout = 0", "0A000", "setting configuration parameter \"statement_timeout\" not supported")]
	[TestCase("CREATE FUNCTION inner_f() RETURNS void LANGUAGE sql AS 'TRUNCATE {0}'", "0A000", "unsupported statement: Truncate")]
	public async Task StatementsInASqlFunctionBodyAreHeldToTheRules(string body, string sqlState, string message)
	{
		var table = EndpointFixture.UniqueName("body");
		await using var connection = await EndpointFixture.OpenAsync();
		await EndpointFixture.ExecuteAsync(connection, $"CREATE TABLE {table} (a int)");

		var function = EndpointFixture.UniqueName("f");
		var sql = $"CREATE FUNCTION {function}() RETURNS void LANGUAGE sql AS $body$ {string.Format(System.Globalization.CultureInfo.InvariantCulture, body, table)} $body$";
		var error = await FailsAsync(connection, sql);
		(error.SqlState, error.MessageText).Should().Be((sqlState, message));
		(await EndpointFixture.ScalarAsync(connection, $"SELECT count(*) FROM pg_proc WHERE proname = '{function}'")).Should().Be(0L);
	}

	[Test]
	public async Task ABodyIsReadAsTheServerReadsItsString()
	{
		var table = EndpointFixture.UniqueName("body");
		await using var connection = await EndpointFixture.OpenAsync();
		await EndpointFixture.ExecuteAsync(connection, $"CREATE TABLE {table} (a int)");

		// E'' escapes spell TRUNCATE only once decoded; the procedure and the other language spellings count too
		var error = await FailsAsync(connection, $"CREATE OR REPLACE FUNCTION {EndpointFixture.UniqueName("f")}() RETURNS void LANGUAGE 'SQL' AS E'TRUNC\\x41TE {table}'");
		(error.SqlState, error.MessageText).Should().Be(("0A000", "unsupported statement: Truncate"));
	}

	[Test]
	public async Task ABeginAtomicBodyIsHeldToTheRules()
	{
		var table = EndpointFixture.UniqueName("atomic");
		await using (var connection = await EndpointFixture.OpenAsync())
			await EndpointFixture.ExecuteAsync(connection, $"CREATE TABLE {table} (a int)");

		// (Npgsql would split the text at the body's semicolon itself.)
		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var _ = client;
		var messages = await client.QueryAsync($"CREATE FUNCTION {EndpointFixture.UniqueName("f")}() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a FROM {table} FOR SHARE; END");
		messages.Should().ContainSingle(m => m.Type == 'E').Which.ToString()
			.Should().Be("E(0A000: locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported)");
	}

	[Test]
	public async Task AHelperTheEndpointCallsRunsNoSecondStatement()
	{
		var table = EndpointFixture.UniqueName("helper");
		await using var connection = await EndpointFixture.OpenAsync();
		await EndpointFixture.ExecuteAsync(connection, $"CREATE TABLE {table} (a int)");
		await EndpointFixture.ExecuteAsync(connection, $"INSERT INTO {table} VALUES (1)");

		var error = await FailsAsync(connection,
			$"SELECT sys.submit_index_build(false, false, NULL, '{table}', false, '(a); TRUNCATE {table}', '(a) WHERE false; TRUNCATE {table}', ARRAY['a'])");
		error.SqlState.Should().Be("42601");

		var dropColumn = await FailsAsync(connection, $"CALL sys.alter_table_checked('{table}', ARRAY['a'], 'TRUNCATE {table}')");
		dropColumn.SqlState.Should().Be("42883", "the procedure that ran any statement given to it is gone");

		(await EndpointFixture.ScalarAsync(connection, $"SELECT count(*) FROM {table}")).Should().Be(1L);
	}

	[Test]
	public async Task DroppingAPrimaryKeyColumnIsStillRefused()
	{
		var table = EndpointFixture.UniqueName("pk");
		await using var connection = await EndpointFixture.OpenAsync();
		await EndpointFixture.ExecuteAsync(connection, $"CREATE TABLE {table} (id int PRIMARY KEY, a int, b int)");

		var error = await FailsAsync(connection, $"ALTER TABLE {table} DROP COLUMN id");
		(error.SqlState, error.MessageText).Should().Be(("0A000", "cannot drop primary key column id"));

		await EndpointFixture.ExecuteAsync(connection, $"ALTER TABLE {table} DROP COLUMN a");
		(await EndpointFixture.ScalarAsync(connection, $"SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '{table}'::regclass AND attnum > 0 AND NOT attisdropped"))
			.Should().Be("id,b");
	}

	[Test]
	public async Task TheBackendListensOnItsUnixSocketOnly()
	{
		await using var backend = await EndpointFixture.OpenBackendAsync();
		(await EndpointFixture.ScalarAsync(backend, "SHOW listen_addresses")).Should().Be("");
		var port = Convert.ToInt32(await EndpointFixture.ScalarAsync(backend, "SELECT current_setting('port')::int"), System.Globalization.CultureInfo.InvariantCulture);

		using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
		await FluentActions.Awaiting(() => socket.ConnectAsync("127.0.0.1", port)).Should().ThrowAsync<SocketException>();
	}

	[TestCase("template1")]
	[TestCase("admin")]
	public async Task OnlyDatabasePostgresCanBeReached(string database)
	{
		var error = await FluentActions.Awaiting(() => EndpointFixture.OpenAsync(configure: b => b.Database = database))
			.Should().ThrowAsync<PostgresException>();
		(error.Which.SqlState, error.Which.MessageText).Should().Be(("3D000", $"database \"{database}\" does not exist"));
	}
}
