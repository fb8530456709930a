namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>Encodes one column of a <typeparamref name="T"/> row for a binary COPY (see <see cref="BinaryCopyWriter{T}"/>).</summary>
abstract class BinaryCopyColumn<T>
{
	public abstract void Encode(BinaryCopyBuffer buffer, T row);

	/// <summary>What the column's value adds to the row's size, as <see cref="RowSizeEstimator"/> counts it.</summary>
	public abstract long Size(T row);
}
