using Npgsql;

namespace AuroraDsql.Local.Tests.Rules;

/// <summary>An endpoint enforcing an earlier DSQL release (2026-06-01: json columns, no jsonb, no foreign keys yet…).</summary>
public sealed class RuleVersionTests
{
	LocalDsqlEndpoint _endpoint = null!;
	NpgsqlConnection _connection = null!;

	[OneTimeSetUp]
	public async Task StartAsync()
	{
		_endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { RulesAsOf = new DateOnly(2026, 6, 1) });
		_connection = await EndpointFixture.OpenAsync(endpoint: _endpoint);
		await ExecuteAsync("CREATE TABLE parent (id uuid PRIMARY KEY, a int, js json)");
	}

	[OneTimeTearDown]
	public async Task StopAsync()
	{
		await _connection.DisposeAsync();
		await _endpoint.DisposeAsync();
	}

	async Task ExecuteAsync(string sql)
	{
		await using var command = new NpgsqlCommand(sql, _connection);
		await command.ExecuteNonQueryAsync();
	}

	[Test]
	public void TheEndpointReportsItsRuleSetDate() => _endpoint.RulesVersion.Should().Be(new DateOnly(2026, 6, 1));

	[TestCase("CREATE TABLE child (id uuid PRIMARY KEY, p uuid REFERENCES parent (id))", "0A000", "FOREIGN KEY constraint not supported")]
	[TestCase("ALTER TABLE parent ADD CONSTRAINT f FOREIGN KEY (id) REFERENCES parent (id) NOT VALID", "0A000", "unsupported ALTER TABLE ADD CONSTRAINT statement")]
	[TestCase("ALTER TABLE parent ADD CONSTRAINT c CHECK (a > 0) NOT VALID", "0A000", "unsupported ALTER TABLE ADD CONSTRAINT statement")]
	[TestCase("ALTER TABLE parent DROP COLUMN a", "0A000", "unsupported ALTER TABLE DROP COLUMN statement")]
	[TestCase("ALTER TABLE parent ALTER COLUMN a SET DEFAULT 1", "0A000", "unsupported ALTER TABLE ALTER COLUMN ... SET DEFAULT statement")]
	[TestCase("CREATE TABLE docs (id uuid PRIMARY KEY, body jsonb)", "0A000", "datatype jsonb not supported")]
	[TestCase("CREATE INDEX ASYNC ON parent (a) WHERE a > 0", "0A000", "WHERE clause not supported for CREATE INDEX")]
	[TestCase("CREATE INDEX ASYNC ON parent ((a + 1))", "0A000", "expressions are not supported in index keys")]
	[TestCase("SELECT * FROM parent FOR KEY SHARE", "0A000", "locking clauses other than FOR UPDATE are not supported")]
	[TestCase("CREATE TABLE docs (id uuid PRIMARY KEY, body json)", null, null)]
	[TestCase("CREATE TABLE ids (id bigint GENERATED ALWAYS AS IDENTITY (CACHE 1) PRIMARY KEY)", null, null)]
	public async Task EarlierDsqlBehaviour(string sql, string? sqlState, string? message)
	{
		await using var transaction = await _connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
		try
		{
			await using var command = new NpgsqlCommand(sql, _connection, transaction);
			await command.ExecuteNonQueryAsync();
			sqlState.Should().BeNull();
		}
		catch (PostgresException e)
		{
			((string?)e.SqlState, (string?)e.MessageText).Should().Be((sqlState, message));
		}
		finally
		{
			await transaction.RollbackAsync();
		}
	}
}
