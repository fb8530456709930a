namespace AuroraDsql.Local.Protocol;

/// <summary>
/// The code after the length of an untyped message, which says what it is: a StartupMessage (the protocol version it
/// asks for) or one of the special requests, whose codes are versions no server speaks (PostgreSQL's <c>pqcomm.h</c>).
/// </summary>
static class RequestCode
{
	/// <summary>StartupMessage of protocol 3.0, the only version the endpoint and PostgreSQL 15 speak.</summary>
	public const int ProtocolVersion3 = 3 << 16;

	/// <summary>CancelRequest: process id and secret key follow.</summary>
	public const int CancelRequest = (1234 << 16) | 5678;

	/// <summary>SSLRequest: the server answers 'S' (TLS follows) or 'N'.</summary>
	public const int SslRequest = (1234 << 16) | 5679;

	/// <summary>GSSENCRequest: the server answers 'G' (GSSAPI encryption follows) or 'N'.</summary>
	public const int GssEncRequest = (1234 << 16) | 5680;

	/// <summary>The answer to an SSLRequest that the server takes up: the TLS handshake follows.</summary>
	public static ReadOnlySpan<byte> SslAccepted => "S"u8;

	/// <summary>The answer to an SSLRequest or GSSENCRequest that the server declines: the client goes on without.</summary>
	public static ReadOnlySpan<byte> Declined => "N"u8;

	/// <summary>The major protocol version of a StartupMessage's code.</summary>
	public static int MajorVersion(int code) => code >> 16;

	/// <summary>The minor protocol version of a StartupMessage's code.</summary>
	public static int MinorVersion(int code) => code & 0xFFFF;
}
