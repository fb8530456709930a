using System.Text.RegularExpressions;
using Npgsql;

namespace AuroraDsql.Local.Tests.Jobs;

/// <summary>CREATE INDEX ASYNC, ALTER TABLE ASYNC, sys.jobs and sys.wait_for_job.</summary>
public sealed partial class JobTests
{
	static LocalDsqlEndpoint Endpoint => EndpointFixture.Endpoint;

	[GeneratedRegex("^[a-z2-7]{26}$")]
	private static partial Regex JobIdPattern();

	static async Task<string> CreateTableAsync(NpgsqlConnection connection, string columns = "id int PRIMARY KEY, a int, b text")
	{
		var table = EndpointFixture.UniqueName("jobs");
		await using var command = new NpgsqlCommand($"CREATE TABLE {table} ({columns})", connection);
		await command.ExecuteNonQueryAsync();
		return table;
	}

	static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
	{
		await using var command = new NpgsqlCommand(sql, connection);
		foreach (var (name, value) in parameters)
			command.Parameters.AddWithValue(name, value);
		return await command.ExecuteScalarAsync();
	}

	[Test]
	public async Task CreateIndexAsyncAnswersTagCreateIndexAndAJobIdRow()
	{
		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var __ = client;
		var table = EndpointFixture.UniqueName("tag");
		await client.QueryAsync($"CREATE TABLE {table} (a int, b text)");

		var messages = await client.QueryAsync($"CREATE INDEX ASYNC {table}_a ON {table} (a)");
		messages.Select(m => m.Type).Should().Equal('T', 'D', 'C', 'Z');
		messages[0].Columns.Should().Equal("job_id");
		messages[1].Values.Single().Should().MatchRegex(JobIdPattern());
		messages[2].Tag.Should().Be("CREATE INDEX");

		// every form, in multi-statement queries with literals and comments that must not confuse the lexer (one DDL per
		// transaction, reads around it are fine)
		var multi = await client.QueryAsync(
			$"SELECT 'CREATE INDEX ASYNC x ON y (z)'; /* CREATE INDEX ASYNC */ CREATE UNIQUE INDEX ASYNC IF NOT EXISTS {table}_u ON {table} (a, b) INCLUDE (b) NULLS NOT DISTINCT; SELECT 1");
		multi.Select(m => m.ToString()).Where(s => s.StartsWith("C(")).Should().Equal("C(SELECT 1)", "C(CREATE INDEX)", "C(SELECT 1)");
		multi.Last().ToString().Should().Be("Z(I)");
		var expression = await client.QueryAsync($"create index async on {table} ((lower(b)) NULLS LAST) where a > 0; SELECT 1");
		expression.Select(m => m.ToString()).Where(s => s.StartsWith("C(")).Should().Equal("C(CREATE INDEX)", "C(SELECT 1)");
	}

	[Test]
	public async Task IndexIsInTheCatalogWhenTheStatementReturnsAndCompletes()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var table = await CreateTableAsync(connection);
		await using (var fill = new NpgsqlCommand($"INSERT INTO {table} SELECT g, g % 10, 'v' || g FROM generate_series(1, 2000) g", connection))
			await fill.ExecuteNonQueryAsync();

		var jobId = (string)(await ScalarAsync(connection, $"CREATE INDEX ASYNC {table}_a_idx ON {table} (a)"))!;
		jobId.Should().MatchRegex(JobIdPattern());

		(await ScalarAsync(connection, $"SELECT count(*) FROM pg_indexes WHERE indexname = '{table}_a_idx'")).Should().Be(1L);

		(await ScalarAsync(connection, "CALL sys.wait_for_job(@id)", ("id", jobId))).Should().Be(true);

		await using var command = new NpgsqlCommand(
			"SELECT status, details, job_type, class_id::int, object_id = @oid::regclass::oid, object_name, start_time <= update_time FROM sys.jobs WHERE job_id = @id", connection);
		command.Parameters.AddWithValue("id", jobId);
		command.Parameters.AddWithValue("oid", $"{table}_a_idx");
		await using var reader = await command.ExecuteReaderAsync();
		(await reader.ReadAsync()).Should().BeTrue();
		reader.GetString(0).Should().Be("completed");
		reader.IsDBNull(1).Should().BeTrue();
		reader.GetString(2).Should().Be("INDEX_BUILD");
		reader.GetInt32(3).Should().Be(1259);
		reader.GetBoolean(4).Should().BeTrue();
		reader.GetString(5).Should().Be($"public.{table}_a_idx");
		reader.GetBoolean(6).Should().BeTrue();
		await reader.CloseAsync();

