using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.DataProvider.PostgreSQL;
using LinqToDB.Internal.DataProvider.PostgreSQL;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

public sealed class ProviderRegistrationTests
{
	[Table("upsert_target")]
	sealed class UpsertTarget
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	[Test]
	public void ProviderNameResolvesTheAuroraDsqlProvider()
	{
		var options = new DataOptions().UseConnectionString(AuroraDsqlTools.ProviderName, "Host=localhost;Username=admin");

		using var db = new DataConnection(options);

		db.DataProvider.Name.Should().Be("AuroraDSQL");
		db.DataProvider.Should().BeAssignableTo<PostgreSQLDataProvider>()
			.Which.Version.Should().Be(PostgreSQLVersion.v15);
		db.DataProvider.Should().BeSameAs(AuroraDsqlTools.GetDataProvider());
	}

	[Test]
	public void NameIsNeverClaimedByThePostgreSqlDetector()
	{
		AuroraDsqlTools.ProviderName.Should().NotContainAny("PostgreSQL", "Npgsql");

		var postgres = PostgreSQLTools.GetDataProvider(PostgreSQLVersion.v15);
		AuroraDsqlTools.GetDataProvider().ID.Should().NotBe(postgres.ID);
		AuroraDsqlTools.GetDataProvider().MappingSchema.ConfigurationList.Should().StartWith("AuroraDSQL").And.Contain(ProviderName.PostgreSQL);
	}

	[Test]
	public void QueryCacheIsNotSharedWithPostgreSql()
	{
		// The same LINQ statement: PostgreSQL 15 renders MERGE, DSQL (which has none) UPDATE … FROM. A shared cache would hand DSQL the MERGE.
		static int Merge(DataConnection db) =>
			db.GetTable<UpsertTarget>()
				.Merge()
				.Using(db.GetTable<UpsertTarget>().Where(t => t.Id > 10))
				.On((t, s) => t.Id == s.Id - 10)
				.UpdateWhenMatched((t, s) => new UpsertTarget { Name = s.Name })
				.Merge();

		var postgresRecorder = new OfflineDatabase.OfflineRecorder();
		using (var pg = new DataConnection(new DataOptions()
			.UseConnectionFactory(PostgreSQLTools.GetDataProvider(PostgreSQLVersion.v15), _ => OfflineDatabase.CreateOfflineConnection())
			.UseInterceptor(postgresRecorder)))
		{
			Merge(pg);
		}

		postgresRecorder.OnlyCommand.Should().StartWith("MERGE INTO");

		using var dsql = OfflineDatabase.Connect(out var dsqlRecorder);
		Merge(dsql);
		dsqlRecorder.OnlyCommand.Should().StartWith("UPDATE ").And.NotContain("MERGE");
	}

	[Test]
	public void EagerLoadingTransactionsAreRepeatableRead() =>
		AuroraDsqlTools.GetDataProvider().SqlProviderFlags.DefaultMultiQueryIsolationLevel.Should().Be(System.Data.IsolationLevel.RepeatableRead);

	[TestCase(System.Data.IsolationLevel.Unspecified)]
	[TestCase(System.Data.IsolationLevel.RepeatableRead)]
	[TestCase(System.Data.IsolationLevel.Snapshot)]
	public void IsolationLevelsDsqlRuns(System.Data.IsolationLevel level) =>
		AuroraDsqlConnection.ToDsqlIsolationLevel(level).Should().Be(System.Data.IsolationLevel.RepeatableRead);

	[TestCase(System.Data.IsolationLevel.ReadCommitted)]
	[TestCase(System.Data.IsolationLevel.ReadUncommitted)]
	[TestCase(System.Data.IsolationLevel.Serializable)]
	[TestCase(System.Data.IsolationLevel.Chaos)]
	public void IsolationLevelsDsqlRefuses(System.Data.IsolationLevel level) =>
		FluentActions.Invoking(() => AuroraDsqlConnection.ToDsqlIsolationLevel(level))
			.Should().Throw<AuroraDsqlNotSupportedException>()
			.WithMessage($"*REPEATABLE READ*refuses {level}*BeginTransaction() without a level*");
}
