using System.Text.Json;
using System.Web;

using Amazon;
using Amazon.Runtime;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

public sealed class DsqlAuthTokenGeneratorTests
{
	sealed record Vector(string Action, string Token);

	sealed record VectorFile(
		DateTimeOffset SigningTime, string Hostname, string Region, string AccessKeyId, string SecretAccessKey,
		string SessionToken, int ExpiresInSeconds, Vector[] Vectors);

	static readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web);

	static VectorFile LoadVectors() =>
		JsonSerializer.Deserialize<VectorFile>(
			File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "token-vectors.json")),
			_json)!;

	static Dictionary<string, string> QueryOf(string token)
	{
		token.Should().NotContain("://", "a DSQL token has no scheme");
		var query = HttpUtility.ParseQueryString(token[(token.IndexOf('?', StringComparison.Ordinal) + 1)..]);
		return query.AllKeys.ToDictionary(k => k!, k => query[k]!, StringComparer.Ordinal);
	}

	[TestCase("DbConnect")]
	[TestCase("DbConnectAdmin")]
	public void ReproducesTheOfficialSdkVectors(string action)
	{
		var v           = LoadVectors();
		var expected    = v.Vectors.Single(x => x.Action == action).Token;
		var credentials = new SessionAWSCredentials(v.AccessKeyId, v.SecretAccessKey, v.SessionToken);
		var region      = RegionEndpoint.GetBySystemName(v.Region);
		var expiresIn   = TimeSpan.FromSeconds(v.ExpiresInSeconds);

		var token = action == "DbConnectAdmin"
			? DsqlAuthTokenGenerator.GenerateDbConnectAdminAuthToken(credentials, region, v.Hostname, expiresIn, v.SigningTime)
			: DsqlAuthTokenGenerator.GenerateDbConnectAuthToken(credentials, region, v.Hostname, expiresIn, v.SigningTime);

		token.Should().StartWith(v.Hostname + "/?");
		QueryOf(token).Should().BeEquivalentTo(QueryOf(expected));
		QueryOf(token)["X-Amz-Signature"].Should().Be(QueryOf(expected)["X-Amz-Signature"]);
	}

	[Test]
	public void WithoutSessionTokenSignsNoSecurityToken()
	{
		var token = DsqlAuthTokenGenerator.GenerateDbConnectAdminAuthToken(
			new BasicAWSCredentials("AKIDEXAMPLE", "secret"), RegionEndpoint.EUWest1, "abc.dsql.eu-west-1.on.aws",
			TimeSpan.FromMinutes(5), new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));

		var query = QueryOf(token);
		query.Should().NotContainKey("X-Amz-Security-Token");
		query["X-Amz-Credential"].Should().Be("AKIDEXAMPLE/20250102/eu-west-1/dsql/aws4_request");
		query["X-Amz-Date"].Should().Be("20250102T030405Z");
		query["X-Amz-Expires"].Should().Be("300");
		query["X-Amz-SignedHeaders"].Should().Be("host");
		query["Action"].Should().Be("DbConnectAdmin");
		query["X-Amz-Signature"].Should().MatchRegex("^[0-9a-f]{64}$");
		token.Should().Contain("X-Amz-Credential=AKIDEXAMPLE%2F20250102%2Feu-west-1%2Fdsql%2Faws4_request", "the canonical query is RFC 3986 encoded");
	}

	[Test]
	public void SigningTimeInAnotherOffsetIsSignedInUtc()
	{
		var credentials = new BasicAWSCredentials("AKIDEXAMPLE", "secret");
		var utc   = DsqlAuthTokenGenerator.GenerateDbConnectAuthToken(credentials, RegionEndpoint.USEast1, "h.dsql.us-east-1.on.aws", TimeSpan.FromMinutes(1), new DateTimeOffset(2025, 1, 2, 3, 0, 0, TimeSpan.Zero));
		var local = DsqlAuthTokenGenerator.GenerateDbConnectAuthToken(credentials, RegionEndpoint.USEast1, "h.dsql.us-east-1.on.aws", TimeSpan.FromMinutes(1), new DateTimeOffset(2025, 1, 2, 5, 0, 0, TimeSpan.FromHours(2)));

		local.Should().Be(utc);
	}

	[Test]
	public void RefusesBadInput()
	{
		var credentials = new BasicAWSCredentials("AKIDEXAMPLE", "secret");
		var region      = RegionEndpoint.USEast1;

		FluentActions.Invoking(() => DsqlAuthTokenGenerator.GenerateDbConnectAuthToken(null!, region, "h", TimeSpan.FromMinutes(1)))
			.Should().Throw<ArgumentNullException>().WithParameterName("credentials");
		FluentActions.Invoking(() => DsqlAuthTokenGenerator.GenerateDbConnectAuthToken(credentials, null!, "h", TimeSpan.FromMinutes(1)))
			.Should().Throw<ArgumentNullException>().WithParameterName("region");
		FluentActions.Invoking(() => DsqlAuthTokenGenerator.GenerateDbConnectAuthToken(credentials, region, " ", TimeSpan.FromMinutes(1)))
			.Should().Throw<ArgumentException>().WithParameterName("hostname");
		FluentActions.Invoking(() => DsqlAuthTokenGenerator.GenerateDbConnectAuthToken(credentials, region, "https://h.dsql.us-east-1.on.aws", TimeSpan.FromMinutes(1)))
			.Should().Throw<ArgumentException>().WithMessage("*without a scheme*");
		FluentActions.Invoking(() => DsqlAuthTokenGenerator.GenerateDbConnectAuthToken(credentials, region, "h", TimeSpan.Zero))
			.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("expiresIn");
		FluentActions.Invoking(() => DsqlAuthTokenGenerator.GenerateDbConnectAdminAuthToken(credentials, region, "h", TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1)))
			.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("expiresIn");

		DsqlAuthTokenGenerator.GenerateDbConnectAdminAuthToken(credentials, region, "h", TimeSpan.FromDays(7))
			.Should().Contain("X-Amz-Expires=604800");
	}

	[Test]
	public async Task AsyncVariantMatchesSync()
	{
		var credentials = new BasicAWSCredentials("AKIDEXAMPLE", "secret");
		var token = await DsqlAuthTokenGenerator.GenerateDbConnectAuthTokenAsync(credentials, RegionEndpoint.USWest2, "x.dsql.us-west-2.on.aws", TimeSpan.FromMinutes(15));

		QueryOf(token)["Action"].Should().Be("DbConnect");
		QueryOf(token)["X-Amz-Credential"].Should().Contain("/us-west-2/dsql/aws4_request");
	}
}
