using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Internal.DataProvider.AuroraDsql;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// Binary COPY writes each type DSQL stores with the column's own binary format: values come back as they were sent,
/// through the provider's typed writer (every column of a type it writes) and through linq2db's importer (otherwise).
/// </summary>
public sealed class BinaryCopyTests
{
	public enum Mood { Calm = 1, Busy = 2 }

	[Table]
	public sealed class Typed
	{
		[PrimaryKey] public int Id { get; set; }
		[Column] public short Small { get; set; }
		[Column] public long Big { get; set; }
		[Column] public bool Flag { get; set; }
		[Column(Precision = 12, Scale = 2)] public decimal Amount { get; set; }
		[Column] public float Ratio { get; set; }
		[Column] public double Measure { get; set; }
		[Column] public string? Text { get; set; }
		[Column(DataType = DataType.NVarChar, Length = 20)] public string? Label { get; set; }
		[Column(DataType = DataType.NChar, Length = 3)] public string? Code { get; set; }
		[Column] public DateTime Stamp { get; set; }
		[Column(DataType = DataType.DateTimeOffset)] public DateTime StampUtc { get; set; }
		[Column] public DateTimeOffset Moment { get; set; }
		[Column] public DateOnly Day { get; set; }
		[Column(DataType = DataType.Date)] public DateTime DayTime { get; set; }
		[Column] public TimeOnly At { get; set; }
		[Column] public TimeSpan Duration { get; set; }
		[Column] public Guid Key { get; set; }
		[Column] public byte[]? Blob { get; set; }
		[Column] public int? MaybeInt { get; set; }
		[Column] public DateTime? MaybeStamp { get; set; }
		[Column] public Mood Mood { get; set; }
	}

	[Table]
	public sealed class WithJson
	{
		[PrimaryKey] public int Id { get; set; }
		[Column(DataType = DataType.BinaryJson)] public string? Document { get; set; }
	}

