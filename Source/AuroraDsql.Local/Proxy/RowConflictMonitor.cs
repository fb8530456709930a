using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AuroraDsql.Local.Classification;
using AuroraDsql.Local.Protocol;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// Moves row conflicts to COMMIT, as on DSQL, where PostgreSQL would make a writer wait. DSQL never blocks: the second
/// writer of a row goes on, and whichever transaction commits later fails with 40001 OC000. PostgreSQL makes the second
/// writer wait for the first one's row lock. When a client statement has waited a little, the monitor asks the backend
/// which sessions hold the rows it waits for; a holder that is idle in its transaction block (its client is between
/// statements) has not committed and cannot commit before the waiter does, so it is the later committer: its
/// transaction is rolled back at once (<see cref="ClientSession.TryAbortIdleTransaction"/>), the waiter goes on, and the
/// holder's COMMIT fails with OC000 unless it comes first and the holder's statements, run again on its kept snapshot,
/// give the same answers (ClientSession.Redo.cs; the waiter, if still open and idle, then loses the rows the same way). Holders that are running a statement are left alone (the waiter's lock timeout
/// decides). The monitor costs nothing while statements are answered quickly: it asks the backend only about sessions
/// that have been busy for a while, less and less often the longer they run.
/// </summary>
sealed class RowConflictMonitor : IAsyncDisposable
{
	static readonly long FirstCheck = Stopwatch.Frequency / 100; // 10 ms
	static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

	// Checks of a long-busy session come no further apart than this, so that a wait beginning late in a long run of
	// statements (a pipeline, a COPY) is still seen before the waiter's lock timeout.
	readonly long _longestInterval;

	// How long a holder may stay idle on a row a statement waits for before it loses: a holder about to commit gets to
	// commit first (as it would win on DSQL); one that stays idle loses.
	readonly long _grace;

	// Of the given backend sessions, those waiting for a row lock (a transaction id or a tuple lock), with each session
	// holding what they wait for.
	const string WaitersQuery = """
		SELECT w.pid, b.pid FROM pg_catalog.pg_locks w
			CROSS JOIN LATERAL pg_catalog.unnest(pg_catalog.pg_blocking_pids(w.pid)) AS b(pid)
			WHERE NOT w.granted AND w.locktype IN ('transactionid', 'tuple') AND w.pid = ANY ('{0}'::int[])
		""";

	readonly EndpointServices _services;
	readonly ConcurrentDictionary<int, ClientSession> _sessions;
	readonly ExecutionVerdict _conflict;
	readonly CancellationTokenSource _stop = new();
	readonly Dictionary<ClientSession, (long BusySince, long NextCheck)> _schedule = [];
	readonly Thread _loop;
	InternalConnection? _connection;

	public RowConflictMonitor(EndpointServices services, ConcurrentDictionary<int, ClientSession> sessions)
	{
		_services = services;
		_sessions = sessions;
		_conflict = services.RowConflict;
		var quarter = services.Options.LockTimeout / 4;
		_longestInterval = (long)(Math.Clamp(quarter.TotalSeconds, 0.01, 0.5) * Stopwatch.Frequency);
		var grace = services.Options.IdleHolderGrace ?? TimeSpan.FromTicks(Math.Min(services.Options.LockTimeout.Ticks * 3 / 10, TimeSpan.FromMilliseconds(30).Ticks));
		_grace = (long)(grace.TotalSeconds * Stopwatch.Frequency);
		_loop     = new Thread(Loop, 256 * 1024) { IsBackground = true, Name = "dsql-conflicts" };
		_loop.Start();
	}

	// A thread of its own that sleeps between ticks: a timer on the thread pool wakes a pool thread a hundred times a
	// second, and each wake-up leaves the pool spinning for more work, which costs an idle endpoint a few percent of a core
	// and a loaded one much more (on two cores, the spinning competes with the relays and the backend).
	void Loop()
	{
		var stop = _stop.Token.WaitHandle;
		while (!stop.WaitOne(Tick))
		{
			try
			{
				if (CheckDue())
					ResolveAsync(_stop.Token).GetAwaiter().GetResult();
			}
			catch (OperationCanceledException) when (_stop.IsCancellationRequested)
			{
				return;
			}
			catch (Exception ex) when (ex is not (OutOfMemoryException or StackOverflowException))
			{
				// The monitor keeps going (an exception must not leave this thread: it would end the process hosting the
				// endpoint): a broken connection is opened again at the next check.
				_services.Log($"conflict monitor: {ex.Message}");
				DropConnection();
			}
		}
	}

