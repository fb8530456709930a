using System.Buffers.Binary;

using NpgsqlTypes;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>
/// Values in the binary format of their PostgreSQL column type, as Npgsql writes them: the same infinity conversions for
/// date and time values (unless <c>Npgsql.DisableDateTimeInfinityConversions</c> is set), the same refusal of a
/// <see cref="DateTime"/> whose kind does not fit the column, the same strict UTF-8.
/// </summary>
static class BinaryValueEncoders
{
	const long PostgresEpochTicks = 630822816000000000L; // 2000-01-01
	static readonly int PostgresEpochDayNumber = new DateOnly(2000, 1, 1).DayNumber;

	/// <summary>Npgsql writes DateTime.MinValue/MaxValue (and DateOnly's) as -infinity/infinity.</summary>
	static readonly bool InfinityConversions = !(AppContext.TryGetSwitch("Npgsql.DisableDateTimeInfinityConversions", out var disabled) && disabled);

	/// <summary>With Npgsql's legacy timestamp behaviour, date and time values follow other rules: left to Npgsql.</summary>
	public static bool LegacyTimestamps { get; } = AppContext.TryGetSwitch("Npgsql.EnableLegacyTimestampBehavior", out var legacy) && legacy;

	/// <summary>The encoder of <typeparamref name="TValue"/> values for a <paramref name="columnType"/> column, or <see langword="null"/>.</summary>
	public static Action<BinaryCopyBuffer, TValue>? For<TValue>(NpgsqlDbType columnType)
	{
		var type = typeof(TValue);

		object? encoder = columnType switch
		{
			NpgsqlDbType.Smallint when type == typeof(short)              => new Action<BinaryCopyBuffer, short>(static (b, v) => { b.WriteInt32(sizeof(short)); b.WriteInt16(v); }),
			NpgsqlDbType.Integer when type == typeof(int)                 => new Action<BinaryCopyBuffer, int>(static (b, v) => { b.WriteInt32(sizeof(int)); b.WriteInt32(v); }),
			NpgsqlDbType.Bigint when type == typeof(long)                 => new Action<BinaryCopyBuffer, long>(static (b, v) => { b.WriteInt32(sizeof(long)); b.WriteInt64(v); }),
			NpgsqlDbType.Boolean when type == typeof(bool)                => new Action<BinaryCopyBuffer, bool>(static (b, v) => { b.WriteInt32(1); b.WriteByte(v ? (byte)1 : (byte)0); }),
			NpgsqlDbType.Real when type == typeof(float)                  => new Action<BinaryCopyBuffer, float>(static (b, v) => { b.WriteInt32(sizeof(float)); b.WriteSingle(v); }),
			NpgsqlDbType.Double when type == typeof(double)               => new Action<BinaryCopyBuffer, double>(static (b, v) => { b.WriteInt32(sizeof(double)); b.WriteDouble(v); }),
			NpgsqlDbType.Numeric when type == typeof(decimal)             => new Action<BinaryCopyBuffer, decimal>(WriteNumeric),
			NpgsqlDbType.Text when type == typeof(string)                 => new Action<BinaryCopyBuffer, string>(static (b, v) => b.WriteTextField(v)),
			NpgsqlDbType.Bytea when type == typeof(byte[])                => new Action<BinaryCopyBuffer, byte[]>(static (b, v) => v.CopyTo(b.ReserveField(v.Length))),
			NpgsqlDbType.Uuid when type == typeof(Guid)                   => new Action<BinaryCopyBuffer, Guid>(static (b, v) => v.TryWriteBytes(b.ReserveField(16), bigEndian: true, out _)),
			NpgsqlDbType.Timestamp when type == typeof(DateTime)          => new Action<BinaryCopyBuffer, DateTime>(WriteTimestamp),
			NpgsqlDbType.TimestampTz when type == typeof(DateTime)        => new Action<BinaryCopyBuffer, DateTime>(WriteTimestampTz),
			NpgsqlDbType.TimestampTz when type == typeof(DateTimeOffset)  => new Action<BinaryCopyBuffer, DateTimeOffset>(WriteTimestampTz),
			NpgsqlDbType.Date when type == typeof(DateTime)               => new Action<BinaryCopyBuffer, DateTime>(WriteDate),
			NpgsqlDbType.Date when type == typeof(DateOnly)               => new Action<BinaryCopyBuffer, DateOnly>(WriteDate),
			NpgsqlDbType.Time when type == typeof(TimeSpan)               => new Action<BinaryCopyBuffer, TimeSpan>(static (b, v) => { b.WriteInt32(sizeof(long)); b.WriteInt64(v.Ticks / 10); }),
			NpgsqlDbType.Time when type == typeof(TimeOnly)               => new Action<BinaryCopyBuffer, TimeOnly>(static (b, v) => { b.WriteInt32(sizeof(long)); b.WriteInt64(v.Ticks / 10); }),
			NpgsqlDbType.Interval when type == typeof(TimeSpan)           => new Action<BinaryCopyBuffer, TimeSpan>(WriteInterval),
			_                                                             => null,
		};

		return (Action<BinaryCopyBuffer, TValue>?)encoder;
	}

