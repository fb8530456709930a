using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace AuroraDsql.Local.Protocol;

/// <summary>
/// Composes protocol messages into a reusable buffer, one method per message the endpoint sends (to clients: the
/// backend messages; to the backend: the frontend messages). Messages accumulate until <see cref="Clear"/>.
/// </summary>
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

	// ---- backend messages (endpoint → client) ----

	/// <summary>AuthenticationRequest (AuthenticationOk for <see cref="AuthenticationRequestCode.Ok"/>), without data.</summary>
	public PgMessageBuilder AuthenticationRequest(AuthenticationRequestCode code) =>
		Begin((byte)BackendMessageCode.AuthenticationRequest).Int32((int)code).End();

	public PgMessageBuilder BackendKeyData(int processId, int secretKey) =>
		Begin((byte)BackendMessageCode.BackendKeyData).Int32(processId).Int32(secretKey).End();

	public PgMessageBuilder CommandComplete(string tag) => Begin((byte)BackendMessageCode.CommandComplete).CString(tag).End();

	/// <summary>ErrorResponse with the fields a client needs (severity, SQLSTATE, message, and detail and hint if given).</summary>
	public PgMessageBuilder Error(string severity, string sqlState, string message, string? detail = null, string? hint = null)
	{
		Begin((byte)BackendMessageCode.ErrorResponse);
		Byte((byte)ErrorFieldCode.Severity).CString(severity);
		Byte((byte)ErrorFieldCode.SeverityNonLocalized).CString(severity);
		Byte((byte)ErrorFieldCode.SqlState).CString(sqlState);
		Byte((byte)ErrorFieldCode.Message).CString(message);
		if (detail != null)
			Byte((byte)ErrorFieldCode.Detail).CString(detail);
		if (hint != null)
			Byte((byte)ErrorFieldCode.Hint).CString(hint);
		Byte(0);
		return End();
	}

	/// <summary>ErrorResponse with exactly these fields, in this order (see <see cref="PgMessageReader.ReadErrorFields"/>).</summary>
	public PgMessageBuilder Error(IEnumerable<KeyValuePair<char, string>> fields)
	{
		Begin((byte)BackendMessageCode.ErrorResponse);
		foreach (var (field, value) in fields)
			Byte((byte)field).CString(value);
		Byte(0);
		return End();
	}

	/// <summary>
	/// NegotiateProtocolVersion: the newest minor version of protocol 3 the server speaks, and the protocol options
	/// (<c>_pq_.…</c>) of the StartupMessage it does not know.
	/// </summary>
	public PgMessageBuilder NegotiateProtocolVersion(int newestMinorVersion, IReadOnlyCollection<string> unsupportedOptions)
	{
		Begin((byte)BackendMessageCode.NegotiateProtocolVersion).Int32(newestMinorVersion).Int32(unsupportedOptions.Count);
		foreach (var option in unsupportedOptions)
			CString(option);
		return End();
	}

	/// <summary>NoticeResponse with the fields of a notice as received (<paramref name="fields"/>: the message body).</summary>
	public PgMessageBuilder NoticeResponse(ReadOnlySpan<byte> fields) => Begin((byte)BackendMessageCode.NoticeResponse).Bytes(fields).End();

	public PgMessageBuilder ParameterStatus(string name, string value) =>
		Begin((byte)BackendMessageCode.ParameterStatus).CString(name).CString(value).End();

	public PgMessageBuilder ReadyForQuery(TransactionStatus status) => Begin((byte)BackendMessageCode.ReadyForQuery).Byte((byte)status).End();

	// ---- frontend messages (endpoint → backend) ----

	/// <summary>
	/// Bind of <paramref name="portal"/> to prepared statement <paramref name="statement"/> with parameters in text format
	/// (null: SQL NULL) and results in text format.
	/// </summary>
	public PgMessageBuilder Bind(string portal, string statement, ReadOnlySpan<string?> textParameters)
	{
		Begin((byte)FrontendMessageCode.Bind).CString(portal).CString(statement).Int16(0);
		Int16(checked((short)textParameters.Length));
		foreach (var value in textParameters)
		{
			if (value is null)
				Int32(-1);
			else
				Int32(Encoding.UTF8.GetByteCount(value)).Bytes(Encoding.UTF8.GetBytes(value));
		}

		return Int16(0).End();
	}

	/// <summary>CancelRequest (sent on a connection of its own): cancel what the session with this key runs now.</summary>
	public PgMessageBuilder CancelRequest(int processId, int secretKey) =>
		BeginUntyped().Int32(RequestCode.CancelRequest).Int32(processId).Int32(secretKey).End();

	public PgMessageBuilder Close(StatementOrPortal target, string name) =>
		Begin((byte)FrontendMessageCode.Close).Byte((byte)target).CString(name).End();

	public PgMessageBuilder CopyFail(string message) => Begin((byte)FrontendMessageCode.CopyFail).CString(message).End();

	/// <summary>Parse of <paramref name="sql"/> as prepared statement <paramref name="statement"/> with parameters of these type OIDs.</summary>
	public PgMessageBuilder Parse(string statement, string sql, params ReadOnlySpan<int> parameterTypes)
	{
		Begin((byte)FrontendMessageCode.Parse).CString(statement).CString(sql).Int16(checked((short)parameterTypes.Length));
		foreach (var type in parameterTypes)
			Int32(type);
		return End();
	}

	/// <summary>
	/// Parse of <paramref name="sql"/> as prepared statement <paramref name="statement"/> with the parameter types of a
	/// client's Parse: <paramref name="encodedParameterTypes"/> is the rest of its body after the query (count, then OIDs).
	/// </summary>
	public PgMessageBuilder Parse(string statement, string sql, ReadOnlySpan<byte> encodedParameterTypes) =>
		Begin((byte)FrontendMessageCode.Parse).CString(statement).CString(sql).Bytes(encodedParameterTypes).End();

	/// <summary>PasswordMessage: a clear-text or MD5-hashed password.</summary>
	public PgMessageBuilder PasswordMessage(string password) => Begin((byte)FrontendMessageCode.Password).CString(password).End();

	public PgMessageBuilder Query(string sql) => Begin((byte)FrontendMessageCode.Query).CString(sql).End();

	/// <summary>SASLInitialResponse: the chosen mechanism and the client's first message.</summary>
	public PgMessageBuilder SaslInitialResponse(string mechanism, ReadOnlySpan<byte> data) =>
		Begin((byte)FrontendMessageCode.Password).CString(mechanism).Int32(data.Length).Bytes(data).End();

	/// <summary>SASLResponse: the client's next message.</summary>
	public PgMessageBuilder SaslResponse(ReadOnlySpan<byte> data) => Begin((byte)FrontendMessageCode.Password).Bytes(data).End();

	/// <summary>StartupMessage of protocol 3.0 with these parameters (<c>user</c> is required).</summary>
	public PgMessageBuilder StartupMessage(IEnumerable<KeyValuePair<string, string>> parameters)
	{
		BeginUntyped().Int32(RequestCode.ProtocolVersion3);
		foreach (var (name, value) in parameters)
			CString(name).CString(value);
		return Byte(0).End();
	}

	public PgMessageBuilder Sync() => Begin((byte)FrontendMessageCode.Sync).End();

	public PgMessageBuilder Terminate() => Begin((byte)FrontendMessageCode.Terminate).End();

	// ---- framing and fields ----

	/// <summary>Starts a typed message (type byte, then a length placeholder).</summary>
	PgMessageBuilder Begin(byte type)
	{
		var span = _buffer.GetSpan(5);
		span[0] = type;
		_buffer.Advance(1);
		_messageStart = _buffer.WrittenCount;
		_buffer.GetSpan(4);
		_buffer.Advance(4);
		return this;
	}

	/// <summary>Starts an untyped message (startup packet, CancelRequest): only the length placeholder.</summary>
	PgMessageBuilder BeginUntyped()
	{
		_messageStart = _buffer.WrittenCount;
		_buffer.GetSpan(4);
		_buffer.Advance(4);
		return this;
	}

	PgMessageBuilder Int32(int value)
	{
		BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), value);
		_buffer.Advance(4);
		return this;
	}

	PgMessageBuilder Int16(short value)
	{
		BinaryPrimitives.WriteInt16BigEndian(_buffer.GetSpan(2), value);
		_buffer.Advance(2);
		return this;
	}

	PgMessageBuilder Byte(byte value)
	{
		_buffer.GetSpan(1)[0] = value;
		_buffer.Advance(1);
		return this;
	}

	PgMessageBuilder Bytes(ReadOnlySpan<byte> value)
	{
		_buffer.Write(value);
		return this;
	}

	/// <summary>A NUL-terminated UTF-8 string.</summary>
	PgMessageBuilder CString(string value)
	{
		var count = Encoding.UTF8.GetByteCount(value);
		var span  = _buffer.GetSpan(count + 1);
		Encoding.UTF8.GetBytes(value, span);
		span[count] = 0;
		_buffer.Advance(count + 1);
		return this;
	}

	/// <summary>Ends the current message: writes its length.</summary>
	PgMessageBuilder End()
	{
		var length = _buffer.WrittenCount - _messageStart;
		// ArrayBufferWriter has no indexer into written data; patch through the memory it exposes.
		var written = System.Runtime.InteropServices.MemoryMarshal.AsMemory(_buffer.WrittenMemory);
		BinaryPrimitives.WriteInt32BigEndian(written.Span.Slice(_messageStart, 4), length);
		_messageStart = -1;
		return this;
	}
}
