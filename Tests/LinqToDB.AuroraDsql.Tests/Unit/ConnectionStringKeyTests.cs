using LinqToDB.Configuration;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Internal.DataProvider.AuroraDsql.Connections;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

/// <summary>
/// Connection strings given by name (<c>UseConnectionString("AuroraDSQL", …)</c>, configuration): the provider's own keys
/// (Region, Token Lifetime, Profile) are taken out before Npgsql sees the string, bad keys are refused with an error that
/// names them, and a string without a password gets one pooled, token-signing data source. Nothing here connects.
/// </summary>
public sealed class ConnectionStringKeyTests
{
	const string Endpoint = "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws";

	static NpgsqlConnectionStringBuilder ConnectionStringOf(string connectionString)
	{
		using var db = new DataConnection(new DataOptions().UseConnectionString(AuroraDsqlTools.ProviderName, connectionString));
		var connection = ((AuroraDsqlConnection)db.DataProvider.CreateConnection(connectionString)).NpgsqlConnection;
		return new NpgsqlConnectionStringBuilder(connection.ConnectionString);
	}

	[Test]
	public void AStringWithoutAPasswordGetsTheDefaultsOfUseAuroraDsqlAndNoProviderKey()
	{
		var builder = ConnectionStringOf($"Host={Endpoint};Region=us-east-1;Token Lifetime=300;Profile=prod");

		builder.Host.Should().Be(Endpoint);
		builder.Port.Should().Be(5432);
		builder.Username.Should().Be("admin");
		builder.Database.Should().Be("postgres");
		builder.SslMode.Should().Be(SslMode.VerifyFull);
		builder.SslNegotiation.Should().Be(SslNegotiation.Direct);
		builder.MaxPoolSize.Should().Be(10);
		builder.ConnectionLifetime.Should().Be(3300);
		builder.NoResetOnClose.Should().BeTrue();
		builder.ApplicationName.Should().StartWith("linq2db-auroradsql/");
		builder.Password.Should().BeNull("the token is supplied per physical connection, never stored in the connection string");
		builder.ConnectionString.Should().NotContainAny("Region", "Profile", "Lifetime=300");
	}

	[Test]
	public void NpgsqlKeysOfTheStringOverrideTheDefaults()
	{
		var builder = ConnectionStringOf($"Server={Endpoint};Port=6543;User ID=app_reader;Database=postgres;Region=us-east-1;Maximum Pool Size=3;SSL Negotiation=Postgres;Application Name=orders;Timeout=7");

		builder.Host.Should().Be(Endpoint);
		builder.Port.Should().Be(6543);
		builder.Username.Should().Be("app_reader");
		builder.MaxPoolSize.Should().Be(3);
		builder.SslNegotiation.Should().Be(SslNegotiation.Postgres);
		builder.ApplicationName.Should().Be("orders");
		builder.Timeout.Should().Be(7);
	}

	[Test]
	public void TheProvidersKeysBecomeTheTokenSettings()
	{
		var options = ParsedConnectionString.Parse($"Host={Endpoint};Username=app_writer;REGION=eu-west-1;tokenlifetime=60;profile=ci").ToConnectionOptions();

		options.Host.Should().Be(Endpoint);
		options.User.Should().Be("app_writer");
		options.Region.Should().Be("eu-west-1");
		options.TokenLifetime.Should().Be(TimeSpan.FromMinutes(1));
		options.ProfileName.Should().Be("ci");
		options.Credentials.Should().BeNull("tokens are signed from the AWS credential chain or the profile");
	}

	[Test]
	public void OneDataSourcePerDistinctConnectionStringSharedWithUseAuroraDsql()
	{
		var connectionString = $"Host={Endpoint};Username=pool_probe_{Guid.NewGuid():N}";

		var first  = ConnectionStrings.TokenDataSource(connectionString);
		var second = ConnectionStrings.TokenDataSource(connectionString);
		var other  = ConnectionStrings.TokenDataSource(connectionString + ";Maximum Pool Size=4");

		second.Should().BeSameAs(first);
		other.Should().NotBeSameAs(first);

		var user = new NpgsqlConnectionStringBuilder(connectionString).Username!;
		DataSourceFactory.GetOrCreate(new AuroraDsqlConnectionOptions(Endpoint) { User = user }).Should().BeSameAs(first, "the same settings share one pool");
	}

