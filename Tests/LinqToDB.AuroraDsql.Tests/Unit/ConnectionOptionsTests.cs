using Amazon;
using Amazon.Runtime;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

public sealed class ConnectionOptionsTests
{
	const string Endpoint = "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws";

	static readonly BasicAWSCredentials _credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRETKEY");

	static NpgsqlConnectionStringBuilder ConnectionStringOf(DataOptions options)
	{
		var connection = options.ConnectionOptions.ConnectionFactory!(options);
		connection.Should().BeOfType<AuroraDsqlConnection>();
		return new NpgsqlConnectionStringBuilder(((AuroraDsqlConnection)connection).NpgsqlConnection.ConnectionString);
	}

	[Test]
	public void DefaultsMatchDsqlRecommendations()
	{
		var builder = ConnectionStringOf(new DataOptions().UseAuroraDsql(Endpoint, o => o with { Credentials = _credentials }));

		builder.Host.Should().Be(Endpoint);
		builder.Port.Should().Be(5432);
		builder.Username.Should().Be("admin");
		builder.Database.Should().Be("postgres");
		builder.SslMode.Should().Be(SslMode.VerifyFull);
		builder.SslNegotiation.Should().Be(SslNegotiation.Direct);
		builder.MaxPoolSize.Should().Be(10);
		builder.MinPoolSize.Should().Be(0);
		builder.ConnectionLifetime.Should().Be(3300);
		builder.ConnectionIdleLifetime.Should().Be(600);
		builder.Enlist.Should().BeTrue("connections enlist in an ambient TransactionScope, as Npgsql's do");
		builder.NoResetOnClose.Should().BeTrue();
		builder.WriteBufferSize.Should().Be(65536);
		builder.ApplicationName.Should().StartWith("linq2db-auroradsql/");
		builder.Password.Should().BeNull("the token is supplied per physical connection, never stored in the connection string");
	}

	[Test]
	public void EverySettingReachesTheConnectionString()
	{
		var options = new DataOptions().UseAuroraDsql(Endpoint, o => o with
		{
			User                      = "app_reader",
			Port                      = 6543,
			Credentials               = _credentials,
			SslNegotiation            = SslNegotiation.Postgres,
			MaxPoolSize               = 25,
			MinPoolSize               = 2,
			ConnectionLifetime        = TimeSpan.FromMinutes(30),
			ConnectionIdleLifetime    = TimeSpan.FromMinutes(1),
			ApplicationName           = "orders",
			CommandTimeout            = TimeSpan.FromSeconds(90),
			ConfigureConnectionString = b => { b.KeepAlive = 30; b.Enlist = false; b.Password = "nope"; b.WriteBufferSize = 8192; },
		});

		var builder = ConnectionStringOf(options);

		builder.Username.Should().Be("app_reader");
		builder.Port.Should().Be(6543);
		builder.SslNegotiation.Should().Be(SslNegotiation.Postgres);
		builder.MaxPoolSize.Should().Be(25);
		builder.MinPoolSize.Should().Be(2);
		builder.ConnectionLifetime.Should().Be(1800);
		builder.ConnectionIdleLifetime.Should().Be(60);
		builder.ApplicationName.Should().Be("orders");
		builder.CommandTimeout.Should().Be(90);
		builder.KeepAlive.Should().Be(30, "the hook can adjust anything else");
		builder.WriteBufferSize.Should().Be(8192);
		builder.Enlist.Should().BeFalse("the hook can keep connections out of TransactionScopes");
		builder.Password.Should().BeNull();
	}

	[Test]
	public void ClusterIdAndRegionOverload()
	{
		var builder = ConnectionStringOf(new DataOptions().UseAuroraDsql("abcdefghijklmnopqrstuvwxyz", RegionEndpoint.EUCentral1, o => o with { Credentials = _credentials }));

		builder.Host.Should().Be("abcdefghijklmnopqrstuvwxyz.dsql.eu-central-1.on.aws");
	}

	[Test]
	public void SameSettingsShareOneDataSourceEvenWithNewCredentialObjects()
	{
		static Npgsql.NpgsqlDataSource DataSource(string secret, string app) =>
			LinqToDB.Internal.DataProvider.AuroraDsql.Connections.DataSourceFactory.GetOrCreate(new AuroraDsqlConnectionOptions(Endpoint)
			{
				Credentials     = new BasicAWSCredentials("AKIDEXAMPLE", secret),
				ApplicationName = app,
			});

		var first  = DataSource("secret-1", "shared-pool");
		var second = DataSource("secret-1", "shared-pool");

		second.Should().BeSameAs(first, "options built per call must not leak a pool per call");
		DataSource("secret-1", "other-pool").Should().NotBeSameAs(first);
		DataSource("secret-2", "shared-pool").Should().NotBeSameAs(first, "other credentials sign other tokens");
	}

	sealed class CustomCredentials : AWSCredentials
	{
		public override ImmutableCredentials GetCredentials() => new("AKIDEXAMPLE", "custom-secret", null);
	}