		(await ScalarAsync(connection, $"SELECT indisvalid FROM pg_index WHERE indexrelid = '{table}_a_idx'::regclass")).Should().Be(true);
	}

	[Test]
	public async Task UnnamedIndexGetsPostgreSqlDefaultName()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var table = await CreateTableAsync(connection);
		var jobId = (string)(await ScalarAsync(connection, $"CREATE INDEX ASYNC ON {table} (b)"))!;
		(await ScalarAsync(connection, "CALL sys.wait_for_job(@id)", ("id", jobId))).Should().Be(true);
		(await ScalarAsync(connection, "SELECT object_name FROM sys.jobs WHERE job_id = @id", ("id", jobId))).Should().Be($"public.{table}_b_idx");
	}

	[Test]
	public async Task FailedUniqueBuildRecordsAFailedJobAndLeavesAnInvalidIndex()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var table = await CreateTableAsync(connection);
		await using (var fill = new NpgsqlCommand($"INSERT INTO {table} VALUES (1, 7, 'x'), (2, 7, 'y')", connection))
			await fill.ExecuteNonQueryAsync();

		var jobId = (string)(await ScalarAsync(connection, $"CREATE UNIQUE INDEX ASYNC {table}_uq ON {table} (a)"))!;
		(await ScalarAsync(connection, "CALL sys.wait_for_job(@id)", ("id", jobId))).Should().Be(false);

		await using var command = new NpgsqlCommand("SELECT status, details FROM sys.jobs WHERE job_id = @id", connection);
		command.Parameters.AddWithValue("id", jobId);
		await using (var reader = await command.ExecuteReaderAsync())
		{
			await reader.ReadAsync();
			reader.GetString(0).Should().Be("failed");
			reader.GetString(1).Should().Be("found duplicate key(s) while validating index uniqueness");
		}

		(await ScalarAsync(connection, $"SELECT indisvalid FROM pg_index WHERE indexrelid = '{table}_uq'::regclass")).Should().Be(false);
	}

	[Test]
	public async Task ErrorsOfTheStatementAreReportedAtOnce()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var table = await CreateTableAsync(connection);

		var missingTable = () => ScalarAsync(connection, "CREATE INDEX ASYNC ON no_such_table (a)");
		(await missingTable.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("42P01");

		var missingColumn = () => ScalarAsync(connection, $"CREATE INDEX ASYNC ON {table} (no_such_column)");
		(await missingColumn.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("42703");

		var volatileExpression = () => ScalarAsync(connection, $"CREATE INDEX ASYNC ON {table} ((a + random()))");
		(await volatileExpression.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("42P17");

		await ScalarAsync(connection, $"CREATE INDEX ASYNC {table}_dup ON {table} (a)");
		var duplicate = () => ScalarAsync(connection, $"CREATE INDEX ASYNC {table}_dup ON {table} (b)");
		(await duplicate.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("42P07");

		var existing = (string)(await ScalarAsync(connection, $"CREATE INDEX ASYNC IF NOT EXISTS {table}_dup ON {table} (b)"))!;
		(await ScalarAsync(connection, "SELECT status FROM sys.jobs WHERE job_id = @id", ("id", existing))).Should().Be("completed");
	}

	[Test]
	public async Task RolledBackSubmissionLeavesNoJob()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var table = await CreateTableAsync(connection);
		string jobId;
		await using (var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead))
		{
			await using var command = new NpgsqlCommand($"CREATE INDEX ASYNC {table}_rb ON {table} (a)", connection, transaction);
			jobId = (string)(await command.ExecuteScalarAsync())!;
			await transaction.RollbackAsync();
		}

		(await ScalarAsync(connection, "SELECT count(*) FROM sys.jobs WHERE job_id = @id", ("id", jobId))).Should().Be(0L);
		(await ScalarAsync(connection, $"SELECT count(*) FROM pg_indexes WHERE indexname = '{table}_rb'")).Should().Be(0L);
	}

	[Test]
	public async Task WaitForJobIsAProcedure()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var select = () => ScalarAsync(connection, "SELECT sys.wait_for_job('abc')");
		var error = (await select.Should().ThrowAsync<PostgresException>()).Which;
		error.SqlState.Should().Be("42809");
		error.MessageText.Should().Contain("is a procedure");

		var unknown = () => ScalarAsync(connection, "CALL sys.wait_for_job('aaaaaaaaaaaaaaaaaaaaaaaaaa')");
		(await unknown.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("42704");
	}

	[Test]
	public async Task ValidateConstraintRunsAsAJob()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var table = await CreateTableAsync(connection);
		foreach (var sql in new[] { $"INSERT INTO {table} VALUES (1, 5, 'x')", $"ALTER TABLE {table} ADD CONSTRAINT {table}_pos CHECK (a > 0) NOT VALID",
			$"ALTER TABLE {table} ADD CONSTRAINT {table}_big CHECK (a > 10) NOT VALID" })
		{
			await using var setup = new NpgsqlCommand(sql, connection);
			await setup.ExecuteNonQueryAsync();
		}

		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var __ = client;
		var messages = await client.QueryAsync($"ALTER TABLE ASYNC {table} VALIDATE CONSTRAINT {table}_pos");
		messages.Select(m => m.Type).Should().Equal('T', 'D', 'C', 'Z');
		messages[2].Tag.Should().Be("ALTER TABLE");
		var goodJob = messages[1].Values.Single()!;

		var badJob = (string)(await ScalarAsync(connection, $"ALTER TABLE ASYNC {table} VALIDATE CONSTRAINT {table}_big"))!;

		(await ScalarAsync(connection, "CALL sys.wait_for_job(@id)", ("id", goodJob))).Should().Be(true);
		(await ScalarAsync(connection, "CALL sys.wait_for_job(@id)", ("id", badJob))).Should().Be(false);

		(await ScalarAsync(connection, "SELECT job_type || ' ' || class_id || ' ' || object_name FROM sys.jobs WHERE job_id = @id", ("id", goodJob)))
			.Should().Be($"VALIDATE_CONSTRAINT 2606 public.{table}_pos");
		(await ScalarAsync(connection, "SELECT details FROM sys.jobs WHERE job_id = @id", ("id", badJob))).As<string>().Should().Contain("violated");
		(await ScalarAsync(connection, $"SELECT convalidated FROM pg_constraint WHERE conname = '{table}_pos'")).Should().Be(true);
		(await ScalarAsync(connection, $"SELECT convalidated FROM pg_constraint WHERE conname = '{table}_big'")).Should().Be(false);
	}

	[Test]
	public async Task JobsOfOtherRolesRunWithTheirRights()
	{
		var role = EndpointFixture.UniqueName("owner");
		await using (var admin = await EndpointFixture.OpenAsync())
		{
			foreach (var sql in new[] { $"CREATE ROLE {role} LOGIN", $"GRANT {role} TO admin", $"CREATE SCHEMA {role} AUTHORIZATION {role}" })
			{
				await using var grant = new NpgsqlCommand(sql, admin);
				await grant.ExecuteNonQueryAsync();
			}

			await TestEndpoint.GrantIdentityAsync(admin, role);
		}

		await using var connection = await EndpointFixture.OpenAsync(role);
		await using (var create = new NpgsqlCommand($"CREATE TABLE {role}.t (a int)", connection))
			await create.ExecuteNonQueryAsync();
		var jobId = (string)(await ScalarAsync(connection, $"CREATE INDEX ASYNC ON {role}.t (a)"))!;
		(await ScalarAsync(connection, "CALL sys.wait_for_job(@id)", ("id", jobId))).Should().Be(true);
		(await ScalarAsync(connection, $"SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 't_a_idx' AND relnamespace = '{role}'::regnamespace")).Should().Be(role);

		await using var other = await EndpointFixture.OpenAsync();
		var notOwner = EndpointFixture.UniqueName("nobody");
		await using (var create = new NpgsqlCommand($"CREATE ROLE {notOwner} LOGIN", other))
			await create.ExecuteNonQueryAsync();
		await TestEndpoint.GrantIdentityAsync(other, notOwner);
		await using (var grant = new NpgsqlCommand($"GRANT USAGE ON SCHEMA {role} TO {notOwner}", other))
			await grant.ExecuteNonQueryAsync();
		await using var intruder = await EndpointFixture.OpenAsync(notOwner);
		var refused = () => ScalarAsync(intruder, $"CREATE INDEX ASYNC ON {role}.t (a)");
		(await refused.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("42501");
	}

	[Test]
	public async Task InternalJobTablesAreNotWritableByUsers()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var insert = () => ScalarAsync(connection, "INSERT INTO sys.jobs VALUES ('x', 'completed', NULL, 'INDEX_BUILD', 1259, 0, 'a.b', now(), now())");
		(await insert.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("42501");
		var read = () => ScalarAsync(connection, "SELECT count(*) FROM sys.job_requests");
		(await read.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("42501");
	}
}
