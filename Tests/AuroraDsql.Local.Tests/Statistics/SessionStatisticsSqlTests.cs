using AuroraDsql.Local.Tests.Infrastructure;
using Npgsql;

namespace AuroraDsql.Local.Tests.Statistics;

/// <summary>
/// <c>aurora_dsql_local.session_statistics</c> and <c>aurora_dsql_local.all_session_statistics</c>: the endpoint's round
/// trip, statement and commit counts read with SQL. The query that reads them is not counted.
/// </summary>
public sealed class SessionStatisticsSqlTests
{
	sealed record Counts(int ProcessId, string Role, string? ApplicationName, long RoundTrips, long Statements, long Commits);

	static async Task<List<Counts>> ReadAsync(NpgsqlConnection connection, string sql)
	{
		await using var command = new NpgsqlCommand(sql, connection);
		await using var reader = await command.ExecuteReaderAsync();
		var rows = new List<Counts>();
		while (await reader.ReadAsync())
		{
			rows.Add(new Counts(reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
				reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
		}

		return rows;
	}

	static async Task<Counts> ReadOwnAsync(NpgsqlConnection connection) =>
		(await ReadAsync(connection, "SELECT * FROM aurora_dsql_local.session_statistics")).Should().ContainSingle().Subject;

	static Counts FromApi(LocalDsqlSessionStatistics s) => new(s.ProcessId, s.Role, s.ApplicationName, s.RoundTrips, s.Statements, s.Commits);

	[Test]
	public async Task ASessionReadsItsOwnCountsWithSqlAndReadingThemCostsNothing()
	{
		var endpoint = EndpointFixture.Endpoint;
		await using var connection = await EndpointFixture.OpenAsync(configure: b => b.ApplicationName = "statistics-test");
		var table = EndpointFixture.UniqueName("stats");

		var before = await ReadOwnAsync(connection);
		before.Should().Be(FromApi(endpoint.GetSessionStatistics(connection.ProcessID)!), "the read is not counted");
		before.ProcessId.Should().Be(connection.ProcessID);
		before.Role.Should().Be("admin");
		before.ApplicationName.Should().Be("statistics-test");
		(await ReadOwnAsync(connection)).Should().Be(before, "reading again changes nothing");

		await EndpointFixture.ExecuteAsync(connection, $"CREATE TABLE {table} (id int PRIMARY KEY)"); // commits on its own
		await EndpointFixture.ExecuteAsync(connection, $"INSERT INTO {table} VALUES (1)");          // commits on its own
		(await EndpointFixture.ScalarAsync(connection, $"SELECT count(*) FROM {table}")).Should().Be(1L);
		await using (var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead))
		{
			await EndpointFixture.ExecuteAsync(connection, $"INSERT INTO {table} VALUES (2)", transaction); // BEGIN goes with it
			await transaction.CommitAsync();
		}

		var after = await ReadOwnAsync(connection);
		after.Should().Be(FromApi(endpoint.GetSessionStatistics(connection.ProcessID)!));
		(after.RoundTrips - before.RoundTrips).Should().Be(5, "CREATE, INSERT, SELECT, BEGIN with INSERT, COMMIT");
		(after.Statements - before.Statements).Should().Be(6);
		(after.Commits - before.Commits).Should().Be(3, "CREATE and INSERT outside a block, COMMIT");
	}

	[Test]
	public async Task AClientWithoutSetupQueriesReadsExactCountsSinceLogin()
	{
		var (client, _) = await RawPgClient.ConnectAsync(EndpointFixture.Endpoint);
		await using var _ = client;

		await client.QueryAsync("SELECT 1");
		await client.QueryAsync("BEGIN");
		await client.QueryAsync("SELECT 2; SELECT 3");
		await client.QueryAsync("COMMIT");

		var answer = await client.QueryAsync("SELECT round_trips, statements, commits, process_id FROM aurora_dsql_local.session_statistics");
		answer.Select(m => m.ToString()).Should().Equal("T", $"D(4,5,1,{client.ProcessId})", "C(SELECT 1)", "Z(I)");

		// with a statement of its own in the same query, the round trip is counted (the reading statement still is not)
		answer = await client.QueryAsync("SELECT 4; SELECT s.round_trips, s.statements FROM aurora_dsql_local.session_statistics s");
		answer.Select(m => m.ToString()).Should().Equal("T", "D(4)", "C(SELECT 1)", "T", "D(4,5)", "C(SELECT 1)", "Z(I)");
		var statistics = EndpointFixture.Endpoint.GetSessionStatistics(client.ProcessId)!;
		statistics.RoundTrips.Should().Be(5);
		statistics.Statements.Should().Be(6);
		statistics.Commits.Should().Be(1);
	}

	[Test]
	public async Task AllSessionStatisticsListsEveryOpenSession()
	{
		await using var first = await EndpointFixture.OpenAsync();
		await using var second = await EndpointFixture.OpenAsync();
		await EndpointFixture.ExecuteAsync(second, "SELECT 1");
		var expected = FromApi(EndpointFixture.Endpoint.GetSessionStatistics(second.ProcessID)!);

		var rows = await ReadAsync(first, "SELECT * FROM aurora_dsql_local.all_session_statistics ORDER BY process_id");
		rows.Select(r => r.ProcessId).Should().Contain([first.ProcessID, second.ProcessID]).And.BeInAscendingOrder();
		rows.Should().ContainSingle(r => r.ProcessId == second.ProcessID).Which.Should().Be(expected);

		(await EndpointFixture.ScalarAsync(first, $"SELECT round_trips FROM aurora_dsql_local.all_session_statistics AS a WHERE a.process_id = {second.ProcessID}"))
			.Should().Be(expected.RoundTrips);
	}

	[Test]
	public async Task ANamedPreparedStatementCannotReadTheCounts()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		await using var command = new NpgsqlCommand("SELECT round_trips FROM aurora_dsql_local.session_statistics", connection);
		await command.PrepareAsync();
		var act = () => command.ExecuteScalarAsync();
		var error = (await act.Should().ThrowAsync<PostgresException>()).Which;
		error.SqlState.Should().Be("0A000");
		error.MessageText.Should().Be("aurora_dsql_local.session_statistics cannot be read through a named prepared statement");
	}
}
