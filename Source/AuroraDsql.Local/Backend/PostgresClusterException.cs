namespace AuroraDsql.Local.Backend;

/// <summary>The PostgreSQL backend could not be initialized or started.</summary>
public sealed class PostgresClusterException : Exception
{
	/// <summary>Creates the exception.</summary>
	public PostgresClusterException(string message) : base(message) { }

	/// <summary>Creates the exception.</summary>
	public PostgresClusterException(string message, Exception innerException) : base(message, innerException) { }

	/// <summary>Creates the exception.</summary>
	public PostgresClusterException() { }
}
