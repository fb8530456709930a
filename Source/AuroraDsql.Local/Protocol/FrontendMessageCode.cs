namespace AuroraDsql.Local.Protocol;

/// <summary>
/// The type byte of each typed message a client sends (PostgreSQL protocol 3.0, "Message Formats"). The startup packet,
/// SSLRequest, GSSENCRequest and CancelRequest have none: they are told apart by <see cref="RequestCode"/>.
/// </summary>
enum FrontendMessageCode : byte
{
	Bind         = (byte)'B',
	Close        = (byte)'C',
	CopyData     = (byte)'d',
	CopyDone     = (byte)'c',
	CopyFail     = (byte)'f',
	Describe     = (byte)'D',
	Execute      = (byte)'E',
	Flush        = (byte)'H',
	FunctionCall = (byte)'F',
	Parse        = (byte)'P',

	/// <summary>PasswordMessage, and the SASL and GSSAPI responses, which share its type byte.</summary>
	Password     = (byte)'p',
	Query        = (byte)'Q',
	Sync         = (byte)'S',
	Terminate    = (byte)'X',
}
