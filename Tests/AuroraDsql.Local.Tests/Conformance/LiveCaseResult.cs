namespace AuroraDsql.Local.Tests.Conformance;

/// <summary>A replayed case and where the local endpoint's answers differed from the recorded ones (none: exact agreement).</summary>
sealed record LiveCaseResult(LiveRecordCase Case, IReadOnlyList<string> Differences)
{
	public bool Agrees => Differences.Count == 0;
}
