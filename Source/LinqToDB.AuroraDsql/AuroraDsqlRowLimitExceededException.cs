using System.Data.Common;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// A statement made its transaction modify more rows than Aurora DSQL allows (3,000; SQLSTATE 54000
/// <c>transaction row limit exceeded</c>). Nothing the statement did is kept: on its own it changed nothing, and in an
/// application transaction that transaction is aborted (it can only be rolled back). The message names the batched operation that
/// does the same work within the limit (<c>InsertInBatches</c>, <c>UpdateInBatches</c>, <c>DeleteInBatches</c>,
/// <c>BulkCopy</c>); the server's error is the <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class AuroraDsqlRowLimitExceededException : DbException
{
	/// <summary>Creates the exception.</summary>
	public AuroraDsqlRowLimitExceededException() { }

	/// <summary>Creates the exception with a message.</summary>
	public AuroraDsqlRowLimitExceededException(string message) : base(message) { }

	/// <summary>Creates the exception with a message and the server's error.</summary>
	public AuroraDsqlRowLimitExceededException(string message, Exception innerException) : base(message, innerException) { }

	/// <summary>The SQLSTATE of the server's error: <see cref="AuroraDsqlErrors.ProgramLimitExceeded"/> (54000).</summary>
	public override string? SqlState => AuroraDsqlErrors.ProgramLimitExceeded;
}
