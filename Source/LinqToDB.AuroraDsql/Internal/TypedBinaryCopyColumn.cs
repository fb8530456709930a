using Npgsql;

using NpgsqlTypes;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>
/// A column whose database value is a <typeparamref name="TValue"/> (a reference type or a non-nullable value type): read
/// with a compiled getter and written with Npgsql's typed writer, so no value is boxed and the converter is resolved once.
/// </summary>
sealed class TypedBinaryCopyColumn<T, TValue>(Func<T, TValue> getter, NpgsqlDbType type, Func<TValue, TValue>? normalize) : BinaryCopyColumn<T>
{
	static readonly int FixedSize = RowSizeEstimator.FixedSize(typeof(TValue));

	public override void Write(NpgsqlBinaryImporter importer, T row)
	{
		var value = getter(row);
		if (value is null)
			importer.WriteNull();
		else
			importer.Write(normalize is null ? value : normalize(value), type);
	}

	public override Task WriteAsync(NpgsqlBinaryImporter importer, T row, CancellationToken cancellationToken)
	{
		var value = getter(row);
		return value is null
			? importer.WriteNullAsync(cancellationToken)
			: importer.WriteAsync(normalize is null ? value : normalize(value), type, cancellationToken);
	}

	public override long Size(T row)
	{
		if (typeof(TValue).IsValueType && FixedSize >= 0)
			return FixedSize;

		var value = getter(row);
		return value switch
		{
			null      => 0,
			string s  => 4 + System.Text.Encoding.UTF8.GetByteCount(s),
			byte[] b  => 4 + b.Length,
			decimal d => RowSizeEstimator.DecimalSize(d),
			_         => FixedSize >= 0 ? FixedSize : RowSizeEstimator.ValueSize(value),
		};
	}
}
