using Npgsql;

namespace AuroraDsql.Local.Tests.Security;

/// <summary>
/// What keeps a client inside DSQL's rules and its own rights: no login as the backend's superuser, no set_config on
/// parameters SET may not change, no arbitrary statements through the job queue, and pipelined binds checked against
/// each other.
/// </summary>
public sealed class IsolationTests
{
	static LocalDsqlEndpoint Endpoint => EndpointFixture.Endpoint;

	static string Outcome(List<RawPgClient.Message> messages) => string.Join(" ", messages.Where(m => m.Type is 'C' or 'E' or 'Z').Select(m => m.ToString()));

	[Test]
	public async Task TheBackendSuperuserCannotLogInEvenWithAValidToken()
	{
		var (client, messages) = await RawPgClient.ConnectAsync(Endpoint, user: "postgres");
		await using var _ = client;

		messages.Should().ContainSingle(m => m.Type == 'E').Which.ToString().Should().Be("E(28000: role \"postgres\" does not exist)");
		messages.Should().NotContain(m => m.Type == 'R' && m.Int32At(0) == 0, "no AuthenticationOk");
	}

	[TestCase("standard_conforming_strings")]
	[TestCase("session_authorization")]
	[TestCase("aurora_dsql.max_rows")]
	[TestCase("statement_timeout")]
	public async Task SetConfigOfAParameterSetMayNotChangeIsRefused(string parameter)
	{
		await using var connection = await EndpointFixture.OpenAsync();
		await using var command = new NpgsqlCommand($"SELECT pg_catalog.set_config('{parameter}', 'off', false)", connection);

		var error = (await FluentActions.Awaiting(() => command.ExecuteScalarAsync()).Should().ThrowAsync<PostgresException>()).Which;
		(error.SqlState, error.MessageText).Should().Be(("0A000", $"setting configuration parameter \"{parameter}\" not supported"));
	}

	[Test]
	public async Task SetConfigOfASettableParameterWorks()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		await using var command = new NpgsqlCommand("SELECT set_config('TimeZone', 'Europe/Berlin', false), current_setting('TimeZone')", connection);
		await using var reader = await command.ExecuteReaderAsync();
		await reader.ReadAsync();
		reader.GetString(1).Should().Be("Europe/Berlin");
	}

	[Test]
	public async Task AJobRequestThatIsNotAJobStatementFailsWithoutRunning()
	{
		var table = EndpointFixture.UniqueName("smuggled");
		await using var connection = await EndpointFixture.OpenAsync();

		await using (var submit = new NpgsqlCommand(
			$"SELECT sys.record_job('INDEX_BUILD', 0, 0, 'CREATE UNLOGGED TABLE {table} (a int)', 'public', 'public', '{table}', 'public', '{table}', false)", connection))
		{
			var jobId = (string)(await submit.ExecuteScalarAsync())!;

			await using var wait = new NpgsqlCommand($"CALL sys.wait_for_job('{jobId}')", connection);
			(await wait.ExecuteScalarAsync()).Should().Be(false);

			await using var status = new NpgsqlCommand($"SELECT status || ': ' || details FROM sys.jobs WHERE job_id = '{jobId}'", connection);
			(await status.ExecuteScalarAsync()).Should().Be("failed: not a statement of an asynchronous job");
		}

		await using var exists = new NpgsqlCommand($"SELECT to_regclass('{table}') IS NULL", connection);
		(await exists.ExecuteScalarAsync()).Should().Be(true);
	}

	[TestCase("INDEX_BUILD", "CREATE UNIQUE INDEX CONCURRENTLY ix ON public.t (a)", true)]
	[TestCase("INDEX_BUILD", "CREATE INDEX CONCURRENTLY ix ON t (a); DROP TABLE t", false)]
	[TestCase("INDEX_BUILD", "CREATE TABLE t (a int)", false)]
	[TestCase("VALIDATE_CONSTRAINT", "ALTER TABLE \"s\".\"t\" VALIDATE CONSTRAINT \"fk\"", true)]
	[TestCase("VALIDATE_CONSTRAINT", "ALTER TABLE t VALIDATE CONSTRAINT fk, DROP COLUMN a", false)]
	[TestCase("VALIDATE_CONSTRAINT", "ALTER TABLE t OWNER TO admin", false)]
	public void OnlyJobStatementsRunAsJobs(string jobType, string sql, bool runs) =>
		Local.Jobs.JobManager.IsJobStatement(jobType, sql).Should().Be(runs);

	[Test]
	public async Task StatementsBoundBeforeAnyExecutesAreCheckedAgainstEachOther()
	{
		var table = EndpointFixture.UniqueName("pipelined");
		var other = EndpointFixture.UniqueName("pipelined_other");
		await using (var setup = await EndpointFixture.OpenAsync())
		await using (var create = new NpgsqlCommand($"CREATE TABLE {other} (a int PRIMARY KEY)", setup))
			await create.ExecuteNonQueryAsync();

		var (client, _) = await RawPgClient.ConnectAsync(Endpoint);
		await using var __ = client;

		await client.SendAsync(
			RawPgClient.Parse($"CREATE TABLE {table} (a int PRIMARY KEY)", "s1"), RawPgClient.Bind("p1", "s1"),
			RawPgClient.Parse($"INSERT INTO {other} VALUES (1)", "s2"), RawPgClient.Bind("p2", "s2"),
			RawPgClient.Execute("p1"), RawPgClient.Execute("p2"), RawPgClient.Sync());

		Outcome(await client.ReadUntilReadyAsync()).Should().Contain("E(0A000: ddl and dml are not supported in the same transaction)");

		await using var check = await EndpointFixture.OpenAsync();
		await using var count = new NpgsqlCommand($"SELECT count(*) FROM {other}", check);
		(await count.ExecuteScalarAsync()).Should().Be(0L, "the pipeline is one transaction and it failed");
	}

	[Test]
	public void AMessageHeaderAloneDoesNotAllocateItsClaimedLength()
	{
		using var buffer = new Local.Protocol.MessageBuffer();
		var header = new byte[] { (byte)'p', 0x20, 0, 0, 0 };
		using var stream = new MemoryStream(header);

		buffer.Fill(stream).Should().BeTrue();
		buffer.TryReadMessage(out _, out _).Should().BeFalse();
		buffer.Capacity.Should().BeLessThanOrEqualTo(64 * 1024);
	}
}
