using System.Net;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

/// <summary>What DSQL cannot do is refused with an actionable message before anything is sent.</summary>
public sealed class UnsupportedFeatureTests
{
	[Table("item")]
	sealed class Item
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	[Table("with_array")]
	sealed class WithArray
	{
		[PrimaryKey] public int   Id   { get; set; }
		[Column]     public int[] Tags { get; set; } = [];
	}

	[Table("with_money")]
	sealed class WithMoney
	{
		[PrimaryKey] public int Id { get; set; }
		[Column(DataType = DataType.Money)] public decimal Price { get; set; }
	}

	[Table("with_inet")]
	sealed class WithInet
	{
		[PrimaryKey] public int Id { get; set; }
		[Column] public IPAddress? Address { get; set; }
	}

	[Table("with_serial")]
	sealed class WithSerialDbType
	{
		[PrimaryKey, Column(DbType = "serial")] public int Id { get; set; }
	}

	[Table("with_int_identity_dbtype")]
	sealed class WithIntIdentityDbType
	{
		[PrimaryKey, Identity, Column(DbType = "integer")] public int Id { get; set; }
	}

	[Table("with_bare_numeric")]
	sealed class WithBareNumericDbType
	{
		[PrimaryKey] public int Id { get; set; }
		[Column(DbType = "numeric")] public decimal Amount { get; set; }
	}

	[Table("with_json_list")]
	sealed class WithJsonList
	{
		[PrimaryKey] public int Id { get; set; }
		[Column(DataType = DataType.BinaryJson)] public List<string> Tags { get; set; } = [];
	}

	[Table("binary_key")]
	sealed class BinaryKey
	{
		[PrimaryKey] public byte[] Hash { get; set; } = [];
	}

	[Table("interval_key")]
	sealed class IntervalKey
	{
		[PrimaryKey(1)] public int Id { get; set; }
		[PrimaryKey(2)] public TimeSpan Span { get; set; }
	}

	[Table("always_uuid")]
	sealed class AlwaysGeneratedUuid
	{
		[PrimaryKey, Identity, AuroraDsqlIdentity(GeneratedAlways = true)] public Guid Id { get; set; }
	}

	[Table("with_domain")]
	sealed class WithRangeNamedDomain
	{
		[PrimaryKey] public int Id { get; set; }
		[Column(DbType = "price_range")] public string? Price { get; set; }
	}

	[Table("with_array_dbtype")]
	sealed class WithArrayDbType
	{
		[PrimaryKey] public int Id { get; set; }
		[Column(DbType = "text[]")] public string[]? Names { get; set; }
	}

	[Table("wide_key")]
	sealed class WideKey
	{
		[PrimaryKey(1)] public int A { get; set; }
		[PrimaryKey(2)] public int B { get; set; }
		[PrimaryKey(3)] public int C { get; set; }
		[PrimaryKey(4)] public int D { get; set; }
		[PrimaryKey(5)] public int E { get; set; }
		[PrimaryKey(6)] public int F { get; set; }
		[PrimaryKey(7)] public int G { get; set; }
		[PrimaryKey(8)] public int H { get; set; }
		[PrimaryKey(9)] public int I { get; set; }
	}

	[Table("short_identity")]
	sealed class ShortIdentity
	{
		[PrimaryKey, Identity] public short Id { get; set; }
	}

	[Table("short_identity_ordered")]
	sealed class OrderedShortIdentity
	{
		[PrimaryKey, Identity, AuroraDsqlIdentity(Cache = 1)] public short Id { get; set; }
	}

	[Table("string_identity")]
	sealed class StringIdentity
	{
		[PrimaryKey, Identity] public string Id { get; set; } = "";
	}

	static void ShouldRefuseBeforeSending<T>(Action<DataConnection> action, string messagePattern)
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		FluentActions.Invoking(() => action(db))
			.Should().Throw<AuroraDsqlNotSupportedException>()
			.WithMessage(messagePattern);

