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

	public bool IsEmpty
	{
		get { lock (_lock) return _count == 0; }
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
			_count++;
		}
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
				_items[_head] = default;
				_head = (_head + 1) % _items.Length;
				_count--;
			}

			if (_count == 0)
				_skipUntilSync = true;
		}
	}
}
