using System.Linq.Expressions;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>Options of an index created with <c>CreateIndex</c>/<c>CreateIndexAsync</c>.</summary>
/// <typeparam name="T">The indexed entity.</typeparam>
public sealed record AuroraDsqlIndexOptions<T>
{
	/// <summary>A unique index.</summary>
	public bool Unique { get; init; }

	/// <summary>Non-key columns stored in the index (<c>INCLUDE</c>): members only, for example <c>x =&gt; new { x.Name, x.Email }</c>.</summary>
	public Expression<Func<T, object?>>? Include { get; init; }

	/// <summary>For a unique index, treat NULLs as equal (<c>NULLS NOT DISTINCT</c>).</summary>
	public bool NullsNotDistinct { get; init; }

	/// <summary>Partial index: only rows matching this predicate are indexed (<c>WHERE …</c>).</summary>
	public Expression<Func<T, bool>>? Where { get; init; }

	/// <summary>Do nothing if an index of that name exists (<c>IF NOT EXISTS</c>).</summary>
	public bool IfNotExists { get; init; }

	/// <summary>Wait for the build to finish (polling <c>sys.jobs</c>); a failed build throws <see cref="AuroraDsqlJobFailedException"/>.</summary>
	public bool WaitForCompletion { get; init; }

	/// <summary>Longest wait when <see cref="WaitForCompletion"/> is set; <see langword="null"/> waits until the job ends.</summary>
	public TimeSpan? WaitTimeout { get; init; }
}
