namespace AuroraDsql.Local.Proxy;

/// <summary>
/// How a session ends, shared by its threads: the frontend loop, the backend loop and whoever asks for the end (server
/// shutdown, the maximum connection duration, a protocol error, a changed client encoding). Flags are volatile; the error
/// the client gets is set once, by the first request (the backend loop reads it after its last read).
/// </summary>
sealed class SessionTermination
{
	volatile bool _stopping;
	volatile bool _relaying;
	volatile bool _frontendDone;
	int _requested;

	/// <summary>The loops are to end: the end was requested, or one side of the relay ended.</summary>
	public bool IsStopping => _stopping;

	/// <summary>The client has its ReadyForQuery, or is about to: the relay reports the end (FATAL error), not start-up.</summary>
	public bool IsRelaying => _relaying;

	/// <summary>The frontend loop has ended (the client is gone or sent Terminate).</summary>
	public bool IsFrontendDone => _frontendDone;

	/// <summary>SQLSTATE of the FATAL error the client gets at the end, if any.</summary>
	public string? SqlState { get; private set; }

	/// <summary>Message of the FATAL error the client gets at the end, if any.</summary>
	public string? Message { get; private set; }

	public void Stop() => _stopping = true;

	public void MarkRelaying() => _relaying = true;

	public void MarkFrontendDone() => _frontendDone = true;

	/// <summary>Records the error the client gets; false (changing nothing) when the end was requested already.</summary>
	public bool TryRequest(string sqlState, string message)
	{
		if (Interlocked.Exchange(ref _requested, 1) != 0)
			return false;

		SqlState = sqlState;
		Message  = message;
		return true;
	}

	/// <summary>The backend loop failed: the client gets this error, unless an end with another was requested.</summary>
	public void OnInternalError(string sqlState, string message)
	{
		SqlState ??= sqlState;
		Message  ??= message;
	}
}
