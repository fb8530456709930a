using AuroraDsql.Sql;

namespace AuroraDsql.Local.Classification;

/// <summary>A statement being classified, with what is known about its session and transaction.</summary>
sealed class StatementContext
{
	public StatementContext(SqlStatement statement, QueryProtocol protocol, int statementCount, string? preparedStatementName, SessionInfo session, TransactionScope transaction)
	{
		Statement             = statement;
		Protocol              = protocol;
		StatementCount        = statementCount;
		PreparedStatementName = preparedStatementName;
		Session               = session;
		Transaction           = transaction;
	}

	public SqlStatement Statement { get; }

	public QueryProtocol Protocol { get; }

	/// <summary>Number of statements in the carrying message (a multi-statement simple query is one implicit transaction).</summary>
	public int StatementCount { get; }

	/// <summary>Name of the prepared statement (extended protocol; "" is the unnamed statement).</summary>
	public string? PreparedStatementName { get; }

	public SessionInfo Session { get; }

	/// <summary>The transaction the statement will run in, as far as the proxy can predict it.</summary>
	public TransactionScope Transaction { get; }

	/// <summary>The statement's transaction-control kind (BEGIN, COMMIT…).</summary>
	public TransactionControl Control => TransactionControlDetector.Detect(Statement);
}
