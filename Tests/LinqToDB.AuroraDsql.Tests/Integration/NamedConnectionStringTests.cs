using System.Globalization;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// <c>UseConnectionString("AuroraDSQL", cs)</c> against the run's database (local endpoint or cluster), which verifies every
/// token: a string without a password signs IAM tokens from the AWS credential chain or a profile (region and token lifetime
/// as keys), a password that is given is used as is, and the SDK packages that SSO profiles need are named when they are
/// missing. The credentials written into the environment or a profile are the ones the run signs with (the local
/// endpoint's test key, or what the machine's credential chain gives for a cluster).
/// </summary>
public sealed class NamedConnectionStringTests
{
	/// <summary>The run's database in the provider's connection-string keys: host, port, user, and the CA and region where the run names them.</summary>
	static string DatabaseConnectionString(string extra = "", string? region = null, string? user = null)
	{
		var cluster = TestDatabase.Cluster;
		var port    = cluster?.Port ?? TestDatabase.Endpoint.Port;
		var ca      = cluster is null ? TestDatabase.Endpoint.CaCertificatePath : cluster.RootCertificatePath;
		region    ??= cluster is null ? TestDatabase.Endpoint.Region : cluster.Region;

		var text = string.Create(CultureInfo.InvariantCulture, $"Host={TestDatabase.HostName};Port={port};Username={user ?? TestDatabase.User}");
		if (ca != null)
			text += ";Root Certificate=" + ca;
		if (region != null)
			text += ";Region=" + region;
		return text + extra;
	}

	/// <summary>Puts the run's signing credentials in the environment, as a user's deployment would (call inside an <see cref="AwsEnvironment"/>).</summary>
	static void SetCredentialVariables(Amazon.Runtime.ImmutableCredentials credentials)
	{
		AwsEnvironment.Set("AWS_ACCESS_KEY_ID", credentials.AccessKey);
		AwsEnvironment.Set("AWS_SECRET_ACCESS_KEY", credentials.SecretKey);
		if (!string.IsNullOrEmpty(credentials.Token))
			AwsEnvironment.Set("AWS_SESSION_TOKEN", credentials.Token);
	}

	/// <summary>The <c>aws_…</c> lines of a profile holding the run's signing credentials.</summary>
	static string ProfileKeys(Amazon.Runtime.ImmutableCredentials credentials) =>
		$"aws_access_key_id = {credentials.AccessKey}\naws_secret_access_key = {credentials.SecretKey}\n" +
		(string.IsNullOrEmpty(credentials.Token) ? "" : $"aws_session_token = {credentials.Token}\n");

	static DataConnection Connect(string connectionString) =>
		new(new DataOptions().UseConnectionString(AuroraDsqlTools.ProviderName, connectionString));

	[Test]
	public async Task AStringWithoutAPasswordSignsTokensFromTheCredentialChain()
	{
		var credentials = TestDatabase.SigningCredentials();
		using var _ = new AwsEnvironment();
		SetCredentialVariables(credentials);

		await using var db = Connect(DatabaseConnectionString(";Application Name=chain-test"));

		(await db.ExecuteAsync<string>("SELECT current_user")).Should().Be(TestDatabase.User);
		(await db.ExecuteAsync<string>("SELECT current_setting('application_name')")).Should().Be("chain-test");
		db.ConnectionString.Should().NotContainAny("Password", "X-Amz");
		((AuroraDsqlConnection)db.OpenDbConnection()).ConnectionString.Should().NotContainAny("Password", "X-Amz", "Region");
	}

	[Test]
	public async Task TheProfileKeyNamesTheProfileAndTheUserDecidesTheTokensAction()
	{
		var role = TestNames.Unique("app_reader");
		await using (var admin = TestDatabase.Connect())
		{
			await admin.ExecuteAsync($"CREATE ROLE {role} WITH LOGIN");
			await admin.ExecuteAsync($"AWS IAM GRANT {role} TO '{TestEndpoint.IdentityArn}'");
		}

		var credentials = TestDatabase.SigningCredentials();
		using var _ = new AwsEnvironment();
		AwsEnvironment.WriteConfig("[profile dsql-tests]\n" + ProfileKeys(credentials));

		// admin: DbConnectAdmin; another role: DbConnect (a token for the wrong action is refused)
		await using (var db = Connect(DatabaseConnectionString(";Profile=dsql-tests;Token Lifetime=60", user: "admin")))
			(await db.ExecuteAsync<string>("SELECT current_user")).Should().Be("admin");

		await using (var db = Connect(DatabaseConnectionString(";Profile=dsql-tests", user: role)))
			(await db.ExecuteAsync<string>("SELECT current_user")).Should().Be(role);
	}

	[Test]
	public async Task TokensAreSignedForTheRegionKey()
	{
		var credentials = TestDatabase.SigningCredentials();
		var otherRegion = TestDatabase.Region == "eu-west-1" ? "us-west-2" : "eu-west-1";
		using var _ = new AwsEnvironment();
		SetCredentialVariables(credentials);

		await using var db = Connect(DatabaseConnectionString(region: otherRegion));

		await FluentActions.Awaiting(() => db.ExecuteAsync<int>("SELECT 1"))
			.Should().ThrowAsync<PostgresException>().Where(e => e.SqlState == "28P01");
	}

	[Test]
	public async Task APasswordThatIsGivenIsUsedAsIs()
	{
		var credentials = TestDatabase.SigningCredentials();
		var withToken   = TestDatabase.CreateConnectionStringWithToken();
		using var _ = new AwsEnvironment();

		// a valid token as password works without any AWS setting the provider would use
		await using (var db = Connect(withToken))
			(await db.ExecuteAsync<string>("SELECT current_user")).Should().Be(TestDatabase.User);

		// a wrong one is sent as it is, although the credential chain could sign a good token
		SetCredentialVariables(credentials);
		var wrong = new NpgsqlConnectionStringBuilder(withToken) { Password = "not-a-token", Pooling = false };
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

		await using var db = Connect(DatabaseConnectionString(";Profile=dsql-sso"));

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
		AwsEnvironment.WriteConfig("""
			[profile dsql-role]
			role_arn = arn:aws:iam::123456789012:role/dsql-developer
			source_profile = dsql-base
			[profile dsql-base]
			aws_access_key_id = AKIAIOSFODNN7EXAMPLE
			aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
			""");

		await using var db = Connect(DatabaseConnectionString(";Profile=dsql-role"));

		(await FluentActions.Awaiting(() => db.ExecuteAsync<int>("SELECT 1")).Should().ThrowAsync<NpgsqlException>())
			.WithInnerException<InvalidOperationException>().Which.Message.Should().StartWith("The AWS profile 'dsql-role' needs AWSSDK.SecurityToken, which the application does not reference");
	}
}
