using System.Data;
using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace AuroraDsql.Local.Tests;

/// <summary>
/// <c>aurora_dsql_local.fail_next_commits(…)</c> and <c>clear_commit_failures()</c>: COMMIT failures queued with SQL, for test
/// suites that cannot call <see cref="LocalDsqlEndpoint.FailNextCommits"/>. Only with <see cref="LocalDsqlEndpointOptions.AllowFaultInjection"/>
/// (or <c>--allow-fault-injection</c>), only for role admin, and nothing of the client's text reaches PostgreSQL.
/// </summary>
[NonParallelizable]
public sealed class FaultInjectionFunctionTests
{
	const string Oc000 = "change conflicts with another transaction (OC000)";

	LocalDsqlEndpoint _endpoint = null!;

	[OneTimeSetUp]
	public async Task StartAsync() =>
		_endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { AllowFaultInjection = true, Log = TestContext.Progress });

	[OneTimeTearDown]
	public async Task StopAsync()
	{
		NpgsqlConnection.ClearAllPools();
		await _endpoint.DisposeAsync();
	}

	[TearDown]
	public void ClearFailures() => _endpoint.ClearCommitFailures();

	[Test]
	public async Task FailNextCommitsMakesTheNextCommitsFailLikeAConflict()
	{
		await using var connection = await EndpointFixture.OpenAsync(endpoint: _endpoint);

		(await EndpointFixture.ScalarAsync(connection, "SELECT aurora_dsql_local.fail_next_commits(2)")).Should().Be(DBNull.Value);
		_endpoint.RemainingCommitFailures().Should().Be(2);

		for (var k = 0; k < 2; k++)
		{
			var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
			await EndpointFixture.ExecuteAsync(connection, "SELECT 1", transaction);
			var thrown = await FluentActions.Awaiting(() => transaction.CommitAsync()).Should().ThrowAsync<PostgresException>();
			thrown.Which.SqlState.Should().Be("40001");
			thrown.Which.MessageText.Should().Be(Oc000);
		}

		await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead))
			await transaction.CommitAsync();

		_endpoint.RemainingCommitFailures().Should().Be(0);
	}

	[Test]
	public async Task CodeAndFiltersAreThoseOfFailNextCommits()
	{
		await using var admin = await EndpointFixture.OpenAsync(endpoint: _endpoint);

		await EndpointFixture.ScalarAsync(admin, "SELECT aurora_dsql_local.fail_next_commits(1, 'OC001', 'orders-tests', NULL)");
		await EndpointFixture.ScalarAsync(admin, "select AURORA_DSQL_LOCAL.FAIL_NEXT_COMMITS(3, null, null, 'app_user')");

		_endpoint.RemainingCommitFailures("orders-tests").Should().Be(1);
		_endpoint.RemainingCommitFailures(role: "app_user").Should().Be(3);

		// admin's own COMMITs, without that application_name, are not affected
		await using (var transaction = await admin.BeginTransactionAsync(IsolationLevel.RepeatableRead))
			await transaction.CommitAsync();

		await using var orders = await EndpointFixture.OpenAsync(endpoint: _endpoint, configure: b => b.ApplicationName = "orders-tests");
		var failing = await orders.BeginTransactionAsync(IsolationLevel.RepeatableRead);
		await EndpointFixture.ExecuteAsync(orders, "SELECT 1", failing);
		var thrown = await FluentActions.Awaiting(() => failing.CommitAsync()).Should().ThrowAsync<PostgresException>();
		thrown.Which.SqlState.Should().Be("40001");
		thrown.Which.MessageText.Should().Be("schema has been updated by another transaction (OC001)");

		(await EndpointFixture.ScalarAsync(admin, "SELECT aurora_dsql_local.clear_commit_failures()")).Should().Be(DBNull.Value);
		_endpoint.RemainingCommitFailures().Should().Be(0);
	}

	[Test]
	public async Task WorksThroughTheExtendedProtocolAndIsQueuedOnlyWhenTheStatementCompletes()
	{
		await using var connection = await EndpointFixture.OpenAsync(endpoint: _endpoint);

		// Npgsql sends a command without parameters as Parse/Bind/Execute too
		await using (var command = new NpgsqlCommand("SELECT aurora_dsql_local.fail_next_commits(1)", connection))
		{
			await command.PrepareAsync();
			await command.ExecuteScalarAsync();
			await command.ExecuteScalarAsync();
		}

		_endpoint.RemainingCommitFailures().Should().Be(2, "each execution of the prepared call queues its failure");

		// in a failed block the call does not run, so nothing is queued
		await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead))
		{
			await FluentActions.Awaiting(() => EndpointFixture.ExecuteAsync(connection, "SELECT 1/0", transaction)).Should().ThrowAsync<PostgresException>();
			await FluentActions.Awaiting(() => EndpointFixture.ScalarAsync(connection, "SELECT aurora_dsql_local.fail_next_commits(5)"))
				.Should().ThrowAsync<PostgresException>().Where(e => e.SqlState == "25P02");
			await transaction.RollbackAsync();
		}

		_endpoint.RemainingCommitFailures().Should().Be(2);
	}

	[TestCase("SELECT aurora_dsql_local.fail_next_commits(0)", "22023", "count must be a positive integer")]
	[TestCase("SELECT aurora_dsql_local.fail_next_commits(99999999999)", "22023", "count must be a positive integer")]
	[TestCase("SELECT aurora_dsql_local.fail_next_commits(1, 'OC002')", "22023", "invalid failure code \"OC002\": use OC000, OC001 or XX000")]
	[TestCase("SELECT aurora_dsql_local.fail_next_commits(1, 'OC000', 7)", "22023", "code, application_name and role are strings (or NULL)")]
	[TestCase("SELECT aurora_dsql_local.fail_next_commits()", "42883", "function aurora_dsql_local.fail_next_commits takes 1 to 4 arguments")]
	[TestCase("SELECT aurora_dsql_local.fail_next_commits(1, 'OC000', 'a', 'b', 'c')", "42883", "function aurora_dsql_local.fail_next_commits takes 1 to 4 arguments")]
	[TestCase("SELECT aurora_dsql_local.clear_commit_failures(1)", "42883", "function aurora_dsql_local.clear_commit_failures takes no arguments")]
	[TestCase("SELECT aurora_dsql_local.pg_sleep(1)", "42883", "function aurora_dsql_local.pg_sleep does not exist")]
	[TestCase("SELECT aurora_dsql_local.fail_next_commits(1) + 1", "0A000", "aurora_dsql_local functions must be called alone, with literal arguments")]
	[TestCase("SELECT aurora_dsql_local.fail_next_commits(1 + 1)", "0A000", "aurora_dsql_local functions must be called alone, with literal arguments")]
	[TestCase("EXPLAIN SELECT aurora_dsql_local.fail_next_commits(1)", "0A000", "aurora_dsql_local functions must be called alone, with literal arguments")]
	[TestCase("CREATE TABLE aurora_dsql_local.t (a int)", "0A000", "aurora_dsql_local functions must be called alone, with literal arguments")]
	public async Task AnythingButACallWithLiteralsIsRefused(string sql, string sqlState, string message)
	{
		await using var connection = await EndpointFixture.OpenAsync(endpoint: _endpoint);

		var thrown = await FluentActions.Awaiting(() => EndpointFixture.ScalarAsync(connection, sql)).Should().ThrowAsync<PostgresException>();
		thrown.Which.SqlState.Should().Be(sqlState);
		thrown.Which.MessageText.Should().Be(message);
		thrown.Which.Hint.Should().Contain("not DSQL's");
		_endpoint.RemainingCommitFailures().Should().Be(0);
	}

	[Test]
	public async Task OnlyAdminMayCallThem()
	{
		var role = EndpointFixture.UniqueName("tester");
		await using (var admin = await EndpointFixture.OpenAsync(endpoint: _endpoint))
		{
			await EndpointFixture.ExecuteAsync(admin, $"CREATE ROLE {role} WITH LOGIN");
			await TestEndpoint.GrantIdentityAsync(admin, role);
		}

		await using var connection = await EndpointFixture.OpenAsync(role, _endpoint);
		var thrown = await FluentActions.Awaiting(() => EndpointFixture.ScalarAsync(connection, "SELECT aurora_dsql_local.fail_next_commits(1)"))
			.Should().ThrowAsync<PostgresException>();
		thrown.Which.SqlState.Should().Be("42501");
		thrown.Which.MessageText.Should().Be("permission denied for schema aurora_dsql_local");
		_endpoint.RemainingCommitFailures().Should().Be(0);
	}

	[Test]
	public async Task TheSessionStatisticsAreReadableInTheSameSchemaByAnyRole()
	{
		var role = EndpointFixture.UniqueName("reader");
		await using (var admin = await EndpointFixture.OpenAsync(endpoint: _endpoint))
		{
			await EndpointFixture.ExecuteAsync(admin, $"CREATE ROLE {role} WITH LOGIN");
			await TestEndpoint.GrantIdentityAsync(admin, role);
		}

		await using var connection = await EndpointFixture.OpenAsync(role, _endpoint);
		await EndpointFixture.ExecuteAsync(connection, "SELECT 1");
		var expected = _endpoint.GetSessionStatistics(connection.ProcessID)!;
		(await EndpointFixture.ScalarAsync(connection, "SELECT round_trips FROM aurora_dsql_local.session_statistics")).Should().Be(expected.RoundTrips);
		(await EndpointFixture.ScalarAsync(connection, "SELECT role FROM aurora_dsql_local.session_statistics")).Should().Be(role);
	}

	[Test]
	public async Task WithoutTheOptionTheFunctionsDoNotExistAsOnDsql()
	{
		await using var connection = await EndpointFixture.OpenAsync();

		var thrown = await FluentActions.Awaiting(() => EndpointFixture.ScalarAsync(connection, "SELECT aurora_dsql_local.fail_next_commits(1)"))
			.Should().ThrowAsync<PostgresException>();
		thrown.Which.SqlState.Should().Be("3F000");
		EndpointFixture.Endpoint.RemainingCommitFailures().Should().Be(0);
	}

	[Test]
	public async Task TheCommandLineEndpointTakesAllowFaultInjection()
	{
		var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
		foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "aurora-dsql-local.dll"), "--port", "0", "--allow-fault-injection" })
			start.ArgumentList.Add(argument);

		using var process = Process.Start(start)!;
		try
		{
			var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
			ready.Should().StartWith("Aurora DSQL local endpoint ready:");
			var port = int.Parse(ready!.Split(" port=")[1].Split(' ')[0], CultureInfo.InvariantCulture);
			var ca   = ready.Split(" ca=")[1];

			var lines = new List<string>();
			for (var line = await process.StandardOutput.ReadLineAsync(); line != null && !line.Contains("Ctrl+C", StringComparison.Ordinal); line = await process.StandardOutput.ReadLineAsync())
				lines.Add(line);
			lines.Should().Contain(l => l.Contains("SELECT aurora_dsql_local.fail_next_commits(n)", StringComparison.Ordinal));

			var builder = new NpgsqlConnectionStringBuilder
			{
				Host = "localhost", Port = port, Username = "admin", Database = "postgres", SslMode = SslMode.VerifyFull, RootCertificate = ca,
				Pooling = false, NoResetOnClose = true,
				Password = AuroraDsql.Signing.SigV4QuerySigner.CreateToken("localhost", "us-east-1", AuroraDsql.Signing.SigV4QuerySigner.ActionForRole("admin"),
					LocalDsqlCredential.DefaultAccessKeyId, LocalDsqlCredential.DefaultSecretAccessKey, null, DateTimeOffset.UtcNow, 900),
			};

			await using var connection = new NpgsqlConnection(builder.ConnectionString);
			await connection.OpenAsync();
			await EndpointFixture.ScalarAsync(connection, "SELECT aurora_dsql_local.fail_next_commits(1)");

			var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
			await EndpointFixture.ExecuteAsync(connection, "SELECT 1", transaction);
			await FluentActions.Awaiting(() => transaction.CommitAsync()).Should().ThrowAsync<PostgresException>().Where(e => e.SqlState == "40001");
		}
		finally
		{
			if (!process.HasExited)
				process.Kill(entireProcessTree: true);
		}
	}
}
