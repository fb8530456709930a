namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>The rows of one bulk copy chunk, and where they start in the source (so that a failure can name source rows).</summary>
sealed class SourceChunk<T>(long startIndex) : List<T>
{
	/// <summary>The index in the source (0-based) of the chunk's first row.</summary>
	public long StartIndex { get; } = startIndex;
}
