using System.Diagnostics;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// The FIFO matching backend responses to the messages that caused them. The frontend loop enqueues an expectation
/// before it forwards a message; the backend loop takes them off in order. After an error in extended-protocol
/// messages the backend skips everything up to Sync, and so does the tracker. A ring of structs: no allocation per message.
/// </summary>
sealed class ResponseTracker
{
	readonly object _lock = new();
	Expectation[] _items = new Expectation[32];
	int _head;
	int _count;
	bool _skipUntilSync;
	int _awaitingReady;
	long _busySince;
	long _idleSince = Stopwatch.GetTimestamp();
	TransactionRecord? _recording;

	/// <summary>The transaction block being recorded: expectations enqueued meanwhile are marked with it.</summary>
	public TransactionRecord? Recording
	{
		get { lock (_lock) return _recording; }
		set { lock (_lock) _recording = value; }
	}

	public bool IsEmpty
	{
		get { lock (_lock) return _count == 0; }
	}

	/// <summary>A Query, Sync or FunctionCall forwarded has not been answered with its ReadyForQuery yet.</summary>
	public bool AwaitsReady
	{
		get { lock (_lock) return _awaitingReady > 0; }
	}

	/// <summary>
	/// <see cref="Stopwatch"/> timestamp at which the session became busy (a message forwarded while nothing was
	/// outstanding), 0 while it is idle: nothing forwarded waits for an answer.
	/// </summary>
	public long BusySince
	{
		get { lock (_lock) return _busySince; }
	}

	/// <summary><see cref="Stopwatch"/> timestamp at which the session last became idle (see <see cref="BusySince"/>).</summary>
	public long IdleSince
	{
		get { lock (_lock) return _idleSince; }
	}

	void UpdateIdle()
	{
		if (_busySince != 0 && _awaitingReady == 0 && _count == 0)
		{
			_busySince = 0;
			_idleSince = Stopwatch.GetTimestamp();
		}
	}

	// (the run again of a lost block counts as one: the session is busy until its last answer, see ClientSession.Redo.cs)
	static bool IsClientBoundary(ExpectationKind kind) => kind is ExpectationKind.Query or ExpectationKind.Sync or ExpectationKind.FunctionCall or ExpectationKind.Redo;

	/// <summary>The backend answered one of the client's boundaries with ReadyForQuery.</summary>
	public void OnClientReady()
	{
		lock (_lock)
		{
			if (_awaitingReady > 0)
				_awaitingReady--;
			UpdateIdle();
		}
	}

	public void Enqueue(in Expectation expectation)
	{
		lock (_lock)
		{
			if (_skipUntilSync)
			{
				// the backend ignores every message up to the next Sync
				if (expectation.Kind != ExpectationKind.Sync)
					return;
				_skipUntilSync = false;
			}

			if (_count == _items.Length)
			{
				var grown = new Expectation[_items.Length * 2];
				for (var k = 0; k < _count; k++)
					grown[k] = _items[(_head + k) % _items.Length];
				_items = grown;
				_head  = 0;
			}

			_items[(_head + _count) % _items.Length] = expectation;
			if (_recording != null)
				_items[(_head + _count) % _items.Length].Record = _recording;
			_count++;

			if (IsClientBoundary(expectation.Kind))
				_awaitingReady++;
			if (_busySince == 0)
				_busySince = Stopwatch.GetTimestamp();
		}
	}

	/// <summary>True when the next expectation is of <paramref name="kind"/>.</summary>
	public bool NextIs(ExpectationKind kind)
	{
		lock (_lock)
			return _count > 0 && _items[_head].Kind == kind;
	}

	public bool TryDequeue(out Expectation expectation)
	{
		lock (_lock)
		{
			if (_count == 0)
			{
				expectation = default;
				return false;
			}

			expectation = _items[_head];
			_items[_head] = default;
			_head = (_head + 1) % _items.Length;
			_count--;
			UpdateIdle();
			return true;
		}
	}

	/// <summary>An extended-protocol message failed: drop the expectations the backend will now skip, up to the next Sync.</summary>
	public void SkipToSync()
	{
		lock (_lock)
		{
			while (_count > 0 && _items[_head].Kind != ExpectationKind.Sync)
			{
				// a Query or FunctionCall the backend now ignores gets no ReadyForQuery of its own
				if (IsClientBoundary(_items[_head].Kind) && _awaitingReady > 0)
					_awaitingReady--;
				_items[_head] = default;
				_head = (_head + 1) % _items.Length;
				_count--;
			}

			if (_count == 0)
				_skipUntilSync = true;
			UpdateIdle();
		}
	}
}
