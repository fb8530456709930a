namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// Markers for index key expressions passed to <c>CreateIndex</c>:
/// <c>x =&gt; new { x.OwnerId, Name = AuroraDsqlIndex.NullsLast(x.Name) }</c>. They only describe the index and cannot be called.
/// </summary>
public static class AuroraDsqlIndex
{
	/// <summary>Sorts NULLs of this key first (<c>NULLS FIRST</c>).</summary>
	public static TKey NullsFirst<TKey>(TKey key) => throw new InvalidOperationException("AuroraDsqlIndex.NullsFirst only describes an index key.");

	/// <summary>Sorts NULLs of this key last (<c>NULLS LAST</c>).</summary>
	public static TKey NullsLast<TKey>(TKey key) => throw new InvalidOperationException("AuroraDsqlIndex.NullsLast only describes an index key.");
}
