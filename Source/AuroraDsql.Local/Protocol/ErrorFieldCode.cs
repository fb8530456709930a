namespace AuroraDsql.Local.Protocol;

/// <summary>
/// The field codes of ErrorResponse and NoticeResponse (PostgreSQL protocol 3.0, "Error and Notice Message Fields"),
/// as keys of <see cref="PgMessageReader.ReadErrorFields"/>.
/// </summary>
static class ErrorFieldCode
{
	/// <summary>Severity, localized.</summary>
	public const char Severity = 'S';

	/// <summary>Severity, never localized.</summary>
	public const char SeverityNonLocalized = 'V';

	/// <summary>SQLSTATE.</summary>
	public const char SqlState = 'C';

	public const char Message = 'M';

	public const char Detail = 'D';

	public const char Hint = 'H';

	/// <summary>Cursor position in the client's statement.</summary>
	public const char Position = 'P';

	/// <summary>Cursor position in an internally generated statement (<see cref="InternalQuery"/>).</summary>
	public const char InternalPosition = 'p';

	/// <summary>The text of an internally generated statement that failed.</summary>
	public const char InternalQuery = 'q';

	/// <summary>The call stack (functions, SQL statements) in which the error happened.</summary>
	public const char Where = 'W';

	/// <summary>Source file of the server where the error was reported.</summary>
	public const char File = 'F';

	/// <summary>Source line of the server where the error was reported.</summary>
	public const char Line = 'L';

	/// <summary>Source routine of the server where the error was reported.</summary>
	public const char Routine = 'R';
}
