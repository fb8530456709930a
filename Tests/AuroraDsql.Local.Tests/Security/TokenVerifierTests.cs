using AuroraDsql.Local.Security;
using AuroraDsql.Signing;

namespace AuroraDsql.Local.Tests.Security;

/// <summary>The verifier against the official SDK vectors (botocore unit tests, fixed clock) and against refusals.</summary>
public sealed class TokenVerifierTests
{
	// Copied from token-vectors.json (AWS SDK for Python test vectors).
	const string VectorHost = "test.dsql.us-east-1.on.aws";
	const string VectorAccessKeyId = "ACCESS_KEY";
	const string VectorSecretKey = "SECRET_KEY";
	const string VectorSessionToken = "SESSION_TOKEN";
	static readonly DateTimeOffset VectorSigningTime = new(2024, 11, 7, 17, 39, 33, TimeSpan.Zero);

	const string ConnectVector =
		"test.dsql.us-east-1.on.aws/?Action=DbConnect&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ACCESS_KEY%2F20241107%2Fus-east-1%2Fdsql%2Faws4_request" +
		"&X-Amz-Date=20241107T173933Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Security-Token=SESSION_TOKEN" +
		"&X-Amz-Signature=57fe03e060348aaa21405c239bf02572bbc911076e94dcd65c12ae569dd8fcf4";

	const string ConnectAdminVector =
		"test.dsql.us-east-1.on.aws/?Action=DbConnectAdmin&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ACCESS_KEY%2F20241107%2Fus-east-1%2Fdsql%2Faws4_request" +
		"&X-Amz-Date=20241107T173933Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Security-Token=SESSION_TOKEN" +
		"&X-Amz-Signature=5ac084bc7cabccc19a52a5d1b5c24b50d3ce143f43b659bd484c91aaf555e190";

	static readonly string[] VectorHosts = [VectorHost];

	static IamTokenVerifier Verifier(DateTimeOffset now, string? sessionToken = VectorSessionToken, string region = "us-east-1") =>
		new([new LocalDsqlCredential(VectorAccessKeyId, VectorSecretKey, sessionToken)], region, TimeSpan.FromMinutes(5), new FakeTimeProvider(now));

	[Test]
	public void OfficialVectorsVerify()
	{
		var verifier = Verifier(VectorSigningTime.AddMinutes(1));
		verifier.Verify(ConnectVector, "app_user", VectorHosts).Succeeded.Should().BeTrue();
		verifier.Verify(ConnectAdminVector, "admin", VectorHosts).Succeeded.Should().BeTrue();
	}

	[Test]
	public void ParameterOrderDoesNotMatter()
	{
		var query = ConnectAdminVector[(ConnectAdminVector.IndexOf('?') + 1)..].Split('&').Reverse();
		var reordered = VectorHost + "/?" + string.Join('&', query);
		Verifier(VectorSigningTime).Verify(reordered, "admin", VectorHosts).Succeeded.Should().BeTrue();
	}

	[Test]
	public void RoleAndActionMustMatch()
	{
		var verifier = Verifier(VectorSigningTime);
		var result = verifier.Verify(ConnectVector, "admin", VectorHosts);
		result.Succeeded.Should().BeFalse();
		result.SqlState.Should().Be("28000");
		result.Message.Should().Be("Wrong user to action mapping. user: admin, action: DbConnect");

		verifier.Verify(ConnectAdminVector, "app_user", VectorHosts).Message.Should().Be("Wrong user to action mapping. user: app_user, action: DbConnectAdmin");
	}

	[TestCase(-6, "signed in the future")]
	[TestCase(15 + 6, "expired")]
	public void SigningTimeWindowIsChecked(int minutesAfterSigning, string reason)
	{
		var result = Verifier(VectorSigningTime.AddMinutes(minutesAfterSigning)).Verify(ConnectAdminVector, "admin", VectorHosts);
		result.Succeeded.Should().BeFalse();
		result.Reason.Should().Be(reason);
		result.SqlState.Should().Be("28P01");
		result.Message.Should().Be("IAM authentication failed for user \"admin\"");
	}

	[Test]
	public void ClockSkewIsAllowed()
	{
		Verifier(VectorSigningTime.AddMinutes(-4)).Verify(ConnectAdminVector, "admin", VectorHosts).Succeeded.Should().BeTrue();
		Verifier(VectorSigningTime.AddMinutes(15 + 4)).Verify(ConnectAdminVector, "admin", VectorHosts).Succeeded.Should().BeTrue();
	}

	[Test]
	public void RefusalsNameNoSecret()
	{
		var verifier = new IamTokenVerifier([new LocalDsqlCredential("OTHER", "x")], "us-east-1", TimeSpan.FromMinutes(5), new FakeTimeProvider(VectorSigningTime));
		var result = verifier.Verify(ConnectAdminVector, "admin", VectorHosts);
		result.Reason.Should().Be("unknown access key");
		result.Message.Should().Be("IAM authentication failed for user \"admin\"");
		result.Message.Should().NotContain("SESSION_TOKEN").And.NotContain("ACCESS_KEY");
	}

	[TestCase("X-Amz-Signature=5ac0", "X-Amz-Signature=6ac0", "signature mismatch")]
	[TestCase("us-east-1%2Fdsql", "us-west-2%2Fdsql", "region mismatch")]
	[TestCase("%2Fdsql%2F", "%2Frds-db%2F", "bad credential scope")]
	[TestCase("X-Amz-Expires=900", "X-Amz-Expires=604801", "bad expiry")]
	[TestCase("X-Amz-Expires=900", "X-Amz-Expires=0", "bad expiry")]
	[TestCase("SESSION_TOKEN", "OTHER_TOKEN", "signature mismatch")]
	[TestCase("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=host%3Bx-amz-date", "unsupported signing")]
	[TestCase("test.dsql.us-east-1.on.aws/", "other.dsql.us-east-1.on.aws/", "host mismatch")]
	[TestCase("test.dsql.us-east-1.on.aws/?", "https://test.dsql.us-east-1.on.aws/?", "not a presigned URL")]
	[TestCase("&X-Amz-Date=20241107T173933Z", "", "missing parameter")]
	[TestCase("Action=DbConnectAdmin", "Action=DbConnectAdmin&Action=DbConnectAdmin", "duplicate parameter")]
	public void TamperedTokensAreRefused(string find, string replace, string reason)
	{
		var token = ConnectAdminVector.Replace(find, replace, StringComparison.Ordinal);
		var result = Verifier(VectorSigningTime).Verify(token, "admin", VectorHosts.Append("other.dsql.us-east-1.on.aws").Where(h => reason == "host mismatch" ? h == VectorHost : true).ToList());
		result.Succeeded.Should().BeFalse();
		result.Reason.Should().Be(reason);
	}

	[Test]
	public void AConfiguredSessionTokenMustBeCarried()
	{
		var unsigned = SigV4QuerySigner.CreateToken(VectorHost, "us-east-1", "DbConnectAdmin", VectorAccessKeyId, VectorSecretKey, null, VectorSigningTime, 900);
		Verifier(VectorSigningTime).Verify(unsigned, "admin", VectorHosts).Reason.Should().Be("session token mismatch");
		Verifier(VectorSigningTime, sessionToken: null).Verify(unsigned, "admin", VectorHosts).Succeeded.Should().BeTrue();
		Verifier(VectorSigningTime, sessionToken: null).Verify(ConnectAdminVector, "admin", VectorHosts).Succeeded.Should().BeTrue();
	}
}
