using System.Buffers;
using System.Buffers.Binary;

namespace AuroraDsql.Local.Protocol;

/// <summary>
/// Input buffer of one connection direction: bytes read from a stream, taken off the front as whole protocol messages.
/// Pooled array, grown for large messages, compacted instead of reallocated. Not thread-safe (one reader).
/// </summary>
sealed class MessageBuffer : IDisposable
{
	const int InitialSize = 16 * 1024;

	byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
	int _start;
	int _end;

	/// <summary>Size of the buffer now.</summary>
	internal int Capacity => _buffer.Length;

	/// <summary>Bytes buffered and not yet taken.</summary>
	public int Available => _end - _start;

	/// <summary>Takes one whole typed message (header included) if buffered. The memory is valid until the next fill.</summary>
	public bool TryReadMessage(out byte type, out ReadOnlyMemory<byte> message)
	{
		type    = 0;
		message = default;

		if (Available < 5)
			return false;

		var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start + 1));
		if (length < 4 || length > PgMessageReader.MaxMessageLength)
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
			Grow(_buffer.Length * 2);
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
			Grow(Math.Min(messageLength, _buffer.Length * 2));
	}

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
		var grown = ArrayPool<byte>.Shared.Rent(size);
		Buffer.BlockCopy(_buffer, _start, grown, 0, _end - _start);
		ArrayPool<byte>.Shared.Return(_buffer);
		_buffer = grown;
		_end   -= _start;
		_start  = 0;
	}

	/// <summary>After a large message, go back to a small buffer.</summary>
	void Shrink()
	{
		if (_buffer.Length > 4 * InitialSize && Available < InitialSize)
		{
			var small = ArrayPool<byte>.Shared.Rent(InitialSize);
			Buffer.BlockCopy(_buffer, _start, small, 0, _end - _start);
			ArrayPool<byte>.Shared.Return(_buffer);
			_buffer = small;
			_end   -= _start;
			_start  = 0;
		}
	}

	public void Dispose()
	{
		var buffer = Interlocked.Exchange(ref _buffer, []);
		if (buffer.Length > 0)
			ArrayPool<byte>.Shared.Return(buffer);
	}
}
