namespace AuroraDsql.Local.Proxy;

/// <summary>
/// The network and commit latency the endpoint adds to its answers (see <see cref="LocalDsqlEndpointOptions.NetworkLatency"/>),
/// and how many answers all sessions hold right now. Thread-safe.
/// </summary>
sealed class SimulatedLatency
{
	int _held;
	int _heldReady;

	public SimulatedLatency(TimeSpan network, TimeSpan commit, TimeProvider time)
	{
		Network = network;
		Commit  = commit;
		Time    = time;
	}

	/// <summary>What every answer is held.</summary>
	public TimeSpan Network { get; }

	/// <summary>What the answer to a commit is held on top of <see cref="Network"/>.</summary>
	public TimeSpan Commit { get; }

	/// <summary>The clock the holds run on.</summary>
	public TimeProvider Time { get; }

	/// <summary>Answers are held at all.</summary>
	public bool Enabled => Network > TimeSpan.Zero || Commit > TimeSpan.Zero;

	/// <summary>Answers (whole writes of a session to its client) held and not yet sent, over all sessions.</summary>
	public int Held => Volatile.Read(ref _held);

	/// <summary>Ends of answers (ReadyForQuery) among the held writes, over all sessions: whole answers held (tests).</summary>
	public int HeldReadyForQuery => Volatile.Read(ref _heldReady);

	public void OnHeld(int readyForQuery)
	{
		Interlocked.Add(ref _heldReady, readyForQuery);
		Interlocked.Increment(ref _held);
	}

	public void OnReleased(int count, int readyForQuery)
	{
		Interlocked.Add(ref _held, -count);
		Interlocked.Add(ref _heldReady, -readyForQuery);
	}
}