	[Test]
	public void OtherCredentialProvidersGetADataSourcePerInstance()
	{
		static Npgsql.NpgsqlDataSource DataSource(AWSCredentials credentials) =>
			LinqToDB.Internal.DataProvider.AuroraDsql.Connections.DataSourceFactory.GetOrCreate(new AuroraDsqlConnectionOptions(Endpoint)
			{
				Credentials     = credentials,
				ApplicationName = "per-instance",
			});

		var credentials = new CustomCredentials();
		DataSource(credentials).Should().BeSameAs(DataSource(credentials));

		// Many instances, as a multi-tenant application makes them: no two may ever share a pool (and so a signer).
		var sources = Enumerable.Range(0, 2_000).Select(_ => DataSource(new CustomCredentials())).ToList();
		sources.Distinct().Should().HaveCount(sources.Count);
	}

	[TestCase("abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws", "us-east-1")]
	[TestCase("abcdefghijklmnopqrstuvwxyz.dsql.eu-west-2.on.aws", "eu-west-2")]
	[TestCase("abcdefghijklmnopqrstuvwxyz.dsql-gamma.ap-northeast-1.on.aws", "ap-northeast-1")]
	[TestCase("ABCDEFGHIJKLMNOPQRSTUVWXYZ.DSQL.US-WEST-2.ON.AWS", "US-WEST-2")]
	[TestCase("localhost", null)]
	[TestCase("mydb.cluster-xyz.us-east-1.rds.amazonaws.com", null)]
	[TestCase("abc.dsql.us-east-1.on.aws.evil.example", null)]
	public void RegionIsParsedFromTheEndpoint(string host, string? region) =>
		AuroraDsqlTools.TryGetRegionFromEndpoint(host).Should().Be(region);

	[Test]
	public void ClusterIdsAreValidated()
	{
		AuroraDsqlTools.GetClusterEndpoint("abcdefghijklmnopqrstuvwxyz", "us-east-1").Should().Be(Endpoint);

		FluentActions.Invoking(() => AuroraDsqlTools.GetClusterEndpoint("short", "us-east-1"))
			.Should().Throw<ArgumentException>().WithMessage("*not an Aurora DSQL cluster id*");
		FluentActions.Invoking(() => AuroraDsqlTools.GetClusterEndpoint("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "us-east-1"))
			.Should().Throw<ArgumentException>();
	}

	static void ShouldRefuse(Func<AuroraDsqlConnectionOptions, AuroraDsqlConnectionOptions> configure, string message) =>
		FluentActions.Invoking(() => new DataOptions().UseAuroraDsql(Endpoint, o => configure(o with { Credentials = _credentials })))
			.Should().Throw<ArgumentException>().WithMessage(message);

	[Test]
	public void TokenLifetimeIsBetweenOneSecondAndSevenDays()
	{
		ShouldRefuse(o => o with { TokenLifetime = TimeSpan.Zero }, "*TokenLifetime must be between 1 second and 7 days*");
		ShouldRefuse(o => o with { TokenLifetime = TimeSpan.FromDays(8) }, "*TokenLifetime*");
		new DataOptions().UseAuroraDsql(Endpoint, o => o with { Credentials = _credentials, TokenLifetime = TimeSpan.FromDays(7) });
	}

	[Test]
	public void BadSettingsAreRefusedWhileConfiguring()
	{
		ShouldRefuse(o => o with { Host = " " }, "*endpoint (Host) is empty*");
		ShouldRefuse(o => o with { Host = "https://" + Endpoint }, "*bare host name*");
		ShouldRefuse(o => o with { Host = Endpoint + ":5432" }, "*bare host name*");
		ShouldRefuse(o => o with { User = "" }, "*role (User) is empty*");
		ShouldRefuse(o => o with { Port = 0 }, "*Port must be between 1 and 65535*");
		ShouldRefuse(o => o with { MaxPoolSize = 0 }, "*Pool sizes*");
		ShouldRefuse(o => o with { MinPoolSize = 11 }, "*Pool sizes*");
		ShouldRefuse(o => o with { ConnectionLifetime = TimeSpan.FromMinutes(60) }, "*under DSQL's 60-minute*");
		ShouldRefuse(o => o with { ConnectionLifetime = TimeSpan.Zero }, "*must be positive*zero as no limit*");

		FluentActions.Invoking(() => new DataOptions().UseAuroraDsql(Endpoint, o => o with { RootCertificatePath = "/nonexistent/root.pem" }))
			.Should().Throw<FileNotFoundException>().WithMessage("*root certificate file*");
	}

	[Test]
	public void RegionMustBeKnownForNonDsqlHostNames()
	{
		Assume.That(Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION"), Is.Null,
			"a default region is configured on this machine");

		ShouldRefuse(o => o with { Host = "db.internal.example", Region = null }, "*Cannot tell the AWS region*Set Region*");
	}

	[Test]
	public void ExplicitRegionWinsForNonDsqlHostNames()
	{
		var builder = ConnectionStringOf(new DataOptions().UseAuroraDsql("localhost", o => o with { Region = "us-west-2", Credentials = _credentials }));

		builder.Host.Should().Be("localhost");
	}

	[Test]
	public void ToStringNeverShowsSecrets()
	{
		var options = new AuroraDsqlConnectionOptions(Endpoint)
		{
			Credentials = new SessionAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRETKEY", "SESSIONTOKENSECRET"),
		};

		var text = options.ToString();

		text.Should().Contain(Endpoint).And.Contain("SessionAWSCredentials");
		text.Should().NotContainAny("SECRETKEY", "SESSIONTOKENSECRET", "AKIDEXAMPLE");
	}
}
