using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Internal.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;
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

	[Table]
	public sealed class Limits
	{
		[PrimaryKey] public int Id { get; set; }
		[Column] public DateTime Stamp { get; set; }
		[Column(DataType = DataType.DateTimeOffset)] public DateTime StampUtc { get; set; }
		[Column] public DateOnly Day { get; set; }
		[Column(DataType = DataType.Date)] public DateTime DayTime { get; set; }
	}

	[Table]
	public sealed class Wide
	{
		[PrimaryKey] public int Id { get; set; }
		[Column, NotNull] public string Text { get; set; } = "";
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

	static readonly string[] NumericTexts =
	[
		"0", "0.00", "-0.00", "1", "-1", "0.25", "1.500", "-12.3", "9999", "10000", "10000.0001", "100000000", "0.0001", "0.00001", "-0.5",
		"123456789.123456789", "0.0000000000000000000000000001", "7922816251426433759354395.0335", "79228162514264337593543950335",
		"-79228162514264337593543950335", "1000000000000000000000000000",
	];

	[Test]
	public async Task NumericsAreEncodedAsPostgreSqlSendsThem()
	{
		// PostgreSQL's own binary output of each value (numeric_send): digit count, weight, sign, display scale and base-10,000
		// digits must be the same bytes, so the server stores exactly the value and scale the decimal had.
		await using var connection = await TestDatabase.OpenNpgsqlAsync();
		using var buffer = new BinaryCopyBuffer(256);
		var encode = BinaryValueEncoders.For<decimal>(NpgsqlTypes.NpgsqlDbType.Numeric)!;

		foreach (var text in NumericTexts)
		{
			await using var command = new Npgsql.NpgsqlCommand("SELECT numeric_send($1::numeric)", connection) { Parameters = { new() { Value = text } } };
			var expected = (byte[])(await command.ExecuteScalarAsync())!;

			buffer.Clear();
			encode(buffer, decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
			buffer.Written.ToArray().Skip(4).Should().Equal(expected, $"{text} is encoded as PostgreSQL encodes it");
			System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(buffer.Written.Span).Should().Be(expected.Length);
		}
	}

	[Test]
	public async Task TheLargestAndSmallestDatesAreInfinity()
	{
		// As Npgsql writes them (and reads them back): DateTime/DateOnly MinValue and MaxValue are -infinity and infinity.
		await using var db = TestDatabase.Connect();
		var table = await db.CreateTableAsync<Limits>(tableName: TestNames.Unique("bin_infinity"));

		try
		{
			Limits[] rows =
			[
				new() { Id = 1, Stamp = DateTime.MaxValue, StampUtc = DateTime.MaxValue, Day = DateOnly.MaxValue, DayTime = DateTime.MaxValue },
				new() { Id = 2, Stamp = DateTime.MinValue, StampUtc = DateTime.MinValue, Day = DateOnly.MinValue, DayTime = DateTime.MinValue },
				new() { Id = 3, Stamp = new DateTime(2026, 12, 31, 23, 59, 59, 999).AddTicks(9), StampUtc = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc),
					Day = new DateOnly(1970, 1, 1), DayTime = new DateTime(2000, 1, 2, 13, 0, 0) },
			];
			await table.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.ProviderSpecific }, rows);

			(await db.QueryToListAsync<string>(
				$"SELECT concat_ws(' | ', \"Stamp\"::text, \"StampUtc\"::text, \"Day\"::text, \"DayTime\"::text) FROM {table.TableName} ORDER BY \"Id\""))
				.Should().Equal(
					"infinity | infinity | infinity | infinity",
					"-infinity | -infinity | -infinity | -infinity",
					// microseconds are truncated, not rounded (as Npgsql: rounding would overflow DateTime.MaxValue)
					"2026-12-31 23:59:59.999 | 2000-01-01 00:00:00+00 | 1970-01-01 | 2000-01-02");

			var back = await table.OrderBy(r => r.Id).ToListAsync();
			back[0].Stamp.Should().Be(DateTime.MaxValue);
			back[1].Day.Should().Be(DateOnly.MinValue);
		}
		finally
		{
			await table.DropAsync();
		}
	}

	[Test]
	public async Task AUtcDateTimeForATimestampColumnIsRefusedWhenTimestampsAreNotNormalized()
	{
		await using var db = TestDatabase.Connect();
		var table = await db.CreateTableAsync<Limits>(tableName: TestNames.Unique("bin_kind"));

		try
		{
			await using var strict = TestDatabase.Connect(o => o.WithOptions(PostgreSQL.PostgreSQLOptions.Default with { NormalizeTimestampData = false }));
			var rows = strict.GetTable<Limits>().TableName(table.TableName);

			var copy = () => rows.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.ProviderSpecific },
			[
				new Limits { Id = 1, Stamp = new DateTime(2026, 1, 1), StampUtc = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
				new Limits { Id = 2, Stamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), StampUtc = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
			]);

			(await copy.Should().ThrowAsync<ArgumentException>()).WithMessage("*Kind=UTC*'timestamp without time zone'*");
			(await table.CountAsync()).Should().Be(0, "the COPY was cancelled: not even the row before the bad one is kept");
		}
		finally
		{
			await table.DropAsync();
		}
	}

	[TestCase(false)]
	[TestCase(true)]
	public async Task RowsLargerThanABlockAndSeveralBatchesArriveWhole(bool async)
	{
		await using var db = TestDatabase.Connect();
		var table = await db.CreateTableAsync<Wide>(tableName: TestNames.Unique("bin_wide"));

		try
		{
			// 25 rows of 20,000 characters (some two bytes in UTF-8): blocks of 32 KiB, a buffer that grows, COPYs of 10 rows.
			var rows    = Enumerable.Range(1, 25).Select(i => new Wide { Id = i, Text = new string(i % 2 == 0 ? 'é' : 'x', 20_000) + i }).ToArray();
			var options = new BulkCopyOptions { BulkCopyType = BulkCopyType.ProviderSpecific, MaxBatchSize = 10 };
			var copied  = async ? (await table.BulkCopyAsync(options, rows)).RowsCopied : table.BulkCopy(options, rows).RowsCopied;

			copied.Should().Be(25);
			var back = await table.OrderBy(r => r.Id).ToListAsync();
			back.Select(r => r.Text).Should().Equal(rows.Select(r => r.Text));
		}
		finally
		{
			await table.DropAsync();
		}
	}

	[Test]
	public async Task AStringThatIsNotValidUtf16IsRefusedAndNothingIsKept()
	{
		await using var db = TestDatabase.Connect();
		var table = await db.CreateTableAsync<Wide>(tableName: TestNames.Unique("bin_surrogate"));

		try
		{
			// As Npgsql: a lone surrogate cannot be encoded as UTF-8; it is an error, not a silent replacement character.
			var copy = () => table.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.ProviderSpecific },
				[new Wide { Id = 1, Text = "fine" }, new Wide { Id = 2, Text = "broken \uD800 text" }]);

			await copy.Should().ThrowAsync<System.Text.EncoderFallbackException>();
			(await table.CountAsync()).Should().Be(0);
		}
		finally
		{
			await table.DropAsync();
		}
	}
}
