using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>Classifies errors Aurora DSQL reports, looking through wrapping exceptions.</summary>
public static class AuroraDsqlErrors
{
	/// <summary>SQLSTATE of an optimistic-concurrency conflict: <c>serialization_failure</c>.</summary>
	public const string SerializationFailure = "40001";

	/// <summary>SQLSTATE of DSQL's per-transaction limits (rows, size, age): <c>program_limit_exceeded</c>.</summary>
	public const string ProgramLimitExceeded = "54000";

	/// <summary>Code in the message of a data conflict: <c>change conflicts with another transaction (OC000)</c>.</summary>
	public const string DataConflictCode = "OC000";

	/// <summary>Code in the message of a catalog conflict: <c>schema has been updated by another transaction (OC001)</c>.</summary>
	public const string SchemaConflictCode = "OC001";

	/// <summary>
	/// <see langword="true"/> when the error is an optimistic-concurrency conflict (SQLSTATE 40001, OC000 or OC001): the
	/// transaction was rolled back and running it again from the start may succeed.
	/// </summary>
	public static bool IsOptimisticConcurrencyConflict(Exception exception) =>
		Find(exception, static e => e is PostgresException { SqlState: SerializationFailure } || MentionsConflictCode(e.Message)) != null;

	/// <summary><see langword="true"/> when the conflict was a catalog change by another transaction (OC001), for example a finished async index build.</summary>
	public static bool IsSchemaChangeConflict(Exception exception) =>
		Find(exception, static e => e.Message.Contains("(" + SchemaConflictCode + ")", StringComparison.Ordinal)) != null;

	/// <summary>
	/// <see langword="true"/> when one of DSQL's per-transaction limits was exceeded (SQLSTATE 54000: 3,000 modified rows,
	/// 10 MiB of modified data, 5 minutes). Retrying the same transaction fails again: split the work.
	/// </summary>
	public static bool IsTransactionLimitExceeded(Exception exception) =>
		Find(exception, static e => e is PostgresException { SqlState: ProgramLimitExceeded }) != null;

	/// <summary>
	/// <see langword="true"/> when running the whole transaction again may succeed: a conflict (40001), DSQL's
	/// <c>XX000 server unavailable</c>, connection limits (53300, 53400), a session ended by the server (57P01–57P03,
	/// 08xxx), or a transient network failure.
	/// </summary>
	public static bool IsTransient(Exception exception) =>
		Find(exception, static e => e switch
		{
			PostgresException { SqlState: SerializationFailure } => true,
			PostgresException { SqlState: "53300" or "53400" }  => true,
			// The session was ended under the statement: admin/crash shutdown, or a connection-class error.
			PostgresException { SqlState: "57P01" or "57P02" or "57P03" } => true,
			PostgresException pg when pg.SqlState.StartsWith("08", StringComparison.Ordinal) => true,
			PostgresException { SqlState: "XX000" } pg           => pg.MessageText.Contains("server unavailable", StringComparison.OrdinalIgnoreCase),
			PostgresException                                    => false,
			NpgsqlException npgsql                               => npgsql.IsTransient && npgsql.InnerException is not TimeoutException,
			_                                                    => MentionsConflictCode(e.Message),
		}) != null;

	static bool MentionsConflictCode(string message) =>
		message.Contains("(" + DataConflictCode + ")", StringComparison.Ordinal) || message.Contains("(" + SchemaConflictCode + ")", StringComparison.Ordinal);

	static Exception? Find(Exception? exception, Func<Exception, bool> predicate)
	{
		var depth = 0;

		while (exception != null && depth++ < 32)
		{
			if (predicate(exception))
				return exception;

			if (exception is AggregateException aggregate)
			{
				foreach (var inner in aggregate.InnerExceptions)
				{
					var found = Find(inner, predicate);
					if (found != null)
						return found;
				}

				return null;
			}

			exception = exception.InnerException;
		}

		return null;
	}
}