	void DropConnection()
	{
		var connection = _connection;
		_connection = null;

		try
		{
			connection?.DisposeAsync().AsTask().GetAwaiter().GetResult();
		}
		catch (Exception ex) when (ex is not (OutOfMemoryException or StackOverflowException))
		{
			// already broken
		}
	}

	/// <summary>True when a session has been busy long enough for (another) look at the backend's lock waits.</summary>
	bool CheckDue()
	{
		var now = Stopwatch.GetTimestamp();
		var due = false;

		foreach (var session in _sessions.Values)
		{
			var since = session.BusySince;
			if (since == 0)
			{
				_schedule.Remove(session);
				continue;
			}

			if (!_schedule.TryGetValue(session, out var entry) || entry.BusySince != since)
				entry = (since, FirstCheck);

			if (now - since >= entry.NextCheck)
			{
				due = true;
				// 10, 20, 40 ms … after it became busy, then every quarter of the lock timeout (10-500 ms)
				entry.NextCheck = entry.NextCheck < _longestInterval ? entry.NextCheck * 2 : entry.NextCheck + _longestInterval;
			}

			_schedule[session] = entry;
		}

		if (_schedule.Count > _sessions.Count)
		{
			foreach (var gone in _schedule.Keys.Where(s => !_sessions.ContainsKey(s.ProcessId)).ToList())
				_schedule.Remove(gone);
		}

		return due;
	}

	async Task ResolveAsync(CancellationToken cancellationToken)
	{
		_connection ??= await InternalConnection.OpenAsync(_services.Backend, cancellationToken, applicationName: "aurora-dsql-local conflicts").ConfigureAwait(false);

		// Which transaction each session is in now: a holder that ended it (and began another) by the time the monitor
		// acts is left alone.
		var transactions = new Dictionary<ClientSession, long>();
		foreach (var session in _sessions.Values)
			transactions[session] = session.EndedTransactions;

		var byBackend = new Dictionary<int, ClientSession>();
		var busy = new List<int>();
		foreach (var session in _sessions.Values)
		{
			if (session.BackendProcessId == 0)
				continue;
			byBackend[session.BackendProcessId] = session;
			if (session.BusySince != 0)
				busy.Add(session.BackendProcessId);
		}

		if (busy.Count == 0)
			return;

		var query = WaitersQuery.Replace("{0}", "{" + string.Join(',', busy.Select(p => p.ToString(CultureInfo.InvariantCulture))) + "}", StringComparison.Ordinal);
		var waits = await _connection.QueryAsync(query, cancellationToken).ConfigureAwait(false);
		if (waits.Count == 0)
			return;

		var aborted = new HashSet<ClientSession>();

		var now = Stopwatch.GetTimestamp();
		foreach (var row in waits)
		{
			if (!byBackend.TryGetValue(int.Parse(row[0]!, CultureInfo.InvariantCulture), out var waiter)
				|| !byBackend.TryGetValue(int.Parse(row[1]!, CultureInfo.InvariantCulture), out var holder)
				|| ReferenceEquals(waiter, holder))
				continue;

			// Not yet: the holder may be about to commit (a later check comes, see CheckDue). Idle means between statements:
			// a holder running a statement is left alone.
			if (waiter.BusySince == 0 || holder.BusySince != 0 || now - holder.IdleSince < _grace || aborted.Contains(holder))
				continue;

			if (!transactions.TryGetValue(holder, out var ended))
				continue;

			try
			{
				if (holder.TryAbortIdleTransaction(_conflict, waiter.ProcessId, ended))
					aborted.Add(holder);
			}
			catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
			{
				// the holder's session is ending
			}
			catch (Exception ex) when (ex is not (OutOfMemoryException or StackOverflowException))
			{
				_services.Log($"conflict monitor: internal error: {ex}");
			}
		}
	}

	public async ValueTask DisposeAsync()
	{
		await _stop.CancelAsync().ConfigureAwait(false);
		// (joined off the caller's thread: the loop may be finishing a backend query whose continuation needs the pool)
		await Task.Run(_loop.Join).ConfigureAwait(false);
		if (_connection != null)
			await _connection.DisposeAsync().ConfigureAwait(false);
		_stop.Dispose();
	}
}
