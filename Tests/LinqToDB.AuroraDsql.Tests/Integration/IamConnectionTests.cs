using Amazon.Runtime;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;

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

		(await db.ExecuteAsync<string>("SELECT current_user")).Should().Be(TestDatabase.User);
		(await db.ExecuteAsync<string>("SHOW server_version")).Should().StartWith("16.");
	}

	[Test]
	public async Task WrongCredentialsAreRefusedWithoutEchoingSecrets()
	{
		var signing = TestDatabase.SigningCredentials();
		var options = TestDatabase.CreateOptions(o => o with
		{
			Credentials = new BasicAWSCredentials(signing.AccessKey, WrongSecret),
		});

		await using var db = new DataConnection(options);

		var thrown = await FluentActions.Awaiting(() => db.ExecuteAsync<int>("SELECT 1"))
			.Should().ThrowAsync<PostgresException>();

		if (TestDatabase.Cluster is null)
			thrown.Which.SqlState.Should().Be("28P01");
		else
			thrown.Which.SqlState.Should().StartWith("28", "an authentication failure (DSQL does not document which code of class 28)");
		thrown.Which.MessageText.Should().Be($"IAM authentication failed for user \"{TestDatabase.User}\"");
		thrown.Which.ToString().Should().NotContainAny(WrongSecret, "X-Amz-Signature", signing.SecretKey);
	}

	[Test]
	public async Task TokensAreSignedForTheClustersRegion()
	{
		var options = TestDatabase.CreateOptions(o => o with { Region = "eu-west-1" });
		await using var db = new DataConnection(options);

		await FluentActions.Awaiting(() => db.ExecuteAsync<int>("SELECT 1"))
			.Should().ThrowAsync<PostgresException>().Where(e => e.SqlState == "28P01");
	}

	[Test]
	public async Task CustomRolesConnectWithDbConnectTokens()
	{
		var role = TestNames.Unique("app_reader");

		await using var admin = TestDatabase.Connect();
		await admin.ExecuteAsync($"CREATE ROLE {role} WITH LOGIN");
		// As on DSQL: the IAM identity the tokens come from must be mapped to the role.
		await admin.ExecuteAsync($"AWS IAM GRANT {role} TO '{TestEndpoint.IdentityArn}'");

		try
		{
			var options = TestDatabase.CreateOptions(o => o with { User = role });
			await using var db = new DataConnection(options);

			(await db.ExecuteAsync<string>("SELECT current_user")).Should().Be(role);
		}
		finally
		{
			NpgsqlConnection.ClearAllPools();
			await admin.ExecuteAsync($"AWS IAM REVOKE {role} FROM '{TestEndpoint.IdentityArn}'");
			await admin.ExecuteAsync($"DROP ROLE {role}");
		}
	}

	[Test]
	public async Task EveryPhysicalConnectionGetsAFreshToken()
	{
		var options = TestDatabase.CreateOptions(o => o with
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
		var options = TestDatabase.CreateOptions(o => o with
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
