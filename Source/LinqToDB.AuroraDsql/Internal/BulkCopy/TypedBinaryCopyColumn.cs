namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>
/// A column whose database value is a <typeparamref name="TValue"/> (a reference type or a non-nullable value type): read
/// with a compiled getter and encoded by the column type's encoder (<see cref="BinaryValueEncoders"/>), so no value is boxed.
/// </summary>
sealed class TypedBinaryCopyColumn<T, TValue>(Func<T, TValue> getter, Action<BinaryCopyBuffer, TValue> encode, Func<TValue, TValue>? normalize) : BinaryCopyColumn<T>
{
	static readonly int FixedSize = RowSizeEstimator.FixedSize(typeof(TValue));

	public override void Encode(BinaryCopyBuffer buffer, T row)
	{
		var value = getter(row);
		if (value is null)
			buffer.WriteNull();
		else
			encode(buffer, normalize is null ? value : normalize(value));
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
