using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace AuroraDsql.Local.Protocol;

/// <summary>Framing and field parsing of protocol messages held in pipe buffers.</summary>
static class PgMessageReader
{
	/// <summary>Largest message accepted from a client (the server's own limit for most messages is 1 GiB).</summary>
	public const int MaxMessageLength = 1 << 30;

	/// <summary>
	/// Takes one complete typed message (type byte + int32 length + body) off the front of <paramref name="buffer"/>.
	/// <paramref name="message"/> is the whole message including its header.
	/// </summary>
	public static bool TryReadMessage(ref ReadOnlySequence<byte> buffer, out byte type, out ReadOnlySequence<byte> message)
	{
		if (buffer.Length < 5)
		{
			type    = 0;
			message = default;
			return false;
		}

		Span<byte> header = stackalloc byte[5];
		if (buffer.FirstSpan.Length >= 5)
			buffer.FirstSpan[..5].CopyTo(header);
		else
			buffer.Slice(0, 5).CopyTo(header);

		type = header[0];
		var length = BinaryPrimitives.ReadInt32BigEndian(header[1..]);
		if (length < 4 || length > MaxMessageLength)
			throw new PgProtocolException($"invalid message length {length} for message type '{(char)type}'");

		if (buffer.Length < length + 1L)
		{
			message = default;
			return false;
		}

		message = buffer.Slice(0, length + 1);
		buffer  = buffer.Slice(length + 1);
		return true;
	}

	/// <summary>Copies a message's body (after the 5-byte header) into a contiguous array.</summary>
	public static byte[] Body(in ReadOnlySequence<byte> message) => message.Slice(5).ToArray();

	/// <summary>Reads a NUL-terminated UTF-8 string at <paramref name="offset"/> and moves past it.</summary>
	public static string ReadCString(ReadOnlySpan<byte> body, ref int offset)
	{
		var end = body[offset..].IndexOf((byte)0);
		if (end < 0)
			throw new PgProtocolException("unterminated string in message");

		var value = Encoding.UTF8.GetString(body.Slice(offset, end));
		offset += end + 1;
		return value;
	}

	public static int ReadInt32(ReadOnlySpan<byte> body, ref int offset)
	{
		if (offset + 4 > body.Length)
			throw new PgProtocolException("message too short");
		var value = BinaryPrimitives.ReadInt32BigEndian(body[offset..]);
		offset += 4;
		return value;
	}

	public static short ReadInt16(ReadOnlySpan<byte> body, ref int offset)
	{
		if (offset + 2 > body.Length)
			throw new PgProtocolException("message too short");
		var value = BinaryPrimitives.ReadInt16BigEndian(body[offset..]);
		offset += 2;
		return value;
	}

	/// <summary>Fields of an ErrorResponse/NoticeResponse body, keyed by field code.</summary>
	public static Dictionary<char, string> ReadErrorFields(ReadOnlySpan<byte> body)
	{
		var fields = new Dictionary<char, string>();
		var offset = 0;
		while (offset < body.Length && body[offset] != 0)
		{
			var code = (char)body[offset++];
			fields[code] = ReadCString(body, ref offset);
		}

		return fields;
	}
}
