namespace AuroraDsql.Local.Protocol;

/// <summary>A peer broke the wire protocol; the connection cannot continue.</summary>
sealed class PgProtocolException : Exception
{
	public PgProtocolException(string message) : base(message) { }

	public PgProtocolException(string message, Exception innerException) : base(message, innerException) { }

	public PgProtocolException() { }
}
