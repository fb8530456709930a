namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>A column whose database value is a <see cref="Nullable{T}"/> of <typeparamref name="TValue"/> (see <see cref="TypedBinaryCopyColumn{T, TValue}"/>).</summary>
sealed class NullableBinaryCopyColumn<T, TValue>(Func<T, TValue?> getter, Action<BinaryCopyBuffer, TValue> encode, Func<TValue, TValue>? normalize) : BinaryCopyColumn<T>
	where TValue : struct
{
	static readonly int FixedSize = RowSizeEstimator.FixedSize(typeof(TValue));

	public override void Encode(BinaryCopyBuffer buffer, T row)
	{
		if (getter(row) is { } value)
			encode(buffer, normalize is null ? value : normalize(value));
		else
			buffer.WriteNull();
	}

	public override long Size(T row) => getter(row) switch
	{
		null                 => 0,
		_ when FixedSize >= 0 => FixedSize,
		{ } value            => value is decimal d ? RowSizeEstimator.DecimalSize(d) : RowSizeEstimator.ValueSize(value),
	};
}
