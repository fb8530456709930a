using Amazon.Runtime;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Internal.DataProvider.AuroraDsql.DependencyInjection;
using LinqToDB.Mapping;
using LinqToDB.Remote;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// <c>AddAuroraDsql</c> and <c>AddAuroraDsqlContext&lt;TContext&gt;</c> (LinqToDB.AuroraDsql.Extensions) with
/// Microsoft's container, against the local endpoint.
/// </summary>
public sealed class DependencyInjectionTests
{
	/// <summary>A typed context the way linq2db.Extensions expects one: a constructor taking its typed options.</summary>
	public sealed class InventoryDb(DataOptions<InventoryDb> options) : DataConnection(options.Options);

	/// <summary>A second typed context, registered beside <see cref="InventoryDb"/>.</summary>
	public sealed class BillingDb(DataOptions<BillingDb> options) : DataConnection(options.Options);

	/// <summary>A context with a plain <see cref="DataOptions"/> constructor.</summary>
	public sealed class LegacyDb(DataOptions options) : DataConnection(options);

	/// <summary>A context linq2db could not give options to.</summary>
	public sealed class NoOptionsDb() : DataConnection();

	[Table]
	sealed class Counter
	{
		[PrimaryKey] public int Id    { get; set; }
		[Column]     public int Value { get; set; }
	}

	static void Local(AuroraDsqlServiceOptions options)
	{
		var connection = TestDatabase.Configure(new AuroraDsqlConnectionOptions(TestDatabase.HostName));
		options.Endpoint            = connection.Host;
		options.Port                = connection.Port;
		options.Region              = connection.Region;
		options.User                = connection.User;
		options.Credentials         = connection.Credentials;
		options.RootCertificatePath = connection.RootCertificatePath;
	}

	[Test]
	public async Task ATypedContextGetsItsTypedOptionsAndIsScopedByDefault()
	{
		await using var provider = new ServiceCollection().AddAuroraDsqlContext<InventoryDb>(Local).BuildServiceProvider(validateScopes: true);

		InventoryDb first, again, other;
		await using (var scope = provider.CreateAsyncScope())
		{
			first = scope.ServiceProvider.GetRequiredService<InventoryDb>();
			again = scope.ServiceProvider.GetRequiredService<InventoryDb>();
			(await first.ExecuteAsync<int>("SELECT 41 + 1")).Should().Be(42);
		}

		await using (var scope = provider.CreateAsyncScope())
			other = scope.ServiceProvider.GetRequiredService<InventoryDb>();

		again.Should().BeSameAs(first);
		other.Should().NotBeSameAs(first);
		first.Options.Should().BeSameAs(provider.GetRequiredService<DataOptions<InventoryDb>>().Options, "the options are a singleton");
		first.DataProvider.Name.Should().Be(AuroraDsqlTools.ProviderName);
	}

	[Test]
	public async Task TwoContextsRegisteredSideBySideKeepTheirOwnSettingsAndDataSources()
	{
		await using var provider = new ServiceCollection()
			.AddAuroraDsqlContext<InventoryDb>(o => { Local(o); o.ApplicationName = "inventory"; })
			.AddAuroraDsqlContext<BillingDb>(o => { Local(o); o.ApplicationName = "billing"; })
			.BuildServiceProvider(validateScopes: true);

		provider.GetRequiredKeyedService<NpgsqlDataSource>(typeof(BillingDb))
			.Should().NotBeSameAs(provider.GetRequiredKeyedService<NpgsqlDataSource>(typeof(InventoryDb)));

		await using var scope = provider.CreateAsyncScope();
		const string applicationName = "SELECT current_setting('application_name')";
		(await scope.ServiceProvider.GetRequiredService<InventoryDb>().ExecuteAsync<string>(applicationName)).Should().Be("inventory");
		(await scope.ServiceProvider.GetRequiredService<BillingDb>().ExecuteAsync<string>(applicationName)).Should().Be("billing");
	}