		recorder.Commands.Should().BeEmpty("nothing may be sent when the request cannot work on DSQL");
	}

	[TestCase(TableOptions.IsTransactionTemporaryData)]
	[TestCase(TableOptions.IsLocalTemporaryStructure | TableOptions.IsTransactionTemporaryData)]
	[TestCase(TableOptions.IsGlobalTemporaryStructure)]
	[TestCase(TableOptions.IsGlobalTemporaryData)]
	public void TemporaryTablesThatEmptyAtCommitOrAreGlobal(TableOptions options) =>
		ShouldRefuseBeforeSending<Item>(db => db.CreateTable<Item>(tableOptions: options), "*no temporary tables*cannot empty themselves at COMMIT*TableOptions.IsTemporary*");

	[Test]
	public void ArrayColumns() =>
		ShouldRefuseBeforeSending<WithArray>(db => db.CreateTable<WithArray>(), "Column 'with_array.Tags': *no array columns*child table*json*");

	[Test]
	public void ArrayDbType() =>
		ShouldRefuseBeforeSending<WithArrayDbType>(db => db.CreateTable<WithArrayDbType>(), "*'text[]' is an array type*");

	[Test]
	public void BareNumericDbType() =>
		ShouldRefuseBeforeSending<WithBareNumericDbType>(db => db.CreateTable<WithBareNumericDbType>(), "*'numeric' has no precision*numeric(18,6)*numeric(precision, scale)*");

	[Test]
	public void BinaryPrimaryKey() =>
		ShouldRefuseBeforeSending<BinaryKey>(db => db.CreateTable<BinaryKey>(), "*primary key column 'Hash' is bytea*cannot use as an index key*hash*");

	[Test]
	public void IntervalInACompositePrimaryKey() =>
		ShouldRefuseBeforeSending<IntervalKey>(db => db.CreateTable<IntervalKey>(), "*primary key column 'Span' is interval*");

	[Test]
	public void GeneratedAlwaysOnAUuidKey() =>
		ShouldRefuseBeforeSending<AlwaysGeneratedUuid>(db => db.CreateTable<AlwaysGeneratedUuid>(), "*UUID key*cannot be GENERATED ALWAYS*long identity*");

	[Test]
	public void ACollectionMappedToJsonIsNotAnArray()
	{
		using var db = OfflineDatabase.Connect(out var recorder);
		db.CreateTable<WithJsonList>();
		recorder.OnlyCommand.Should().Contain("\"Tags\" jsonb");
	}

	[Test]
	public void ADomainWhoseNameEndsInRangeIsNotARangeType()
	{
		using var db = OfflineDatabase.Connect(out var recorder);
		db.CreateTable<WithRangeNamedDomain>();
		recorder.OnlyCommand.Should().Contain("\"Price\" price_range");
	}

	[Test]
	public void MoneyColumns() =>
		ShouldRefuseBeforeSending<WithMoney>(db => db.CreateTable<WithMoney>(), "*no money type*Precision = 19, Scale = 4*");

	[Test]
	public void NetworkAddressColumns() =>
		ShouldRefuseBeforeSending<WithInet>(db => db.CreateTable<WithInet>(), "*no inet/cidr/macaddr*text*");

	[Test]
	public void SerialDbType() =>
		ShouldRefuseBeforeSending<WithSerialDbType>(db => db.CreateTable<WithSerialDbType>(), "*'serial' does not exist on Aurora DSQL*[Identity]*");

	[Test]
	public void IdentityWithNonBigintDbType() =>
		ShouldRefuseBeforeSending<WithIntIdentityDbType>(db => db.CreateTable<WithIntIdentityDbType>(), "*identity with DbType 'integer'*must be bigint*");

	[Test]
	public void NonIntegralIdentity() =>
		ShouldRefuseBeforeSending<StringIdentity>(db => db.CreateTable<StringIdentity>(), "*identity of type String*bigint*Guid*");

	[Test]
	public void SixteenBitIdentitiesNeedAnOrderedCache()
	{
		ShouldRefuseBeforeSending<ShortIdentity>(db => db.CreateTable<ShortIdentity>(), "*Int16 identity with CACHE 65536*overflow*long*Cache = 1*");

		using var db = OfflineDatabase.Connect(out var recorder);
		db.CreateTable<OrderedShortIdentity>();
		recorder.OnlyCommand.Should().Contain("bigint GENERATED BY DEFAULT AS IDENTITY (CACHE 1)");
	}

	[Test]
	public void PrimaryKeyOfMoreThanEightColumns() =>
		ShouldRefuseBeforeSending<WideKey>(db => db.CreateTable<WideKey>(), "*primary key of 9 columns*at most 8*");

	[Test]
	public void MergeWithADeleteBranch() =>
		ShouldRefuseBeforeSending<Item>(
			db => db.GetTable<Item>()
				.Merge()
				.Using(new[] { new Item { Id = 1, Name = "x" } })
				.OnTargetKey()
				.UpdateWhenMatched()
				.InsertWhenNotMatched()
				.DeleteWhenNotMatchedBySource()
				.Merge(),
			"*has no MERGE*NOT MATCHED BY SOURCE*separate statement*");

	[TestCase(0L)]
	[TestCase(2L)]
	[TestCase(65_535L)]
	[TestCase(-1L)]
	public void InvalidIdentityCacheInOptions(long cache) =>
		FluentActions.Invoking(() => AuroraDsqlOptions.Default with { IdentityCache = cache })
			.Should().Throw<ArgumentOutOfRangeException>()
			.WithMessage("*CACHE of 1 or of at least 65536*");

	[TestCase(2L)]
	[TestCase(1000L)]
	public void InvalidIdentityCacheInAttribute(long cache) =>
		FluentActions.Invoking(() => new AuroraDsqlIdentityAttribute { Cache = cache })
			.Should().Throw<ArgumentOutOfRangeException>()
			.WithMessage("*CACHE of 1 or of at least 65536*");

	[TestCase(1L)]
	[TestCase(65_536L)]
	[TestCase(1_000_000L)]
	public void ValidIdentityCaches(long cache)
	{
		(AuroraDsqlOptions.Default with { IdentityCache = cache }).IdentityCache.Should().Be(cache);
		new AuroraDsqlIdentityAttribute { Cache = cache }.Cache.Should().Be(cache);
	}

	[Test]
	public void MaxRowsPerTransactionCannotExceedDsqlLimit() =>
		FluentActions.Invoking(() => AuroraDsqlOptions.Default with { MaxRowsPerTransaction = 3_001 })
			.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at most 3,000 modified rows*");
}