	[Test]
	public void AStringWithAPasswordIsUsedAsIs()
	{
		var builder = ConnectionStringOf("Host=localhost;Port=6000;Username=admin;Password=localhost/?X-Amz-Signature=abc;SSL Mode=Disable");

		builder.Password.Should().Be("localhost/?X-Amz-Signature=abc");
		builder.SslMode.Should().Be(SslMode.Disable, "a string with a password keeps its own settings");
		builder.MaxPoolSize.Should().Be(100, "Npgsql's default: no provider defaults are applied");
		builder.NoResetOnClose.Should().BeTrue("DSQL has no DISCARD ALL");
	}

	[TestCase("Host=h;Regoin=us-east-1", "'Regoin' is neither an Npgsql key nor one of the Aurora DSQL provider's (Region, Token Lifetime, Profile)")]
	[TestCase("Host=h;AccessKey=AKIA", "'AccessKey' is neither an Npgsql key")]
	[TestCase("Host=h;Token Lifetime=0", "'Token Lifetime' takes the token lifetime in seconds, from 1 to 604800 (7 days); got '0'")]
	[TestCase("Host=h;TokenLifetime=15m", "'TokenLifetime' takes the token lifetime in seconds")]
	[TestCase("Host=h;Token Lifetime=604801", "'Token Lifetime' takes the token lifetime in seconds")]
	[TestCase("Host=h;Region= ", "'Region' is empty: give an AWS region, for example Region=us-east-1")]
	[TestCase("Host=h;Profile=", "'Profile' is empty")]
	[TestCase("Host=h;Port=fifty", "'Port' has a value Npgsql does not accept")]
	[TestCase("Host=h;Password=secret-token;Region=us-east-1", "has a Password, which is used as is, and Region, which only apply to the IAM tokens")]
	[TestCase("Host=h;Password=secret-token;Profile=ci;Token Lifetime=60", "and Token Lifetime, Profile, which only apply")]
	public void BadKeysAreRefusedNamingTheKey(string connectionString, string message)
	{
		var open = () => ConnectionStringOf(connectionString);

		open.Should().Throw<ArgumentException>().Which.Message.Should().Contain(message).And.NotContain("secret-token");
	}

	[Test]
	public void AMalformedStringIsRefusedWithoutEchoingIt() =>
		FluentActions.Invoking(() => ConnectionStringOf("Host=h;Password='unterminated-secret"))
			.Should().Throw<ArgumentException>().Which.Message.Should().StartWith("The Aurora DSQL connection string is malformed").And.NotContain("unterminated-secret");

	[TestCase("Username=admin;Region=us-east-1", "has no Host")]
	[TestCase("Host=a.dsql.us-east-1.on.aws,b.dsql.us-east-1.on.aws", "names several hosts")]
	[TestCase("Host=h.example.com", "Cannot tell the AWS region of 'h.example.com'")]
	public void AStringThatCannotSignATokenIsRefusedBeforeConnecting(string connectionString, string message)
	{
		using var _ = new AwsEnvironment();   // no AWS_REGION from the machine

		FluentActions.Invoking(() => ConnectionStringOf(connectionString)).Should().Throw<ArgumentException>().WithMessage($"*{message}*");
	}

	[Test]
	public void TheFactoryGivesTheProviderByTypeName()
	{
		var type = Type.GetType("LinqToDB.DataProvider.AuroraDsql.AuroraDsqlFactory, LinqToDB.AuroraDsql", throwOnError: true)!;
		var factory = (IDataProviderFactory)Activator.CreateInstance(type)!;

		factory.GetDataProvider([]).Should().BeSameAs(AuroraDsqlTools.GetDataProvider());
		DataConnection.GetRegisteredProviders().Should().ContainKey(AuroraDsqlTools.ProviderName);
	}

	[Test]
	public void TheFactoryRefusesAttributesNamingThem() =>
		FluentActions.Invoking(() => new AuroraDsqlFactory().GetDataProvider([new NamedValue { Name = "version", Value = "16" }]))
			.Should().Throw<ArgumentException>().WithMessage("The Aurora DSQL provider takes no attribute 'version'*");
}