	[Test]
	public async Task TheSettingsAreBoundFromAConfigurationSectionThenAdjustedInCode()
	{
		var database = TestDatabase.Configure(new AuroraDsqlConnectionOptions(TestDatabase.HostName));
		var signing  = TestDatabase.SigningCredentials();
		var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
		{
			["AuroraDsql:Endpoint"]           = database.Host,
			["AuroraDsql:Region"]             = TestDatabase.Region,
			["AuroraDsql:Port"]               = database.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
			["AuroraDsql:User"]               = database.User,
			["AuroraDsql:Profile"]            = "not-used-when-credentials-are-set",
			["AuroraDsql:MaxPoolSize"]        = "3",
			["AuroraDsql:ConnectionLifetime"] = "00:20:00",
			["AuroraDsql:TokenLifetime"]      = "00:05:00",
			["AuroraDsql:CommandTimeout"]     = "00:00:45",
			["AuroraDsql:ApplicationName"]    = "inventory-api",
			["AuroraDsql:RootCertificatePath"] = database.RootCertificatePath,
			["AuroraDsql:Retry:MaxRetries"]   = "7",
			["AuroraDsql:Retry:BaseDelay"]    = "00:00:00.050",
		}).Build();

		var services = new ServiceCollection().AddAuroraDsqlContext<InventoryDb>(
			configuration.GetSection(AuroraDsqlServiceOptions.DefaultSectionName),
			o => o.Credentials = signing.UseToken
				? new SessionAWSCredentials(signing.AccessKey, signing.SecretKey, signing.Token)
				: new BasicAWSCredentials(signing.AccessKey, signing.SecretKey));

		await using var provider = services.BuildServiceProvider();

		var dataSource = provider.GetRequiredKeyedService<NpgsqlDataSource>(typeof(InventoryDb));
		var connectionString = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
		(connectionString.MaxPoolSize, connectionString.ConnectionLifetime, connectionString.CommandTimeout, connectionString.ApplicationName, connectionString.Port)
			.Should().Be((3, 1_200, 45, "inventory-api", database.Port));

		var retry = provider.GetRequiredService<DataOptions<InventoryDb>>().Options.FindOrDefault(AuroraDsqlOptions.Default).RetryOptions;
		(retry.MaxRetries, retry.BaseDelay).Should().Be((7, TimeSpan.FromMilliseconds(50)));

		var settings = provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<AuroraDsqlServiceOptions>>().Get(typeof(InventoryDb).FullName);
		var resolved = AuroraDsqlRegistration<InventoryDb>.ConnectionOptions(settings, null);
		(resolved.ProfileName, resolved.TokenLifetime, resolved.User).Should().Be(("not-used-when-credentials-are-set", TimeSpan.FromMinutes(5), TestDatabase.User));

