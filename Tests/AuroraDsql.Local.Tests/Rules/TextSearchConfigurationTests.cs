using Npgsql;

using NpgsqlTypes;

namespace AuroraDsql.Local.Tests.Rules;

/// <summary>
/// DSQL has only the simple text-search configuration: naming another one fails with 42704
/// <c>text search configuration "…" does not exist</c> (recorded on DSQL 2026-09-18 for literals). The endpoint answers
/// the same however the name arrives: as a literal, as a parameter, or read from a column.
/// </summary>
public sealed class TextSearchConfigurationTests
{
	[Test]
	public async Task RefusesAConfigurationOtherThanSimpleGivenAsAParameter()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		await using var command = new NpgsqlCommand("SELECT to_tsvector($1::regconfig, 'hello world')", connection);
		command.Parameters.Add(new NpgsqlParameter { Value = "english", NpgsqlDbType = NpgsqlDbType.Text });

		var error = (await FluentActions.Awaiting(() => command.ExecuteScalarAsync()).Should().ThrowAsync<PostgresException>()).Which;
		(error.SqlState, error.MessageText).Should().Be(("42704", "text search configuration \"english\" does not exist"));
	}

	[Test]
	public async Task RefusesAConfigurationOtherThanSimpleReadFromAColumn()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		var table = EndpointFixture.UniqueName("tsc");
		await EndpointFixture.ExecuteAsync(connection, $"CREATE TABLE {table} (id int PRIMARY KEY, cfg text, body text)");
		await EndpointFixture.ExecuteAsync(connection, $"INSERT INTO {table} VALUES (1, 'simple', 'The cats'), (2, 'german', 'Die Katzen')");

		(await EndpointFixture.ScalarAsync(connection, $"SELECT to_tsvector(cfg::regconfig, body)::text FROM {table} WHERE id = 1"))
			.Should().Be("'cats':2 'the':1");
		var german = async () => await EndpointFixture.ScalarAsync(connection, $"SELECT to_tsvector(cfg::regconfig, body)::text FROM {table} WHERE id = 2");
		var error = (await german.Should().ThrowAsync<PostgresException>()).Which;
		(error.SqlState, error.MessageText).Should().Be(("42704", "text search configuration \"german\" does not exist"));
	}

	[Test]
	public async Task TheOneArgumentFormsUseSimpleTheOnlyConfigurationThere()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		(await EndpointFixture.ScalarAsync(connection, "SELECT to_tsvector('The cats')::text")).Should().Be("'cats':2 'the':1");
		(await EndpointFixture.ScalarAsync(connection, "SELECT count(*) FROM pg_ts_config")).Should().Be(1L);
	}
}
