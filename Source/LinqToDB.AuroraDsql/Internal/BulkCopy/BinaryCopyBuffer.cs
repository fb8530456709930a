using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>
/// Rows in PostgreSQL's binary COPY format, encoded into a pooled buffer that <see cref="AuroraDsqlBulkCopy"/> hands to
/// Npgsql's raw COPY stream a block at a time: every value is written straight into the buffer, with no per-value
/// parameter binding, converter lookup or asynchronous call.
/// </summary>
sealed class BinaryCopyBuffer : IDisposable
{
	// The signature, flags and header extension length of a binary COPY (PostgreSQL's COPY documentation, "Binary Format").
	static ReadOnlySpan<byte> Header =>
	[
		(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0,
		0, 0, 0, 0,
		0, 0, 0, 0,
	];

	// As Npgsql: a string that is not valid UTF-16 (a lone surrogate) is an error, not silently replaced.
	static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

	byte[] _buffer;
	int _length;

	public BinaryCopyBuffer(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

	/// <summary>Bytes encoded and not yet taken.</summary>
	public int Length => _length;

	public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

	public void Clear() => _length = 0;

	public void WriteHeader() => Header.CopyTo(Reserve(Header.Length));

	/// <summary>The end of the data: a field count of -1.</summary>
	public void WriteTrailer() => WriteInt16(-1);

	public void StartRow(short fieldCount) => WriteInt16(fieldCount);

	public void WriteNull() => WriteInt32(-1);

	public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Reserve(sizeof(short)), value);

	public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Reserve(sizeof(int)), value);

	public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Reserve(sizeof(long)), value);

	public void WriteByte(byte value) => Reserve(1)[0] = value;

	public void WriteSingle(float value) => BinaryPrimitives.WriteSingleBigEndian(Reserve(sizeof(float)), value);

	public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleBigEndian(Reserve(sizeof(double)), value);

	public void WriteBytes(ReadOnlySpan<byte> value) => value.CopyTo(Reserve(value.Length));

	/// <summary>A text field: its UTF-8 length, then its bytes.</summary>
	public void WriteTextField(string value)
	{
		var span  = Reserve(sizeof(int) + StrictUtf8.GetMaxByteCount(value.Length));
		var bytes = StrictUtf8.GetBytes(value, span[sizeof(int)..]);
		BinaryPrimitives.WriteInt32BigEndian(span, bytes);
		_length -= span.Length - sizeof(int) - bytes;
	}

	/// <summary>A field of <paramref name="length"/> bytes: its length, and the span for its bytes.</summary>
	public Span<byte> ReserveField(int length)
	{
		var span = Reserve(sizeof(int) + length);
		BinaryPrimitives.WriteInt32BigEndian(span, length);
		return span[sizeof(int)..];
	}

	Span<byte> Reserve(int count)
	{
		if (_length + count > _buffer.Length)
			Grow(count);

		var span = _buffer.AsSpan(_length, count);
		_length += count;
		return span;
	}

	void Grow(int count)
	{
		var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
		_buffer.AsSpan(0, _length).CopyTo(larger);
		ArrayPool<byte>.Shared.Return(_buffer);
		_buffer = larger;
	}

	public void Dispose()
	{
		var buffer = _buffer;
		_buffer = [];
		_length = 0;
		if (buffer.Length > 0)
			ArrayPool<byte>.Shared.Return(buffer);
	}
}
