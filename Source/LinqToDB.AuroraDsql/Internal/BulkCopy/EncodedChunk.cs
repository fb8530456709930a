using System.Collections;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>
/// A chunk of a sequential bulk copy (<see cref="ChunkReader{T}"/>): its rows, and, for a binary COPY, the same rows already
/// encoded by <see cref="Writer"/>. It enumerates as its rows, so every other path (multi-row INSERTs, linq2db's importer)
/// copies it as any list of rows; <see cref="AuroraDsqlBulkCopy"/> sends <see cref="Encoded"/> as it is and calls
/// <see cref="WhileServerWorks"/> between the rows and the end of the COPY.
/// </summary>
sealed class EncodedChunk<T>(List<T> rows, BinaryCopyWriter<T>? writer, BinaryCopyBuffer? encoded, ChunkReader<T> reader) : IReadOnlyCollection<T>
	where T : notnull
{
	public List<T> Rows { get; } = rows;

	public int Count => Rows.Count;

	/// <summary>The writer that encoded the rows, or <see langword="null"/> when they are not encoded.</summary>
	public BinaryCopyWriter<T>? Writer { get; } = writer;

	/// <summary>The rows in binary COPY format (no header, no trailer), or <see langword="null"/>.</summary>
	public BinaryCopyBuffer? Encoded { get; } = encoded;

	/// <summary>Encodes the next chunk (already read) while the server inserts this one (once: a retried COPY does not encode it again).</summary>
	public void WhileServerWorks() => reader.EncodeAhead(this);

	/// <summary>The copy took another path (linq2db's importer, another writer): the chunks that follow are not encoded.</summary>
	public void NotSentEncoded() => reader.StopEncoding();

	public IEnumerator<T> GetEnumerator() => Rows.GetEnumerator();

	IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
