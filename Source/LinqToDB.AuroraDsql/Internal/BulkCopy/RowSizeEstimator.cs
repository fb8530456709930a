using System.Text;

using LinqToDB.Mapping;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>
/// Estimates how many bytes a row adds to a DSQL transaction from its actual values (PostgreSQL storage sizes plus
/// tuple overhead), so bulk copy can close a chunk before DSQL's 10 MiB limit.
/// </summary>
sealed class RowSizeEstimator
{
	// Tuple header (23 bytes, aligned) plus the item pointer.
	internal const int RowOverhead = 28;

	readonly ColumnDescriptor[] _columns;

	public RowSizeEstimator(IEnumerable<ColumnDescriptor> columns)
	{
		_columns = columns.ToArray();
	}

	public long Estimate(object row)
	{
		long size = RowOverhead;

		foreach (var column in _columns)
			size += ValueSize(column.GetProviderValue(row));

		return size;
	}

	/// <summary>Bytes of a non-null value of <paramref name="type"/> when they do not depend on the value; otherwise -1.</summary>
	internal static int FixedSize(Type type) => type switch
	{
		_ when type == typeof(bool) || type == typeof(byte) || type == typeof(sbyte)                      => 1,
		_ when type == typeof(short) || type == typeof(ushort)                                            => 2,
		_ when type == typeof(int) || type == typeof(uint) || type == typeof(float) || type == typeof(DateOnly) => 4,
		_ when type == typeof(long) || type == typeof(ulong) || type == typeof(double) || type == typeof(DateTime)
			|| type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(TimeOnly) || type.IsEnum => 8,
		_ when type == typeof(Guid)                                                                       => 16,
		_                                                                                                 => -1,
	};

	/// <summary>
	/// A numeric's size: a header and two decimal digits per byte, the digits counted as the invariant text of the value
	/// has them (sign, integer digits, point, scale digits) without formatting it.
	/// </summary>
	internal static long DecimalSize(decimal value)
	{
		var integer = decimal.Truncate(Math.Abs(value));
		var integerDigits = 1;
		for (var bound = 10m; integerDigits < 29 && integer >= bound; integerDigits++)
		{
			if (integerDigits < 28)
				bound *= 10m;
			else
				bound = decimal.MaxValue;
		}

		var length = (value < 0m ? 1 : 0) + integerDigits + (value.Scale > 0 ? 1 + value.Scale : 0);
		return 8 + (length + 1) / 2;
	}

	internal static long ValueSize(object? value) => value switch
	{
		null or DBNull    => 0,
		string s          => 4 + Encoding.UTF8.GetByteCount(s),
		byte[] b          => 4 + b.Length,
		char[] c          => 4 + Encoding.UTF8.GetByteCount(c),
		bool or byte or sbyte => 1,
		short or ushort   => 2,
		int or uint or float => 4,
		long or ulong or double or DateTime or DateTimeOffset or TimeSpan => 8,
		decimal d         => DecimalSize(d),
		Guid              => 16,
		DateOnly          => 4,
		TimeOnly          => 8,
		Enum              => 8,
		System.Text.Json.JsonDocument json => 4 + json.RootElement.GetRawText().Length,
		_                 => 4 + Encoding.UTF8.GetByteCount(value.ToString() ?? ""),
	};
}
