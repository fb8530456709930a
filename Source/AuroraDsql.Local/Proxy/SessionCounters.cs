namespace AuroraDsql.Local.Proxy;

/// <summary>
/// What a session has cost its client so far: round trips (a flush of the client's that waits for an answer),
/// statements and commits. Written by the session's loops, read from any thread.
/// </summary>
sealed class SessionCounters
{
	long _roundTrips;
	long _statements;
	long _commits;

	public long RoundTrips => Interlocked.Read(ref _roundTrips);

	public long Statements => Interlocked.Read(ref _statements);

	public long Commits => Interlocked.Read(ref _commits);

	public void OnRoundTrip() => Interlocked.Increment(ref _roundTrips);

	public void OnStatements(int count) => Interlocked.Add(ref _statements, count);

	public void OnCommit() => Interlocked.Increment(ref _commits);
}