	static Typed[] Rows() =>
	[
		new()
		{
			Id = 1, Small = -7, Big = 9_000_000_000, Flag = true, Amount = 1234.56m, Ratio = 0.25f, Measure = Math.PI, Text = "héllo, wörld",
			Label = "label", Code = "abc",
			Stamp    = new DateTime(2026, 3, 4, 5, 6, 7, 890, DateTimeKind.Utc),         // a UTC kind into timestamp
			StampUtc = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Unspecified),      // an unspecified kind into timestamptz
			Moment   = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)), // an offset into timestamptz
			Day = new DateOnly(2026, 2, 28), DayTime = new DateTime(2026, 2, 27), At = new TimeOnly(13, 14, 15), Duration = TimeSpan.FromMinutes(90),
			Key = Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff"), Blob = [0, 1, 2, 255], MaybeInt = 42, MaybeStamp = new DateTime(2026, 1, 1),
			Mood = Mood.Busy,
		},
		new()
		{
			Id = 2, Text = null, Label = null, Code = null, Blob = null, MaybeInt = null, MaybeStamp = null, Mood = Mood.Calm,
			Stamp = new DateTime(2026, 1, 1), StampUtc = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), Moment = DateTimeOffset.UnixEpoch,
		},
	];

	[Test]
	public void EveryColumnOfASupportedTypeIsWrittenByTheTypedWriter()
	{
		using var db = TestDatabase.Connect();
		var entity = db.MappingSchema.GetEntityDescriptor(typeof(Typed));
		BinaryCopyWriter<Typed>.For(entity, entity.Columns, keepIdentity: false, normalizeTimestamps: true).Should().NotBeNull();

		var json = db.MappingSchema.GetEntityDescriptor(typeof(WithJson));
		BinaryCopyWriter<WithJson>.For(json, json.Columns, keepIdentity: false, normalizeTimestamps: true).Should().BeNull("jsonb has a binary format of its own: linq2db's importer writes it");
	}

	[Test]
	public void TheTypedWriterMeasuresRowsAsTheEstimatorDoes()
	{
		using var db = TestDatabase.Connect();
		var entity    = db.MappingSchema.GetEntityDescriptor(typeof(Typed));
		var writer    = BinaryCopyWriter<Typed>.For(entity, entity.Columns, keepIdentity: false, normalizeTimestamps: true)!;
		var estimator = new RowSizeEstimator(entity.Columns);

		foreach (var row in Rows())
			writer.Size(row).Should().Be(estimator.Estimate(row)).And.BeGreaterThan(100);
	}

	[TestCase("timestamp(3) with time zone", NpgsqlTypes.NpgsqlDbType.TimestampTz)]
	[TestCase("timestamp(6) without time zone", NpgsqlTypes.NpgsqlDbType.Timestamp)]
	[TestCase("numeric(12, 2)", NpgsqlTypes.NpgsqlDbType.Numeric)]
	[TestCase("character varying(20)", NpgsqlTypes.NpgsqlDbType.Text)]
	[TestCase("time(3) with time zone", null)]
	[TestCase("jsonb", null)]
	public void ColumnTypesAreReadWithoutTheirModifiers(string dbType, NpgsqlTypes.NpgsqlDbType? expected) =>
		BinaryCopyTypes.ColumnType(new DbDataType(typeof(object), DataType.Undefined, dbType)).Should().Be(expected);

	[TestCase("0")]
	[TestCase("0.05")]
	[TestCase("1.50")]
	[TestCase("-12.3")]
	[TestCase("9")]
	[TestCase("10")]
	[TestCase("99.99")]
	[TestCase("100")]
	[TestCase("1000")]
	[TestCase("-0.5")]
	[TestCase("123456789.12")]
	[TestCase("999999999999999999999999999")]
	[TestCase("1000000000000000000000000000")]
	[TestCase("79228162514264337593543950335")]
	[TestCase("-79228162514264337593543950335")]
	public void DecimalsAreMeasuredByTheirDigits(string text)
	{
		var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
		RowSizeEstimator.DecimalSize(value).Should().Be(8 + (value.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 1) / 2);
	}

	[Test]
	public async Task ValuesComeBackAsSent()
	{
		await using var db = TestDatabase.Connect();
		var table = await db.CreateTableAsync<Typed>(tableName: TestNames.Unique("bin_types"));

		try
		{
			var copied = await table.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.ProviderSpecific }, Rows());
			copied.RowsCopied.Should().Be(2);

			var back = await table.OrderBy(r => r.Id).ToListAsync();
			back.Should().BeEquivalentTo(Rows(), o => o.WithStrictOrdering()
				.Excluding(r => r.Code)
				.Using<DateTime>(c => c.Subject.Ticks.Should().Be(c.Expectation.Ticks)).WhenTypeIs<DateTime>()
				.Using<DateTimeOffset>(c => c.Subject.UtcTicks.Should().Be(c.Expectation.UtcTicks)).WhenTypeIs<DateTimeOffset>());
			back.Select(r => r.Code).Should().Equal("abc", null);

			// the column types the rows went into
			var types = await db.QueryToListAsync<string>(
				$"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{table.TableName}'::regclass AND attnum > 0 ORDER BY attnum");
			types.Should().Contain(["smallint", "bigint", "numeric(12,2)", "real", "double precision", "character varying(20)", "character(3)",
				"timestamp without time zone", "timestamp with time zone", "date", "time without time zone", "interval", "uuid", "bytea"]);
		}
		finally
		{
			await table.DropAsync();
		}
	}

	[Test]
	public void SynchronousCopyWritesTheSameValues()
	{
		using var db = TestDatabase.Connect();
		var table = db.CreateTable<Typed>(tableName: TestNames.Unique("bin_types_sync"));

		try
		{
			table.BulkCopy(new BulkCopyOptions { BulkCopyType = BulkCopyType.ProviderSpecific }, Rows()).RowsCopied.Should().Be(2);
			var back = table.OrderBy(r => r.Id).ToList();
			back.Select(r => (r.Id, r.Amount, r.Text, r.MaybeInt, r.Mood, r.Stamp.Ticks)).Should().Equal(
				Rows().Select(r => (r.Id, r.Amount, r.Text, r.MaybeInt, r.Mood, r.Stamp.Ticks)));
		}
		finally
		{
			table.Drop();
		}
	}

	[Test]
	public async Task AConnectionToCloseAfterUseKeepsEveryCommittedChunk()
	{
		await using var db = TestDatabase.Connect();
		var table = await db.CreateTableAsync<Typed>(tableName: TestNames.Unique("bin_close"));

		try
		{
			await using var copier = TestDatabase.Connect();
			((IDataContext)copier).CloseAfterUse = true;
			var rows = copier.GetTable<Typed>().TableName(table.TableName);

			(await rows.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.ProviderSpecific }, Rows())).RowsCopied.Should().Be(2);
			(await table.CountAsync()).Should().Be(2);
		}
		finally
		{
			await table.DropAsync();
		}
	}

	[Test]
	public async Task ColumnsTheTypedWriterDoesNotKnowGoThroughLinq2dbsImporter()
	{
		await using var db = TestDatabase.Connect();
		var table = await db.CreateTableAsync<WithJson>(tableName: TestNames.Unique("bin_json"));

		try
		{
			await table.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.ProviderSpecific },
				[new WithJson { Id = 1, Document = """{"a": [1, 2]}""" }, new WithJson { Id = 2 }]);

			(await db.QueryToListAsync<string?>($"SELECT \"Document\"->>'a' FROM {table.TableName} ORDER BY \"Id\"")).Should().Equal("[1, 2]", null);
		}
		finally
		{
			await table.DropAsync();
		}
	}
}
