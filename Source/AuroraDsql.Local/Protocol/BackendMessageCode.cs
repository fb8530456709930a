namespace AuroraDsql.Local.Protocol;

/// <summary>
/// The type byte of each message the server sends (PostgreSQL protocol 3.0, "Message Formats"). Some share their byte
/// with a frontend message of another meaning ('E' is ErrorResponse here, Execute there): see <see cref="FrontendMessageCode"/>.
/// </summary>
enum BackendMessageCode : byte
{
	AuthenticationRequest    = (byte)'R',
	BackendKeyData           = (byte)'K',
	BindComplete             = (byte)'2',
	CloseComplete            = (byte)'3',
	CommandComplete          = (byte)'C',
	CopyBothResponse         = (byte)'W',
	CopyData                 = (byte)'d',
	CopyDone                 = (byte)'c',
	CopyInResponse           = (byte)'G',
	CopyOutResponse          = (byte)'H',
	DataRow                  = (byte)'D',
	EmptyQueryResponse       = (byte)'I',
	ErrorResponse            = (byte)'E',
	FunctionCallResponse     = (byte)'V',
	NegotiateProtocolVersion = (byte)'v',
	NoData                   = (byte)'n',
	NoticeResponse           = (byte)'N',
	NotificationResponse     = (byte)'A',
	ParameterDescription     = (byte)'t',
	ParameterStatus          = (byte)'S',
	ParseComplete            = (byte)'1',
	PortalSuspended          = (byte)'s',
	ReadyForQuery            = (byte)'Z',
	RowDescription           = (byte)'T',
}
