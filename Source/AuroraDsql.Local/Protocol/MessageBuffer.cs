using System.Buffers;
using System.Buffers.Binary;

namespace AuroraDsql.Local.Protocol;

/// <summary>
/// Input buffer of one connection direction: bytes read from a stream, taken off the front as whole protocol messages.
/// Grown for large messages (as their bytes arrive, never to a length a header only claims), compacted instead of
/// reallocated, and back to its small size once a large message is taken. Small buffers come from the shared array pool;
/// large ones (over <see cref="PooledLimit"/>) are allocated for the message and dropped after it, so that a few large
/// messages do not leave the process holding their memory. Each message type has a length limit
/// (<see cref="Limits"/>). Not thread-safe (one reader).
/// </summary>
sealed class MessageBuffer : IDisposable
{
	const int InitialSize = 16 * 1024;

	/// <summary>Buffers up to this size go back to the shared pool; larger ones are left to the garbage collector.</summary>
	internal const int PooledLimit = 1024 * 1024;

	byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
	int _start;
	int _end;

	/// <summary>Size of the buffer now.</summary>
	internal int Capacity => _buffer.Length;

	/// <summary>Bytes buffered and not yet taken.</summary>
	public int Available => _end - _start;

	/// <summary>How long each typed message may be (checked on its header, before its body is buffered).</summary>
	public MessageLimits Limits { get; set; } = MessageLimits.Backend;

	/// <summary>Takes one whole typed message (header included) if buffered. The memory is valid until the next fill.</summary>
	/// <exception cref="PgProtocolException">The header gives a length the message type may not have.</exception>
	public bool TryReadMessage(out byte type, out ReadOnlyMemory<byte> message)
	{
		type    = 0;
		message = default;

		if (Available < 5)
			return false;

		var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start + 1));
		if (length < 4 || length > PgMessageReader.MaxLength(_buffer[_start], Limits))
			throw new PgProtocolException($"invalid message length {length} for message type '{(char)_buffer[_start]}'");

		if (Available < 1 + length)
		{
			EnsureCapacity(1 + length);
			return false;
		}

		type    = _buffer[_start];
		message = _buffer.AsMemory(_start, 1 + length);
		_start += 1 + length;
		return true;
	}

	/// <summary>Takes one whole untyped message (startup packet: int32 length first) if buffered.</summary>
	public bool TryReadUntypedMessage(int maxLength, out ReadOnlyMemory<byte> message)
	{
		message = default;
		if (Available < 4)
			return false;

		var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start));
		if (length < 8 || length > maxLength)
			throw new PgProtocolException("invalid startup packet length");

		if (Available < length)
		{
			EnsureCapacity(length);
			return false;
		}

		message = _buffer.AsMemory(_start, length);
		_start += length;
		return true;
	}

	/// <summary>Reads whatever the stream has (blocking); false at end of stream.</summary>
	public bool Fill(Stream stream)
	{
		PrepareForRead();
		var read = stream.Read(_buffer, _end, _buffer.Length - _end);
		_end += read;
		return read > 0;
	}

	/// <summary>Reads whatever the stream has; false at end of stream.</summary>
	public async ValueTask<bool> FillAsync(Stream stream, CancellationToken cancellationToken)
	{
		PrepareForRead();
		var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
		_end += read;
		return read > 0;
	}

	void PrepareForRead()
	{
		if (_start == _end)
		{
			_start = 0;
			_end   = 0;
			Shrink();
		}
		else if (_end == _buffer.Length || _buffer.Length - _start < 1024)
			Compact();

		if (_end == _buffer.Length)
			Grow(NextCapacity(_buffer.Length, long.MaxValue));
	}

	void EnsureCapacity(int messageLength)
	{
		if (messageLength <= _buffer.Length - _start)
			return;

		// Grown as the bytes arrive (at most doubling per fill), never to a length a message only claims: a header alone
		// must not make the endpoint allocate up to the protocol maximum.
		if (messageLength <= _buffer.Length)
			Compact();
		else
			Grow(NextCapacity(_buffer.Length, messageLength));
	}

	/// <summary>
	/// The size to grow a buffer of <paramref name="current"/> bytes to: doubled, but not beyond <paramref name="limit"/>
	/// (the whole message's length) nor the largest array, computed without overflow for messages near the 1 GiB maximum.
	/// </summary>
	internal static int NextCapacity(int current, long limit) => (int)Math.Min(Math.Min((long)current * 2, limit), Array.MaxLength);

	void Compact()
	{
		if (_start == 0)
			return;

		Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
		_end  -= _start;
		_start = 0;
	}

	void Grow(int size)
	{
		if (size <= _buffer.Length)
			return;

		var grown = Allocate(size);
		Buffer.BlockCopy(_buffer, _start, grown, 0, _end - _start);
		Release(_buffer);
		_buffer = grown;
		_end   -= _start;
		_start  = 0;
	}

	/// <summary>After a large message, go back to a small buffer.</summary>
	void Shrink()
	{
		if (_buffer.Length > 4 * InitialSize && Available < InitialSize)
		{
			var small = Allocate(InitialSize);
			Buffer.BlockCopy(_buffer, _start, small, 0, _end - _start);
			Release(_buffer);
			_buffer = small;
			_end   -= _start;
			_start  = 0;
		}
	}

	static byte[] Allocate(int size) => size <= PooledLimit ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

	static void Release(byte[] buffer)
	{
		if (buffer.Length is > 0 and <= PooledLimit)
			ArrayPool<byte>.Shared.Return(buffer);
	}

	public void Dispose() => Release(Interlocked.Exchange(ref _buffer, []));
}
