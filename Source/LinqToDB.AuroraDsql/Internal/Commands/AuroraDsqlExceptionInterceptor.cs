using LinqToDB.Data;
using LinqToDB.Interceptors;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Commands;

/// <summary>
/// Added to every data context by the provider next to <see cref="AuroraDsqlCommandInterceptor"/>: tells the statement
/// check about commands that failed before they reached the server (see <see cref="StatementGuard.CommandFailed"/>).
/// </summary>
sealed class AuroraDsqlExceptionInterceptor : IExceptionInterceptor
{
	public static readonly AuroraDsqlExceptionInterceptor Instance = new();

	AuroraDsqlExceptionInterceptor()
	{
	}

	public void ProcessException(ExceptionEventData eventData, Exception exception)
	{
		if (eventData.DataContext is DataConnection dataConnection)
			StatementGuard.CommandFailed(dataConnection, exception);
	}
}
