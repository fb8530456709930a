using LinqToDB.Mapping;

using NpgsqlTypes;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>
/// Which columns <see cref="BinaryCopyWriter{T}"/> writes itself: the PostgreSQL type of the column (the CLR types of values
/// it encodes for each are in <see cref="BinaryValueEncoders"/>). Binary COPY sends no type information: each value must be
/// in the binary format of the column's own type, so anything not listed here is left to linq2db's importer.
/// </summary>
static class BinaryCopyTypes
{
	/// <summary>The column's PostgreSQL type, when it is one of those written by <see cref="BinaryCopyWriter{T}"/>.</summary>
	public static NpgsqlDbType? ColumnType(DbDataType type)
	{
		if (!string.IsNullOrWhiteSpace(type.DbType))
		{
			// Without the type modifiers: timestamp(3) with time zone → timestamp with time zone.
			var name = System.Text.RegularExpressions.Regex.Replace(type.DbType.Trim().ToLowerInvariant(), @"\s*\([^)]*\)", "");

			return name switch
			{
				"smallint" or "int2"                                   => NpgsqlDbType.Smallint,
				"integer" or "int" or "int4"                           => NpgsqlDbType.Integer,
				"bigint" or "int8"                                     => NpgsqlDbType.Bigint,
				"boolean" or "bool"                                    => NpgsqlDbType.Boolean,
				"numeric" or "decimal"                                 => NpgsqlDbType.Numeric,
				"real" or "float4"                                     => NpgsqlDbType.Real,
				"double precision" or "float8"                         => NpgsqlDbType.Double,
				"text" or "varchar" or "character varying"
					or "char" or "character" or "bpchar"               => NpgsqlDbType.Text,
				"timestamp" or "timestamp without time zone"           => NpgsqlDbType.Timestamp,
				"timestamptz" or "timestamp with time zone"            => NpgsqlDbType.TimestampTz,
				"date"                                                 => NpgsqlDbType.Date,
				"time" or "time without time zone"                     => NpgsqlDbType.Time,
				"uuid"                                                 => NpgsqlDbType.Uuid,
				"bytea"                                                => NpgsqlDbType.Bytea,
				"interval"                                             => NpgsqlDbType.Interval,
				_                                                      => null,
			};
		}

		return type.DataType switch
		{
			DataType.Int16                                                    => NpgsqlDbType.Smallint,
			DataType.Int32                                                    => NpgsqlDbType.Integer,
			DataType.Int64                                                    => NpgsqlDbType.Bigint,
			DataType.Boolean                                                  => NpgsqlDbType.Boolean,
			DataType.Decimal or DataType.VarNumeric                           => NpgsqlDbType.Numeric,
			DataType.Single                                                   => NpgsqlDbType.Real,
			DataType.Double                                                   => NpgsqlDbType.Double,
			DataType.Char or DataType.NChar or DataType.VarChar or DataType.NVarChar
				or DataType.Text or DataType.NText                            => NpgsqlDbType.Text,
			DataType.DateTime or DataType.DateTime2                           => NpgsqlDbType.Timestamp,
			DataType.DateTimeOffset                                           => NpgsqlDbType.TimestampTz,
			DataType.Date                                                     => NpgsqlDbType.Date,
			DataType.Time                                                     => NpgsqlDbType.Time,
			DataType.Guid                                                     => NpgsqlDbType.Uuid,
			DataType.Binary or DataType.VarBinary or DataType.Blob or DataType.Image => NpgsqlDbType.Bytea,
			DataType.Interval                                                 => NpgsqlDbType.Interval,
			_                                                                 => null,
		};
	}

	/// <summary>
	/// What linq2db's PostgreSQL importer does to date and time values (with <c>NormalizeTimestampData</c>, its default):
	/// timestamp values lose a UTC kind, timestamptz values get one, offsets become UTC.
	/// </summary>
	public static Delegate? Normalizer(Type valueType, NpgsqlDbType columnType)
	{
		if (valueType == typeof(DateTime))
		{
			return columnType switch
			{
				NpgsqlDbType.TimestampTz => new Func<DateTime, DateTime>(v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v, DateTimeKind.Utc)),
				NpgsqlDbType.Timestamp   => new Func<DateTime, DateTime>(v => v.Kind == DateTimeKind.Utc ? DateTime.SpecifyKind(v, DateTimeKind.Unspecified) : v),
				_                        => null,
			};
		}

		if (valueType == typeof(DateTimeOffset))
			return new Func<DateTimeOffset, DateTimeOffset>(v => v.Offset == TimeSpan.Zero ? v : v.ToUniversalTime());

		return null;
	}
}