	static void WriteTimestamp(BinaryCopyBuffer buffer, DateTime value)
	{
		if (value.Kind == DateTimeKind.Utc)
			throw new ArgumentException(
				"Cannot write DateTime with Kind=UTC to PostgreSQL type 'timestamp without time zone'; consider 'timestamp with time zone', " +
				"or let the provider normalize timestamps (PostgreSQLOptions.NormalizeTimestampData).", nameof(value));

		buffer.WriteInt32(sizeof(long));
		buffer.WriteInt64(EncodeTimestamp(value));
	}

	static void WriteTimestampTz(BinaryCopyBuffer buffer, DateTime value)
	{
		if (value.Kind != DateTimeKind.Utc && !(InfinityConversions && (value == DateTime.MinValue || value == DateTime.MaxValue)))
			throw new ArgumentException(
				$"Cannot write DateTime with Kind={value.Kind} to PostgreSQL type 'timestamp with time zone', only UTC is supported; " +
				"or let the provider normalize timestamps (PostgreSQLOptions.NormalizeTimestampData).", nameof(value));

		buffer.WriteInt32(sizeof(long));
		buffer.WriteInt64(EncodeTimestamp(value));
	}

	static void WriteTimestampTz(BinaryCopyBuffer buffer, DateTimeOffset value)
	{
		if (value.Offset != TimeSpan.Zero)
			throw new ArgumentException($"Cannot write DateTimeOffset with Offset={value.Offset}, only offset 0 (UTC) is supported.", nameof(value));

		buffer.WriteInt32(sizeof(long));
		buffer.WriteInt64(EncodeTimestamp(value.DateTime));
	}

	// Microseconds since 2000-01-01; the extra precision of ticks is dropped (as Npgsql does: rounding up would turn
	// DateTime.MaxValue into a value no DateTime can hold).
	static long EncodeTimestamp(DateTime value)
	{
		if (InfinityConversions)
		{
			if (value.Ticks == DateTime.MaxValue.Ticks)
				return long.MaxValue;
			if (value.Ticks == DateTime.MinValue.Ticks)
				return long.MinValue;
		}

		return (value.Ticks - PostgresEpochTicks) / 10;
	}

	static void WriteDate(BinaryCopyBuffer buffer, DateTime value)
	{
		buffer.WriteInt32(sizeof(int));
		buffer.WriteInt32(InfinityConversions && value == DateTime.MaxValue ? int.MaxValue
			: InfinityConversions && value == DateTime.MinValue ? int.MinValue
			: DateOnly.FromDateTime(value).DayNumber - PostgresEpochDayNumber);
	}

	static void WriteDate(BinaryCopyBuffer buffer, DateOnly value)
	{
		buffer.WriteInt32(sizeof(int));
		buffer.WriteInt32(InfinityConversions && value == DateOnly.MaxValue ? int.MaxValue
			: InfinityConversions && value == DateOnly.MinValue ? int.MinValue
			: value.DayNumber - PostgresEpochDayNumber);
	}

	// Microseconds within the day, days, months (a TimeSpan has no months).
	static void WriteInterval(BinaryCopyBuffer buffer, TimeSpan value)
	{
		buffer.WriteInt32(16);
		buffer.WriteInt64((value.Ticks - TimeSpan.TicksPerDay * value.Days) / 10);
		buffer.WriteInt32(value.Days);
		buffer.WriteInt32(0);
	}

	/// <summary>
	/// numeric: the count of base-10,000 digits, the weight of the first one, the sign, the display scale (the decimal's
	/// scale), then the digits from the most significant, with no leading or trailing zero digits.
	/// </summary>
	static void WriteNumeric(BinaryCopyBuffer buffer, decimal value)
	{
		Span<int> bits = stackalloc int[4];
		decimal.GetBits(value, bits);
		var negative = bits[3] < 0;
		var scale    = (bits[3] >> 16) & 0xFF;

		// The mantissa with its fraction padded to whole groups of four decimal digits (at most 2^96 × 1,000 < 10^32).
		var mantissa = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
		var padding  = (4 - scale % 4) % 4;
		for (var i = 0; i < padding; i++)
			mantissa *= 10;
		var fractionDigits = (scale + padding) / 4;

		Span<short> digits = stackalloc short[8]; // least significant first
		var count = 0;
		if (mantissa <= ulong.MaxValue)
		{
			for (var small = (ulong)mantissa; small != 0; small /= 10_000)
				digits[count++] = (short)(small % 10_000);
		}
		else
		{
			for (; mantissa != 0; mantissa /= 10_000)
				digits[count++] = (short)(ulong)(mantissa % 10_000);
		}

		var lowest = 0;
		while (lowest < count && digits[lowest] == 0)
			lowest++;

		var ndigits = count - lowest;
		var field   = buffer.ReserveField(8 + 2 * ndigits);
		BinaryPrimitives.WriteInt16BigEndian(field, (short)ndigits);
		BinaryPrimitives.WriteInt16BigEndian(field[2..], (short)(ndigits == 0 ? 0 : count - fractionDigits - 1));
		BinaryPrimitives.WriteInt16BigEndian(field[4..], (short)(negative && ndigits > 0 ? 0x4000 : 0));
		BinaryPrimitives.WriteInt16BigEndian(field[6..], (short)scale);

		for (int i = count - 1, offset = 8; i >= lowest; i--, offset += 2)
			BinaryPrimitives.WriteInt16BigEndian(field[offset..], digits[i]);
	}
}
