using System.Text;

using LinqToDB.Mapping;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>
/// Estimates how many bytes a row adds to a DSQL transaction from its actual values (PostgreSQL storage sizes plus
/// tuple overhead), so bulk copy can close a chunk before DSQL's 10 MiB limit.
/// </summary>
sealed class RowSizeEstimator
{
	// Tuple header (23 bytes, aligned) plus the item pointer.
	const int RowOverhead = 28;

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
		decimal d         => 8 + (d.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 1) / 2,
		Guid              => 16,
		DateOnly          => 4,
		TimeOnly          => 8,
		Enum              => 8,
		System.Text.Json.JsonDocument json => 4 + json.RootElement.GetRawText().Length,
		_                 => 4 + Encoding.UTF8.GetByteCount(value.ToString() ?? ""),
	};
}
