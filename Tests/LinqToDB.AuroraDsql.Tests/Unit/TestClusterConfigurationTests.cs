using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.DataProvider.AuroraDsql.Tests.Integration;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

/// <summary>
/// How the provider's integration tests are pointed at a cluster: the <c>DSQL_*</c> variables are read into a
/// <see cref="TestCluster"/>, mistakes are named before anything connects, and the provider is configured with only what
/// a client of a cluster has.
/// </summary>
public sealed class TestClusterConfigurationTests
{
	const string Host = "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws";

	[Table("cluster_probe")]
	sealed class Probe
	{
		[PrimaryKey] public int Id { get; set; }
	}

	static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
		name => variables.Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault();

	[Test]
	public void WithoutDsqlEndpointTheRunIsAgainstTheLocalEndpoint()
	{
		TestCluster.FromEnvironment(Environment()).Should().BeNull();
		TestCluster.FromEnvironment(Environment(("DSQL_ENDPOINT", "  "), ("DSQL_PORT", "6543"))).Should().BeNull("a blank variable counts as unset");
	}

	[Test]
	public void AnEndpointAloneMeansPort5432RoleAdminAndTheSystemTrustStore()
	{
		TestCluster.FromEnvironment(Environment(("DSQL_ENDPOINT", Host)))
			.Should().Be(new TestCluster(Host, 5432, Region: null, User: "admin", RootCertificatePath: null));
	}

	[Test]
	public void EveryVariableIsRead()
	{
		var certificate = Path.GetTempFileName();
		try
		{
			var cluster = TestCluster.FromEnvironment(Environment(
				("DSQL_ENDPOINT", " localhost "), ("DSQL_PORT", "6543"), ("DSQL_REGION", "eu-west-1"), ("DSQL_USER", "app_user"),
				("DSQL_ROOT_CERT", certificate)));

			cluster.Should().Be(new TestCluster("localhost", 6543, "eu-west-1", "app_user", certificate));
		}
		finally
		{
			File.Delete(certificate);
		}
	}

	[TestCase("https://" + Host)]
	[TestCase(Host + ":5432")]
	[TestCase(Host + "/postgres")]
	public void AnEndpointThatIsNotABareHostNameIsRefusedWithWhereThePortGoes(string endpoint)
	{
		FluentActions.Invoking(() => TestCluster.FromEnvironment(Environment(("DSQL_ENDPOINT", endpoint))))
			.Should().Throw<ArgumentException>()
			.WithMessage("DSQL_ENDPOINT takes the cluster's host name alone*without scheme, port or path; the port goes in DSQL_PORT. It is: " + endpoint);
	}

	[TestCase("postgres")]
	[TestCase("0")]
	[TestCase("65536")]
	[TestCase("-1")]
	public void APortThatIsNotATcpPortIsRefused(string port)
	{
		FluentActions.Invoking(() => TestCluster.FromEnvironment(Environment(("DSQL_ENDPOINT", Host), ("DSQL_PORT", port))))
			.Should().Throw<ArgumentException>().WithMessage($"DSQL_PORT takes a TCP port number (1 to 65535). It is: {port}");
	}

	[Test]
	public void ARootCertificateThatIsNotThereIsRefused()
	{
		var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "root.pem");

		FluentActions.Invoking(() => TestCluster.FromEnvironment(Environment(("DSQL_ENDPOINT", Host), ("DSQL_ROOT_CERT", missing))))
			.Should().Throw<ArgumentException>().WithMessage($"DSQL_ROOT_CERT names a PEM file*no file at {missing}.");
	}

	[Test]
	public void TheProviderGetsOnlyWhatAClientOfTheClusterHas()
	{
		var cluster = new TestCluster(Host, 6543, "eu-west-1", "app_user", "/etc/ssl/custom-ca.pem");

		var options = TestDatabase.Configure(new AuroraDsqlConnectionOptions(cluster.Host), cluster);

		options.Should().BeEquivalentTo(new AuroraDsqlConnectionOptions(Host)
		{
			Port                = 6543,
			Region              = "eu-west-1",
			User                = "app_user",
			RootCertificatePath = "/etc/ssl/custom-ca.pem",
		}, "tokens are signed with the AWS SDK's default credential chain (no Credentials), as for any client");
		options.Credentials.Should().BeNull();
	}

	[Test]
	public void WithoutARegionTheProviderFindsItFromTheHostName()
	{
		var options = TestDatabase.Configure(new AuroraDsqlConnectionOptions(Host), new TestCluster(Host, 5432, null, "admin", null));

		options.Region.Should().BeNull("the provider parses it from <id>.dsql.<region>.on.aws");
		AuroraDsqlTools.TryGetRegionFromEndpoint(options.Host).Should().Be("us-east-1");
	}

	[Test]
	public void UniqueNamesCarryTheRunId()
	{
		var first  = TestNames.Unique("orders");
		var second = TestNames.Unique("orders");

		first.Should().StartWith("orders_" + TestEndpoint.RunId + "_").And.NotBe(second);
		first.Should().MatchRegex("^[a-z0-9_]+$").And.HaveLength("orders_".Length + 9 + 1 + 8);
	}

	[Test]
	public void TablesOfTheTestsEntitiesCarryTheRunId()
	{
		TestDatabase.TableName<Probe>().Should().Be("cluster_probe_" + TestEndpoint.RunId);
	}
}
