using System.Collections.Concurrent;
using AuroraDsql.Local.Classification;
using Npgsql;

namespace AuroraDsql.Local.Tests.Rules;

/// <summary>
/// The hooks the DSQL rule engine builds on: a classifier refusing statements (through the backend, so transaction
/// semantics stay PostgreSQL's), injected proxy queries whose answers the client never sees, and transaction tracking.
/// </summary>
public sealed class SeamTests
{
	LocalDsqlEndpoint _endpoint = null!;
	readonly TestClassifier _classifier = new();

	sealed class TestClassifier : IStatementClassifier
	{
		public ConcurrentQueue<string> Seen { get; } = new();

		public StatementPlan? Classify(StatementContext context)
		{
			var s = context.Statement;
			Seen.Enqueue($"{s.TokenText(0).ToLowerInvariant()} explicit={context.Transaction.IsExplicit} n={context.Transaction.StatementCount} {context.Protocol}");

			if (s.IsKeyword(0, "truncate"))
				return StatementPlan.Refuse(s, "0A000", "unsupported statement: Truncate");

			for (var k = 0; k < s.Tokens.Count; k++)
			{
				if (s.IsKeyword(k, "forbidden"))
					return StatementPlan.Refuse(s, "0A000", "forbidden word", detail: "a detail", hint: "a hint");
				if (s.IsKeyword(k, "armed_setting"))
					return new StatementPlan { InjectBefore = ["SET test.armed = 'yes'", "SELECT 1/0"] };
				if (s.IsKeyword(k, "counted"))
					return new StatementPlan { OnExecute = t => t.Items["executions"] = (int)(t.Items.GetValueOrDefault("executions") ?? 0) + 1, State = "counted" };
				if (s.IsKeyword(k, "report_count"))
					return new StatementPlan { Sql = $"SELECT {(int)(context.Transaction.Items.GetValueOrDefault("executions") ?? 0)} AS report_count" };
			}

			return null;
		}
	}

