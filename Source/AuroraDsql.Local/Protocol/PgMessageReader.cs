using System.Buffers.Binary;
using System.Text;

namespace AuroraDsql.Local.Protocol;

/// <summary>Framing and field parsing of protocol messages held in pipe buffers.</summary>
static class PgMessageReader
{
	/// <summary>Largest message length (the length field, which counts itself): PostgreSQL's limit, 1 GiB − 2.</summary>
	public const int MaxMessageLength = 0x3FFFFFFE;

	/// <summary>PostgreSQL's limit for client messages that carry no data (Sync, Execute, Describe, Close…).</summary>
	public const int SmallMessageLength = 10_000;

	/// <summary>
	/// What a client that has not logged in may send in one message: a password message holding an IAM token (a few KiB,
	/// with a session token; PostgreSQL's own limit for authentication data is 64 KiB).
	/// </summary>
	public const int LoginMessageLength = 16 * 1024;

	/// <summary>The largest length a message of <paramref name="type"/> may have under <paramref name="limits"/>.</summary>
	public static int MaxLength(byte type, MessageLimits limits) => limits switch
	{
		MessageLimits.ClientLoggingIn => LoginMessageLength,
		// As PostgreSQL (postgres.c, SocketBackend): Query, FunctionCall, Bind, Parse and CopyData may be large.
		MessageLimits.Client => (FrontendMessageCode)type is FrontendMessageCode.Query or FrontendMessageCode.FunctionCall or FrontendMessageCode.Bind
			or FrontendMessageCode.Parse or FrontendMessageCode.CopyData ? MaxMessageLength : SmallMessageLength,
		_ => MaxMessageLength,
	};

	/// <summary>Reads a NUL-terminated UTF-8 string at <paramref name="offset"/> and moves past it.</summary>
	public static string ReadCString(ReadOnlySpan<byte> body, ref int offset)
	{
		if ((uint)offset > (uint)body.Length)
			throw new PgProtocolException("message too short");

		var end = body[offset..].IndexOf((byte)0);
		if (end < 0)
			throw new PgProtocolException("unterminated string in message");

		var value = Encoding.UTF8.GetString(body.Slice(offset, end));
		offset += end + 1;
		return value;
	}

	/// <summary>The bytes of a NUL-terminated string at <paramref name="offset"/> (without its NUL); moves past it.</summary>
	public static ReadOnlySpan<byte> ReadCStringBytes(ReadOnlySpan<byte> body, ref int offset)
	{
		if ((uint)offset > (uint)body.Length)
			throw new PgProtocolException("message too short");

		var end = body[offset..].IndexOf((byte)0);
		if (end < 0)
			throw new PgProtocolException("unterminated string in message");

		var value = body.Slice(offset, end);
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
