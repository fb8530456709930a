using Amazon.Runtime;

using LinqToDB.Data;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>UseAuroraDsql against the local endpoint, which verifies every token like DSQL does.</summary>
public sealed class IamConnectionTests
{
	const string WrongSecret = "not-the-secret-Q29uZmlkZW50aWFs";

	[Test]
	public async Task TokensFromTheProvidersGeneratorAuthenticate()
	{
		await using var db = TestDatabase.Connect();

		(await db.ExecuteAsync<string>("SELECT current_user")).Should().Be("admin");
		(await db.ExecuteAsync<string>("SHOW server_version")).Should().StartWith("16.");
	}

	[Test]
	public async Task WrongCredentialsAreRefusedWithoutEchoingSecrets()
	{
		var options = new DataOptions().UseAuroraDsql(TestDatabase.Endpoint.HostName, o => TestDatabase.Configure(o) with
		{
			Credentials = new BasicAWSCredentials(TestDatabase.Endpoint.AccessKeyId, WrongSecret),
		});

		await using var db = new DataConnection(options);

		var thrown = await FluentActions.Awaiting(() => db.ExecuteAsync<int>("SELECT 1"))
			.Should().ThrowAsync<PostgresException>();

		thrown.Which.SqlState.Should().Be("28P01");
		thrown.Which.MessageText.Should().Be("IAM authentication failed for user \"admin\"");
		thrown.Which.ToString().Should().NotContainAny(WrongSecret, "X-Amz-Signature", TestDatabase.Endpoint.SecretAccessKey);
	}

	[Test]
	public async Task TokensAreSignedForTheClustersRegion()
	{
		var options = new DataOptions().UseAuroraDsql(TestDatabase.Endpoint.HostName, o => TestDatabase.Configure(o) with { Region = "eu-west-1" });
		await using var db = new DataConnection(options);

		await FluentActions.Awaiting(() => db.ExecuteAsync<int>("SELECT 1"))
			.Should().ThrowAsync<PostgresException>().Where(e => e.SqlState == "28P01");
	}

	[Test]
	public async Task CustomRolesConnectWithDbConnectTokens()
	{
		var role = "app_reader_" + Guid.NewGuid().ToString("N")[..8];

		await using (var admin = TestDatabase.Connect())
		{
			await admin.ExecuteAsync($"CREATE ROLE {role} WITH LOGIN");
		}

		var options = new DataOptions().UseAuroraDsql(TestDatabase.Endpoint.HostName, o => TestDatabase.Configure(o) with { User = role });
		await using var db = new DataConnection(options);

		(await db.ExecuteAsync<string>("SELECT current_user")).Should().Be(role);
	}

	[Test]
	public async Task EveryPhysicalConnectionGetsAFreshToken()
	{
		var options = new DataOptions().UseAuroraDsql(TestDatabase.Endpoint.HostName, o => TestDatabase.Configure(o) with
		{
			TokenLifetime   = TimeSpan.FromSeconds(1),
			ApplicationName = "fresh-token-test",
		});

		await using (var first = new DataConnection(options))
			(await first.ExecuteAsync<int>("SELECT 1")).Should().Be(1);

		// The first token has expired; a new physical connection must bring a new one.
		await Task.Delay(TimeSpan.FromSeconds(2.5));
		NpgsqlConnection.ClearAllPools();

		await using var second = new DataConnection(options);
		(await second.ExecuteAsync<int>("SELECT 2")).Should().Be(2);
	}

	[Test]
	public async Task AnOpenSessionOutlivesItsToken()
	{
		var options = new DataOptions().UseAuroraDsql(TestDatabase.Endpoint.HostName, o => TestDatabase.Configure(o) with
		{
			TokenLifetime   = TimeSpan.FromSeconds(1),
			ApplicationName = "outlive-token-test",
		});

		await using var db = new DataConnection(options);
		await using var transaction = await db.BeginTransactionAsync();   // keeps the physical connection

		await Task.Delay(TimeSpan.FromSeconds(2.5));

		(await db.ExecuteAsync<int>("SELECT 3")).Should().Be(3);
	}
}