	[OneTimeSetUp]
	public async Task StartAsync()
	{
		_endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { Classifiers = [_classifier] });
		await using var connection = await EndpointFixture.OpenAsync(endpoint: _endpoint);
		await using var command = new NpgsqlCommand("CREATE TABLE t (a int)", connection);
		await command.ExecuteNonQueryAsync();
	}

	[OneTimeTearDown]
	public async Task StopAsync() => await _endpoint.DisposeAsync();

	[Test]
	public async Task RefusalOutsideABlockPoisonsNothing()
	{
		var (client, _) = await RawPgClient.ConnectAsync(_endpoint);
		await using var __ = client;

		var refused = await client.QueryAsync("TRUNCATE t");
		refused.Select(m => m.ToString()).Should().Equal("E(0A000: unsupported statement: Truncate)", "Z(I)");
		refused[0].Fields['S'].Should().Be("ERROR");

		(await client.QueryAsync("SELECT 1")).Select(m => m.ToString()).Should().Equal("T", "D(1)", "C(SELECT 1)", "Z(I)");
	}

	[Test]
	public async Task RefusalInsideABlockAbortsIt()
	{
		var (client, _) = await RawPgClient.ConnectAsync(_endpoint);
		await using var __ = client;

		(await client.QueryAsync("BEGIN")).Last().ToString().Should().Be("Z(T)");
		(await client.QueryAsync("TRUNCATE t")).Select(m => m.ToString()).Should().Equal("E(0A000: unsupported statement: Truncate)", "Z(E)");
		(await client.QueryAsync("SELECT 1"))[0].Fields['C'].Should().Be("25P02");
		(await client.QueryAsync("COMMIT")).Select(m => m.ToString()).Should().Equal("C(ROLLBACK)", "Z(I)");
	}

	[Test]
	public async Task RefusalInAMultiStatementQueryRollsTheImplicitTransactionBack()
	{
		var (client, _) = await RawPgClient.ConnectAsync(_endpoint);
		await using var __ = client;

		var messages = await client.QueryAsync("INSERT INTO t VALUES (42); SELECT forbidden FROM t; SELECT 2");
		messages.Select(m => m.ToString()).Should().Equal("C(INSERT 0 1)", "E(0A000: forbidden word)", "Z(I)");
		messages[1].Fields['D'].Should().Be("a detail");
		messages[1].Fields['H'].Should().Be("a hint");

		(await client.QueryAsync("SELECT count(*) FROM t WHERE a = 42")).Select(m => m.ToString()).Should().Contain("D(0)");
	}

	[Test]
	public async Task RefusalKeepsBindParametersValid()
	{
		var (client, _) = await RawPgClient.ConnectAsync(_endpoint);
		await using var __ = client;

		await client.SendAsync(RawPgClient.Parse("SELECT $1::int + $2::int AS forbidden"), RawPgClient.Bind("", "", "1", "2"), RawPgClient.Execute(), RawPgClient.Sync());
		var messages = await client.ReadUntilReadyAsync();
		messages.Select(m => m.ToString()).Should().Equal("1", "2", "E(0A000: forbidden word)", "Z(I)");

		await using var connection = await EndpointFixture.OpenAsync(endpoint: _endpoint);
		await using var command = new NpgsqlCommand("SELECT @a AS forbidden", connection);
		command.Parameters.AddWithValue("a", 5);
		var act = () => command.ExecuteScalarAsync();
		(await act.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("0A000");
	}

	[Test]
	public async Task InjectedQueriesRunFirstAndTheirAnswersAreSwallowed()
	{
		var (client, _) = await RawPgClient.ConnectAsync(_endpoint);
		await using var __ = client;

		// The injected queries (one sets a flag, one fails) run before the client's statement; the client sees only its own answer.
		var messages = await client.QueryAsync("SELECT current_setting('test.armed', true) AS armed_setting");
		messages.Select(m => m.ToString()).Should().Equal("T", "D(yes)", "C(SELECT 1)", "Z(I)");

		await using var connection = await EndpointFixture.OpenAsync(endpoint: _endpoint);
		await using var command = new NpgsqlCommand("SELECT current_setting('test.armed', true) AS armed_setting, @p::int", connection);
		command.Parameters.AddWithValue("p", 1);
		(await command.ExecuteScalarAsync()).Should().Be("yes");
	}

	[Test]
	public async Task EveryExecutionOfAPreparedStatementIsSeenInItsTransaction()
	{
		var (client, _) = await RawPgClient.ConnectAsync(_endpoint);
		await using var __ = client;

		await client.SendAsync(RawPgClient.Build('Q', RawPgClient.CString("BEGIN")), RawPgClient.Parse("SELECT 1 AS counted", "named"), RawPgClient.Sync());
		await client.ReadUntilReadyAsync();
		await client.ReadUntilReadyAsync();

		for (var k = 0; k < 3; k++)
			await client.SendAsync(RawPgClient.Bind("", "named"), RawPgClient.Execute(), RawPgClient.Sync());
		for (var k = 0; k < 3; k++)
			await client.ReadUntilReadyAsync();

		(await client.QueryAsync("SELECT report_count")).Select(m => m.ToString()).Should().Contain("D(3)");
		await client.QueryAsync("COMMIT");
		(await client.QueryAsync("SELECT report_count")).Select(m => m.ToString()).Should().Contain("D(0)");
	}

	[Test]
	public async Task ClassifiersSeeTheTransactionEachStatementRunsIn()
	{
		var (client, _) = await RawPgClient.ConnectAsync(_endpoint);
		await using var __ = client;
		while (_classifier.Seen.TryDequeue(out _))
		{
		}

		await client.QueryAsync("SELECT 1; SELECT 2");
		await client.QueryAsync("BEGIN; SELECT 3");
		await client.QueryAsync("SELECT 4; COMMIT");
		await client.QueryAsync("SELECT 5");

		_classifier.Seen.Should().Equal(
			"select explicit=False n=0 Simple", "select explicit=False n=1 Simple",
			"begin explicit=False n=0 Simple", "select explicit=True n=1 Simple",
			"select explicit=True n=2 Simple", "commit explicit=True n=3 Simple",
			"select explicit=False n=0 Simple");
	}
}
