using System.Data.Common;

using LinqToDB.Common;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Interceptors;
using LinqToDB.Internal.DataProvider.AuroraDsql.Schema;
using LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Commands;

/// <summary>
/// Added to every data context by the provider. Gives temporary tables their connection's unique name
/// (<see cref="TemporaryTables"/>), checks each command against DSQL's rules before it is sent
/// (<see cref="StatementGuard"/>, unless <see cref="AuroraDsqlOptions.CheckStatementsBeforeSending"/> is off), and runs the
/// statements the SQL builder marks as batched deletes (<c>Truncate()</c>) in DSQL-sized transactions.
/// </summary>
sealed class AuroraDsqlCommandInterceptor : CommandInterceptor
{
	public static readonly AuroraDsqlCommandInterceptor Instance = new();

	AuroraDsqlCommandInterceptor()
	{
	}

	public override DbCommand CommandInitialized(CommandEventData eventData, DbCommand command)
	{
		if (command.CommandText.Contains(TemporaryTables.Placeholder, StringComparison.Ordinal))
			command.CommandText = TemporaryTables.Resolve(eventData.DataConnection, command.CommandText, InTransaction(eventData, command));

		if (eventData.DataConnection.Options.FindOrDefault(AuroraDsqlOptions.Default).CheckStatementsBeforeSending)
			StatementGuard.Check(eventData.DataConnection, command.CommandText);

		return command;
	}

	public override Option<int> ExecuteNonQuery(CommandEventData eventData, DbCommand command, Option<int> result)
	{
		if (result.HasValue || !TruncateMarker.TryParse(command.CommandText, out var batchSize, out var table, out var keys))
			return result;

		return Option<int>.Some(BatchedDelete.Run(command, InTransaction(eventData, command), batchSize, table, keys, Options(eventData)));
	}

	public override async Task<Option<int>> ExecuteNonQueryAsync(CommandEventData eventData, DbCommand command, Option<int> result, CancellationToken cancellationToken)
	{
		if (result.HasValue || !TruncateMarker.TryParse(command.CommandText, out var batchSize, out var table, out var keys))
			return result;

		return Option<int>.Some(await BatchedDelete.RunAsync(command, InTransaction(eventData, command), batchSize, table, keys, Options(eventData), cancellationToken).ConfigureAwait(false));
	}

	static bool InTransaction(CommandEventData eventData, DbCommand command) =>
		command.Transaction != null || AmbientTransactions.Covers(eventData.DataConnection);

	static AuroraDsqlOptions Options(CommandEventData eventData) =>
		eventData.DataConnection.Options.FindOrDefault(AuroraDsqlOptions.Default);
}
