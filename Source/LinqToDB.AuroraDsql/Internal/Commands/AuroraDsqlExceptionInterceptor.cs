using LinqToDB.Data;
using LinqToDB.Interceptors;
using LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Commands;

/// <summary>
/// Added to every data context by the provider next to <see cref="AuroraDsqlCommandInterceptor"/>: tells the statement
/// check about commands that failed before they reached the server (see <see cref="StatementGuard.CommandFailed"/>), and
/// turns DSQL's row-limit error into one that names the batched operation to use (<see cref="RowLimitErrors"/>).
/// </summary>
sealed class AuroraDsqlExceptionInterceptor : IExceptionInterceptor
{
	public static readonly AuroraDsqlExceptionInterceptor Instance = new();

	AuroraDsqlExceptionInterceptor()
	{
	}

	public void ProcessException(ExceptionEventData eventData, Exception exception)
	{
		if (eventData.DataContext is not DataConnection dataConnection)
			return;

		StatementGuard.CommandFailed(dataConnection, exception);

		// Thrown from here, it replaces the server's bare error (which it keeps as its inner exception).
		if (RowLimitErrors.Translate(exception, dataConnection.LastQuery, dataConnection.Transaction != null || AmbientTransactions.Covers(dataConnection)) is { } translated)
			throw translated;
	}
}
