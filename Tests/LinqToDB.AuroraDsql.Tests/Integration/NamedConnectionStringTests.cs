using System.Globalization;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// <c>UseConnectionString("AuroraDSQL", cs)</c> against the local endpoint, which verifies every token as DSQL does: a string
/// without a password signs IAM tokens from the AWS credential chain or a profile (region and token lifetime as keys), a
/// password that is given is used as is, and the SDK packages that SSO profiles need are named when they are missing.
/// </summary>
[LocalEndpointOnly("tokens signed with the local endpoint's own test key, host and certificate")]
public sealed class NamedConnectionStringTests
{
	static string EndpointConnectionString(string extra = "") =>
		string.Create(CultureInfo.InvariantCulture,
			$"Host={TestDatabase.Endpoint.HostName};Port={TestDatabase.Endpoint.Port};Root Certificate={TestDatabase.Endpoint.CaCertificatePath};Region={TestDatabase.Endpoint.Region}{extra}");

	static DataConnection Connect(string connectionString) =>
		new(new DataOptions().UseConnectionString(AuroraDsqlTools.ProviderName, connectionString));

	[Test]
	public async Task AStringWithoutAPasswordSignsTokensFromTheCredentialChain()
	{
		using var _ = new AwsEnvironment();
		AwsEnvironment.Set("AWS_ACCESS_KEY_ID", TestDatabase.Endpoint.AccessKeyId);
		AwsEnvironment.Set("AWS_SECRET_ACCESS_KEY", TestDatabase.Endpoint.SecretAccessKey);

		await using var db = Connect(EndpointConnectionString(";Application Name=chain-test"));

		(await db.ExecuteAsync<string>("SELECT current_user")).Should().Be("admin");
		(await db.ExecuteAsync<string>("SELECT current_setting('application_name')")).Should().Be("chain-test");
		db.ConnectionString.Should().NotContainAny("Password", "X-Amz");
		((AuroraDsqlConnection)db.OpenDbConnection()).ConnectionString.Should().NotContainAny("Password", "X-Amz", "Region");
	}

	[Test]
	public async Task TheProfileKeyNamesTheProfileAndTheUserDecidesTheTokensAction()
	{
		var role = TestNames.Unique("app_reader");
		await using (var admin = TestDatabase.Connect())
			await admin.ExecuteAsync($"CREATE ROLE {role} WITH LOGIN");

		using var _ = new AwsEnvironment();
		AwsEnvironment.WriteConfig($"""
			[profile dsql-tests]
			aws_access_key_id = {TestDatabase.Endpoint.AccessKeyId}
			aws_secret_access_key = {TestDatabase.Endpoint.SecretAccessKey}
			""");

		// admin: DbConnectAdmin; another role: DbConnect (the endpoint refuses a token for the wrong action)
		await using (var db = Connect(EndpointConnectionString(";Profile=dsql-tests;Token Lifetime=60")))
			(await db.ExecuteAsync<string>("SELECT current_user")).Should().Be("admin");

		await using (var db = Connect(EndpointConnectionString($";Profile=dsql-tests;Username={role}")))
			(await db.ExecuteAsync<string>("SELECT current_user")).Should().Be(role);
	}

	[Test]
	public async Task TokensAreSignedForTheRegionKey()
	{
		using var _ = new AwsEnvironment();
		AwsEnvironment.Set("AWS_ACCESS_KEY_ID", TestDatabase.Endpoint.AccessKeyId);
		AwsEnvironment.Set("AWS_SECRET_ACCESS_KEY", TestDatabase.Endpoint.SecretAccessKey);

		var connectionString = EndpointConnectionString().Replace($"Region={TestDatabase.Endpoint.Region}", "Region=eu-west-1", StringComparison.Ordinal);
		await using var db = Connect(connectionString);

		await FluentActions.Awaiting(() => db.ExecuteAsync<int>("SELECT 1"))
			.Should().ThrowAsync<PostgresException>().Where(e => e.SqlState == "28P01");
	}

	[Test]
	public async Task APasswordThatIsGivenIsUsedAsIs()
	{
		using var _ = new AwsEnvironment();
		AwsEnvironment.Set("AWS_ACCESS_KEY_ID", TestDatabase.Endpoint.AccessKeyId);
		AwsEnvironment.Set("AWS_SECRET_ACCESS_KEY", TestDatabase.Endpoint.SecretAccessKey);

		// a valid token as password works without any AWS setting the provider would use
		await using (var db = Connect(TestDatabase.Endpoint.CreateConnectionString()))
			(await db.ExecuteAsync<string>("SELECT current_user")).Should().Be("admin");

		// a wrong one is sent as it is, although the credential chain could sign a good token
		var wrong = new NpgsqlConnectionStringBuilder(TestDatabase.Endpoint.CreateConnectionString()) { Password = "not-a-token", Pooling = false };
		await using var refused = Connect(wrong.ConnectionString);
		await FluentActions.Awaiting(() => refused.ExecuteAsync<int>("SELECT 1"))
			.Should().ThrowAsync<PostgresException>().Where(e => e.SqlState == "28P01");
	}

	[Test]
	public async Task AnSsoProfileWithoutTheSsoPackagesSaysWhichPackagesToAdd()
	{
		using var _ = new AwsEnvironment();
		AwsEnvironment.WriteConfig("""
			[profile dsql-sso]
			sso_start_url = https://example.awsapps.com/start
			sso_region = us-east-1
			sso_account_id = 123456789012
			sso_role_name = DsqlDeveloper
			""");

		await using var db = Connect(EndpointConnectionString(";Profile=dsql-sso"));

		// Npgsql wraps what the password provider throws
		var thrown = (await FluentActions.Awaiting(() => db.ExecuteAsync<int>("SELECT 1")).Should().ThrowAsync<NpgsqlException>())
			.WithInnerException<InvalidOperationException>();
		thrown.Which.Message.Should().Be(
			"The AWS profile 'dsql-sso' needs AWSSDK.SSO and AWSSDK.SSOOIDC, which the application does not reference: the AWS SDK loads them at run time for SSO (IAM Identity Center) credentials. Add them to the application (dotnet add package AWSSDK.SSO / AWSSDK.SSOOIDC).");
		thrown.Which.InnerException!.Message.Should().StartWith("Assembly AWSSDK.SSOOIDC could not be found or loaded");
	}

	[Test]
	public async Task AnAssumeRoleProfileWithoutSecurityTokenSaysWhichPackageToAdd()
	{
		using var _ = new AwsEnvironment();
		AwsEnvironment.WriteConfig($"""
			[profile dsql-role]
			role_arn = arn:aws:iam::123456789012:role/dsql-developer
			source_profile = dsql-base
			[profile dsql-base]
			aws_access_key_id = {TestDatabase.Endpoint.AccessKeyId}
			aws_secret_access_key = {TestDatabase.Endpoint.SecretAccessKey}
			""");

		await using var db = Connect(EndpointConnectionString(";Profile=dsql-role"));

		(await FluentActions.Awaiting(() => db.ExecuteAsync<int>("SELECT 1")).Should().ThrowAsync<NpgsqlException>())
			.WithInnerException<InvalidOperationException>().Which.Message.Should().StartWith("The AWS profile 'dsql-role' needs AWSSDK.SecurityToken, which the application does not reference");
	}
}
