using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace AuroraDsql.Local.Protocol;

/// <summary>Composes protocol messages into a reusable buffer: <c>Begin</c>, fields, <c>End</c> (patches the length).</summary>
sealed class PgMessageBuilder
{
	readonly ArrayBufferWriter<byte> _buffer = new(256);
	int _messageStart = -1;

	/// <summary>The messages composed so far.</summary>
	public ReadOnlyMemory<byte> WrittenMemory => _buffer.WrittenMemory;

	/// <summary>The messages composed so far.</summary>
	public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

	/// <summary>Forgets everything composed.</summary>
	public void Clear()
	{
		_buffer.ResetWrittenCount();
		_messageStart = -1;
	}

	/// <summary>Starts a typed message (type byte, then a length placeholder).</summary>
	public PgMessageBuilder Begin(byte type)
	{
		var span = _buffer.GetSpan(5);
		span[0] = type;
		_buffer.Advance(1);
		_messageStart = _buffer.WrittenCount;
		_buffer.GetSpan(4);
		_buffer.Advance(4);
		return this;
	}

	/// <summary>Starts an untyped message (startup, SSLRequest, CancelRequest): only the length placeholder.</summary>
	public PgMessageBuilder BeginUntyped()
	{
		_messageStart = _buffer.WrittenCount;
		_buffer.GetSpan(4);
		_buffer.Advance(4);
		return this;
	}

	public PgMessageBuilder Int32(int value)
	{
		BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), value);
		_buffer.Advance(4);
		return this;
	}

	public PgMessageBuilder Int16(short value)
	{
		BinaryPrimitives.WriteInt16BigEndian(_buffer.GetSpan(2), value);
		_buffer.Advance(2);
		return this;
	}

	public PgMessageBuilder Byte(byte value)
	{
		_buffer.GetSpan(1)[0] = value;
		_buffer.Advance(1);
		return this;
	}

	public PgMessageBuilder Bytes(ReadOnlySpan<byte> value)
	{
		_buffer.Write(value);
		return this;
	}

	/// <summary>A NUL-terminated UTF-8 string.</summary>
	public PgMessageBuilder CString(string value)
	{
		var count = Encoding.UTF8.GetByteCount(value);
		var span  = _buffer.GetSpan(count + 1);
		Encoding.UTF8.GetBytes(value, span);
		span[count] = 0;
		_buffer.Advance(count + 1);
		return this;
	}

	/// <summary>Ends the current message: writes its length.</summary>
	public PgMessageBuilder End()
	{
		var length = _buffer.WrittenCount - _messageStart;
		// ArrayBufferWriter has no indexer into written data; patch through the memory it exposes.
		var written = System.Runtime.InteropServices.MemoryMarshal.AsMemory(_buffer.WrittenMemory);
		BinaryPrimitives.WriteInt32BigEndian(written.Span.Slice(_messageStart, 4), length);
		_messageStart = -1;
		return this;
	}

	// ---- common backend messages ----

	/// <summary>ErrorResponse (or NoticeResponse with <paramref name="type"/> 'N').</summary>
	public PgMessageBuilder Error(string severity, string sqlState, string message, string? detail = null, string? hint = null, byte type = (byte)'E')
	{
		Begin(type);
		Byte((byte)'S').CString(severity);
		Byte((byte)'V').CString(severity);
		Byte((byte)'C').CString(sqlState);
		Byte((byte)'M').CString(message);
		if (detail != null)
			Byte((byte)'D').CString(detail);
		if (hint != null)
			Byte((byte)'H').CString(hint);
		Byte(0);
		return End();
	}

	public PgMessageBuilder ParameterStatus(string name, string value) => Begin((byte)'S').CString(name).CString(value).End();

	public PgMessageBuilder BackendKeyData(int processId, int secretKey) => Begin((byte)'K').Int32(processId).Int32(secretKey).End();

	public PgMessageBuilder ReadyForQuery(byte status) => Begin((byte)'Z').Byte(status).End();

	public PgMessageBuilder AuthenticationRequest(int code) => Begin((byte)'R').Int32(code).End();

	public PgMessageBuilder CommandComplete(string tag) => Begin((byte)'C').CString(tag).End();

	public PgMessageBuilder Query(string sql) => Begin((byte)'Q').CString(sql).End();
}