		await using var scope = provider.CreateAsyncScope();
		(await scope.ServiceProvider.GetRequiredService<InventoryDb>().ExecuteAsync<string>("SELECT current_setting('application_name')"))
			.Should().Be("inventory-api");
	}

	[Test]
	public async Task TheDataSourceIsDisposedWithTheContainer()
	{
		var provider   = new ServiceCollection().AddAuroraDsqlContext<InventoryDb>(Local).BuildServiceProvider();
		var dataSource = provider.GetRequiredKeyedService<NpgsqlDataSource>(typeof(InventoryDb));
		await using (var connection = await dataSource.OpenConnectionAsync())
			connection.State.Should().Be(System.Data.ConnectionState.Open);

		await provider.DisposeAsync();

		await FluentActions.Awaiting(() => dataSource.OpenConnectionAsync().AsTask()).Should().ThrowAsync<ObjectDisposedException>();
	}

	[Test]
	public async Task TheUntypedRegistrationServesDataConnectionAndIDataContextAsOne()
	{
		await using var provider = new ServiceCollection().AddAuroraDsql(Local).BuildServiceProvider(validateScopes: true);
		await using var scope    = provider.CreateAsyncScope();

		var db = scope.ServiceProvider.GetRequiredService<DataConnection>();
		scope.ServiceProvider.GetRequiredService<IDataContext>().Should().BeSameAs(db);
		db.Options.Should().BeSameAs(provider.GetRequiredService<DataOptions>());
		(await db.ExecuteAsync<int>("SELECT 7")).Should().Be(7);

		await using var created = provider.GetRequiredService<IDataContextFactory<DataConnection>>().CreateDataContext();
		created.Should().NotBeSameAs(db);
		created.Options.Should().BeSameAs(db.Options);
	}

	[Test]
	public async Task AContextWithAPlainOptionsConstructorGetsTheOptions()
	{
		await using var provider = new ServiceCollection().AddAuroraDsqlContext<LegacyDb>(Local, ServiceLifetime.Transient).BuildServiceProvider();

		await using var first  = provider.GetRequiredService<LegacyDb>();
		await using var second = provider.GetRequiredService<LegacyDb>();
		second.Should().NotBeSameAs(first, "transient");
		first.Options.Should().BeSameAs(provider.GetRequiredService<DataOptions>());
		(await first.ExecuteAsync<int>("SELECT 1")).Should().Be(1);
	}

	[Test]
	public void AContextWithoutAnOptionsConstructorIsRefusedWhenRegistered()
	{
		FluentActions.Invoking(() => new ServiceCollection().AddAuroraDsqlContext<NoOptionsDb>(Local))
			.Should().Throw<ArgumentException>().WithMessage("NoOptionsDb needs a public constructor taking DataOptions<NoOptionsDb>*");
	}

	[Test]
	public async Task AMissingEndpointSaysWhichSettingToSet()
	{
		await using var provider = new ServiceCollection()
			.AddAuroraDsqlContext<InventoryDb>(new ConfigurationBuilder().Build().GetSection("AuroraDsql"))
			.BuildServiceProvider();

		FluentActions.Invoking(() => provider.GetRequiredService<DataOptions<InventoryDb>>())
			.Should().Throw<InvalidOperationException>().WithMessage("*without an endpoint*\"AuroraDsql:Endpoint\"*");
	}

	[Test]
	public async Task TheContainersLoggerFactoryReceivesNpgsqlsAndTheProvidersLogs()
	{
		var logs        = new CapturingLoggerFactory();
		var application = TestNames.Unique("di_logged");

		await using var provider = new ServiceCollection()
			.AddSingleton<ILoggerFactory>(logs)
			.AddAuroraDsqlContext<InventoryDb>(o =>
			{
				Local(o);
				o.ApplicationName = application;
				o.Retry = new AuroraDsqlRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5) };
			})
			.BuildServiceProvider();

		await using var scope = provider.CreateAsyncScope();
		var db       = scope.ServiceProvider.GetRequiredService<InventoryDb>();
		var counters = await db.CreateTableAsync<Counter>(tableName: TestNames.Unique("di_counter"));

		await using var rival = TestDatabase.Connect();

		try
		{
			await counters.InsertAsync(() => new Counter { Id = 1, Value = 0 });

			// No retry options passed: the registration's Retry applies. The first attempt loses at COMMIT to another
			// session that sets the counter to 10 and commits first (40001 OC000); the retry adds 1 to that.
			var attempt = 0;
			await db.InTransactionAsync(async (tx, ct) =>
			{
				await tx.GetTable<Counter>().TableName(counters.TableName).Set(c => c.Value, c => c.Value + 1).UpdateAsync(ct);
				if (++attempt == 1)
					await rival.GetTable<Counter>().TableName(counters.TableName).Set(c => c.Value, 10).UpdateAsync(ct);
			});

			var retry = logs.Of("LinqToDB.AuroraDsql.Transactions").Should().ContainSingle(e => e.EventId.Id == 1003).Which;
			((long)retry["DelayMs"]!).Should().BeLessThan(10, "the registration's BaseDelay of 5 ms applied");
			logs.Entries.Should().Contain(e => e.Category.StartsWith("Npgsql", StringComparison.Ordinal));
			(await counters.Select(c => c.Value).SingleAsync()).Should().Be(11);
		}
		finally
		{
			await counters.DropAsync();
		}
	}

	[Test]
	public async Task TheContextFactoryCreatesContextsOfTheirOwn()
	{
		await using var provider = new ServiceCollection().AddAuroraDsqlContext<InventoryDb>(Local).BuildServiceProvider(validateScopes: true);
		var factory = provider.GetRequiredService<IDataContextFactory<InventoryDb>>();

		await using var first  = factory.CreateDataContext();
		await using var second = factory.CreateDataContext();

		second.Should().NotBeSameAs(first);
		(await first.ExecuteAsync<int>("SELECT 3")).Should().Be(3);
	}
}
