using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>Writes one column of a <typeparamref name="T"/> row to a binary COPY (see <see cref="BinaryCopyWriter{T}"/>).</summary>
abstract class BinaryCopyColumn<T>
{
	public abstract void Write(NpgsqlBinaryImporter importer, T row);

	public abstract Task WriteAsync(NpgsqlBinaryImporter importer, T row, CancellationToken cancellationToken);

	/// <summary>What the column's value adds to the row's size, as <see cref="RowSizeEstimator"/> counts it.</summary>
	public abstract long Size(T row);
}
