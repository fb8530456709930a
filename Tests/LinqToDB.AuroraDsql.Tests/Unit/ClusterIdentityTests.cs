using LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

/// <summary>The ARN a cluster run maps to the roles its tests create (AWS IAM GRANT), from what STS GetCallerIdentity answers.</summary>
public sealed class ClusterIdentityTests
{
	[TestCase("arn:aws:sts::123456789012:assumed-role/linq2db-tests/linq2db-auroradsql-tests", "arn:aws:iam::123456789012:role/linq2db-tests")]
	[TestCase("arn:aws-us-gov:sts::123456789012:assumed-role/ci/session", "arn:aws-us-gov:iam::123456789012:role/ci")]
	[TestCase("arn:aws:iam::123456789012:user/developer", "arn:aws:iam::123456789012:user/developer")]
	[TestCase("arn:aws:iam::123456789012:role/app", "arn:aws:iam::123456789012:role/app")]
	public void AnAssumedRoleSessionIsMappedByItsRolesArn(string callerArn, string expected) =>
		ClusterIdentity.ToGrantableArn(callerArn).Should().Be(expected);
}
