using System.Buffers;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// A session's answers to its client held for the simulated latency (<see cref="SimulatedLatency"/>), like a network link
/// with that delay: each write goes out when its delay has passed, never before an earlier one, so the order is kept. The
/// delay counts from the start of the answer (the first piece the backend sent after the client's round trip began),
/// not from each piece: an answer the backend sends in pieces, with pauses between them, still reaches the client the
/// latency after its start (or as soon as its last piece arrives, when the backend took longer than that). A thread of
/// the session's own sends them (the backend loop goes on reading meanwhile), waking on a timer of the configured
/// clock: nothing waits on a shared thread.
/// </summary>
sealed class DelayedClientWriter : IDisposable
{
	// What may be held before the backend loop waits: bounds the memory of a client that does not read.
	const int MaxHeldBytes = 1 << 20;

	readonly Stream _stream;
	readonly SimulatedLatency _latency;
	readonly TimeSpan _writeTimeout;
	readonly object _lock = new();
	readonly Queue<Chunk> _queue = new();
	readonly List<Chunk> _due = [];
	readonly ITimer _timer;
	readonly Thread _thread;
	long _lastDue;
	long _answerStart;
	bool _answerOpen;
	int _heldBytes;
	int _holding;
	bool _completing;
	Exception? _failure;

	readonly record struct Chunk(long Due, byte[] Buffer, int Length, int Ready);

	/// <summary>Something is held: the client has not got every answer yet.</summary>
	public bool IsHolding => Volatile.Read(ref _holding) != 0;

	public DelayedClientWriter(Stream stream, SimulatedLatency latency, TimeSpan writeTimeout)
	{
		_stream       = stream;
		_latency      = latency;
		_writeTimeout = writeTimeout;
		_timer        = latency.Time.CreateTimer(static state => ((DelayedClientWriter)state!).Wake(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
		_thread       = new Thread(Run, 128 * 1024) { IsBackground = true, Name = "dsql-delayed-writer" };
		_thread.Start();
	}

	/// <summary>
	/// The client began a round trip: the next write starts a new answer, whose delay counts from when it arrives (an
	/// answer the previous round trip left open, such as a COPY's CopyInResponse, ends here).
	/// </summary>
	public void BeginRoundTrip()
	{
		lock (_lock)
			_answerOpen = false;
	}

	/// <summary>
	/// Holds a copy of <paramref name="data"/> until <paramref name="delay"/> after the start of its answer (the first write
	/// since the answer began, see <see cref="BeginRoundTrip"/>), and not before the previous write. A write with a
	/// ReadyForQuery ends the answer unless <paramref name="moreOwed"/> (the client pipelined more that is not answered
	/// yet: the same round trip). Waits while too much is held; throws <see cref="IOException"/> when sending to the client
	/// failed or made no progress within the write timeout.
	/// </summary>
	public void Write(ReadOnlySpan<byte> data, TimeSpan delay, bool moreOwed = false)
	{
		var buffer = ArrayPool<byte>.Shared.Rent(data.Length);
		data.CopyTo(buffer);

		lock (_lock)
		{
			if (_failure != null || _completing)
			{
				ArrayPool<byte>.Shared.Return(buffer);
				throw new IOException("The client connection failed.", _failure);
			}

			var time = _latency.Time;
			if (!_answerOpen)
			{
				_answerStart = time.GetTimestamp();
				_answerOpen  = true;
			}

			var due  = Math.Max(_lastDue, _answerStart + (long)Math.Ceiling(delay.TotalSeconds * time.TimestampFrequency));
			_lastDue = due;
			var ready = CountReadyForQuery(data);
			if (ready > 0 && !moreOwed)
				_answerOpen = false;
			_queue.Enqueue(new Chunk(due, buffer, data.Length, ready));
			_heldBytes += data.Length;
			_holding++;
			_latency.OnHeld(ready);
			Monitor.PulseAll(_lock);

			while (_heldBytes > MaxHeldBytes && _failure is null)
			{
				if (!Monitor.Wait(_lock, _writeTimeout))
					throw new IOException("The client does not read its answers.");
			}

			if (_failure != null)
				throw new IOException("The client connection failed.", _failure);
		}
	}

	/// <summary>Sends what is still held at once (the session ends) and waits, up to the write timeout, until it is sent.</summary>
	public void Complete()
	{
		lock (_lock)
		{
			_completing = true;
			Monitor.PulseAll(_lock);
		}

		_thread.Join(_writeTimeout);
	}

	public void Dispose()
	{
		Complete();
		_timer.Dispose();
	}

	void Wake()
	{
		lock (_lock)
			Monitor.PulseAll(_lock);
	}

	void Run()
	{
		while (true)
		{
			lock (_lock)
			{
				while (true)
				{
					if (_queue.Count == 0)
					{
						if (_completing)
							return;
						Monitor.Wait(_lock);
						continue;
					}

					var time      = _latency.Time;
					var remaining = _queue.Peek().Due - time.GetTimestamp();
					if (remaining <= 0 || _completing)
						break;

					// Whole milliseconds: a system wait ends no sooner, so a shorter one would only spin. On the system clock the
					// thread waits by itself (a timer would add a hop through the thread pool to every answer); another clock
					// (tests) wakes it with a timer of its own.
					var wait = TimeSpan.FromMilliseconds(Math.Ceiling(remaining * 1000.0 / time.TimestampFrequency));
					if (ReferenceEquals(time, TimeProvider.System))
						Monitor.Wait(_lock, wait);
					else
					{
						_timer.Change(wait, Timeout.InfiniteTimeSpan);
						Monitor.Wait(_lock);
					}
				}

				var now = _latency.Time.GetTimestamp();
				while (_queue.Count > 0 && (_completing || _queue.Peek().Due <= now))
					_due.Add(_queue.Dequeue());

				// No longer held from before the client can read it: its next request is a new round trip.
				Volatile.Write(ref _holding, _queue.Count);
			}

			try
			{
				// What is due goes out in one write per piece, in order; the stream's own buffering keeps it to few packets.
				foreach (var chunk in _due)
				{
					_stream.Write(chunk.Buffer, 0, chunk.Length);
				}

				_stream.Flush();
			}
			catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException or InvalidOperationException)
			{
				lock (_lock)
				{
					_failure = ex;
					Release();
					while (_queue.Count > 0)
						_due.Add(_queue.Dequeue());
					Release();
					Monitor.PulseAll(_lock);
				}

				return;
			}

			lock (_lock)
			{
				Release();
				Monitor.PulseAll(_lock);
			}
		}
	}

	// Under the lock: gives the sent (or dropped) pieces back.
	void Release()
	{
		var ready = 0;
		foreach (var chunk in _due)
		{
			_heldBytes -= chunk.Length;
			ready      += chunk.Ready;
			ArrayPool<byte>.Shared.Return(chunk.Buffer);
		}

		_latency.OnReleased(_due.Count, ready);
		_due.Clear();
	}

	// The ReadyForQuery messages (ends of answers) among the whole messages of a write.
	static int CountReadyForQuery(ReadOnlySpan<byte> messages)
	{
		var count = 0;
		while (messages.Length >= 5)
		{
			var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(messages[1..]);
			if (length < 4 || length + 1 > messages.Length)
				break;
			if (messages[0] == (byte)Protocol.BackendMessageCode.ReadyForQuery)
				count++;
			messages = messages[(length + 1)..];
		}

		return count;
	}
}
