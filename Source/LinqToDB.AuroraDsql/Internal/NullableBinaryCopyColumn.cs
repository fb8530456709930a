using Npgsql;

using NpgsqlTypes;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>A column whose database value is a <see cref="Nullable{T}"/> of <typeparamref name="TValue"/> (see <see cref="TypedBinaryCopyColumn{T, TValue}"/>).</summary>
sealed class NullableBinaryCopyColumn<T, TValue>(Func<T, TValue?> getter, NpgsqlDbType type, Func<TValue, TValue>? normalize) : BinaryCopyColumn<T>
	where TValue : struct
{
	static readonly int FixedSize = RowSizeEstimator.FixedSize(typeof(TValue));

	public override void Write(NpgsqlBinaryImporter importer, T row)
	{
		if (getter(row) is { } value)
			importer.Write(normalize is null ? value : normalize(value), type);
		else
			importer.WriteNull();
	}

	public override Task WriteAsync(NpgsqlBinaryImporter importer, T row, CancellationToken cancellationToken) =>
		getter(row) is { } value
			? importer.WriteAsync(normalize is null ? value : normalize(value), type, cancellationToken)
			: importer.WriteNullAsync(cancellationToken);

	public override long Size(T row) => getter(row) switch
	{
		null                 => 0,
		_ when FixedSize >= 0 => FixedSize,
		{ } value            => value is decimal d ? RowSizeEstimator.DecimalSize(d) : RowSizeEstimator.ValueSize(value),
	};
}
