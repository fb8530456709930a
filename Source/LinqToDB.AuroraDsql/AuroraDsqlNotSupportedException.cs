namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// Thrown before anything is sent to the server when an operation asks for something Aurora DSQL does not support.
/// The message names the unsupported feature and what to do instead.
/// </summary>
public sealed class AuroraDsqlNotSupportedException : NotSupportedException
{
	/// <summary>Creates the exception.</summary>
	public AuroraDsqlNotSupportedException() { }

	/// <summary>Creates the exception with a message that says what is unsupported and what to do instead.</summary>
	public AuroraDsqlNotSupportedException(string message) : base(message) { }

	/// <summary>Creates the exception with a message and the exception that caused it.</summary>
	public AuroraDsqlNotSupportedException(string message, Exception innerException) : base(message, innerException) { }
}
