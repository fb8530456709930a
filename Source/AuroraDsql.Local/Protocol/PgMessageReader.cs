using System.Buffers.Binary;
using System.Text;

namespace AuroraDsql.Local.Protocol;

/// <summary>Framing and field parsing of protocol messages held in pipe buffers.</summary>
static class PgMessageReader
{
	/// <summary>Largest message accepted from a client (the server's own limit for most messages is 1 GiB).</summary>
	public const int MaxMessageLength = 1 << 30;

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
