using LinqToDB.Data;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// Units of work that survive DSQL's optimistic concurrency: the delegate runs inside a transaction, and when the
/// transaction fails with a retryable error (a 40001 conflict at any statement or at COMMIT, <c>server unavailable</c>)
/// the whole unit runs again from BEGIN on a fresh connection, after an exponential, jittered delay.
/// </summary>
/// <remarks>
/// <para>Use the data connection passed to the delegate, not a captured one: each retry gets a new connection.</para>
/// <para>The delegate can run more than once, so keep side effects outside the database (messages, emails) out of it.</para>
/// <para>
/// A COMMIT that fails without saying whether it applied (the connection dropped) is not retried unless
/// <see cref="AuroraDsqlRetryOptions.RetryAmbiguousCommit"/> is set: it is thrown as <see cref="AuroraDsqlAmbiguousCommitException"/>.
/// </para>
/// <para>
/// Inside a <see cref="System.Transactions.TransactionScope"/> these methods are refused: their transactions and
/// retries cannot be part of the scope's transaction. Retry the whole scope instead, or call them outside it.
/// </para>
/// </remarks>
public static class AuroraDsqlTransactionExtensions
{
	/// <summary>Runs <paramref name="work"/> in a transaction, re-running the whole transaction on retryable errors; returns its result.</summary>
	/// <param name="dataConnection">Connection for the first attempt (it must not have a transaction open); retries use new connections with its options.</param>
	/// <param name="work">The unit of work. Receives the connection of the attempt (in a transaction) and the cancellation token.</param>
	/// <param name="retryOptions">Retry settings; <see langword="null"/> for the connection's <see cref="AuroraDsqlOptions.RetryOptions"/> (by default <see cref="AuroraDsqlRetryOptions.Default"/>).</param>
	/// <param name="cancellationToken">Cancels the work and the waits between attempts.</param>
	/// <exception cref="AuroraDsqlRetryLimitExceededException">Every attempt failed with a retryable error.</exception>
	/// <exception cref="AuroraDsqlAmbiguousCommitException">COMMIT failed without telling whether it applied.</exception>
	public static Task<TResult> InTransactionAsync<TResult>(
		this DataConnection                                dataConnection,
		Func<DataConnection, CancellationToken, Task<TResult>> work,
		AuroraDsqlRetryOptions?                            retryOptions      = null,
		CancellationToken                                  cancellationToken = default)
	{
		ArgumentNullException.ThrowIfNull(dataConnection);
		ArgumentNullException.ThrowIfNull(work);
		EnsureNoAmbientTransaction(dataConnection);

		return Internal.DataProvider.AuroraDsql.Transactions.TransactionRunner.RunAsync(dataConnection, work, retryOptions ?? RetryOptionsOf(dataConnection), cancellationToken);
	}

	/// <summary>Runs <paramref name="work"/> in a transaction, re-running the whole transaction on retryable errors.</summary>
	/// <param name="dataConnection">Connection for the first attempt (it must not have a transaction open); retries use new connections with its options.</param>
	/// <param name="work">The unit of work. Receives the connection of the attempt (in a transaction) and the cancellation token.</param>
	/// <param name="retryOptions">Retry settings; <see langword="null"/> for the connection's <see cref="AuroraDsqlOptions.RetryOptions"/> (by default <see cref="AuroraDsqlRetryOptions.Default"/>).</param>
	/// <param name="cancellationToken">Cancels the work and the waits between attempts.</param>
	/// <exception cref="AuroraDsqlRetryLimitExceededException">Every attempt failed with a retryable error.</exception>
	/// <exception cref="AuroraDsqlAmbiguousCommitException">COMMIT failed without telling whether it applied.</exception>
	public static Task InTransactionAsync(
		this DataConnection                         dataConnection,
		Func<DataConnection, CancellationToken, Task> work,
		AuroraDsqlRetryOptions?                     retryOptions      = null,
		CancellationToken                           cancellationToken = default)
	{
		ArgumentNullException.ThrowIfNull(work);

		return dataConnection.InTransactionAsync<bool>(
			async (db, ct) =>
			{
				await work(db, ct).ConfigureAwait(false);
				return true;
			},
			retryOptions,
			cancellationToken);
	}

	/// <summary>Runs <paramref name="work"/> in a transaction, re-running the whole transaction on retryable errors; returns its result.</summary>
	/// <param name="dataConnection">Connection for the first attempt (it must not have a transaction open); retries use new connections with its options.</param>
	/// <param name="work">The unit of work. Receives the connection of the attempt (in a transaction).</param>
	/// <param name="retryOptions">Retry settings; <see langword="null"/> for the connection's <see cref="AuroraDsqlOptions.RetryOptions"/> (by default <see cref="AuroraDsqlRetryOptions.Default"/>).</param>
	/// <exception cref="AuroraDsqlRetryLimitExceededException">Every attempt failed with a retryable error.</exception>
	/// <exception cref="AuroraDsqlAmbiguousCommitException">COMMIT failed without telling whether it applied.</exception>
	public static TResult InTransaction<TResult>(
		this DataConnection          dataConnection,
		Func<DataConnection, TResult> work,
		AuroraDsqlRetryOptions?      retryOptions = null)
	{
		ArgumentNullException.ThrowIfNull(dataConnection);
		ArgumentNullException.ThrowIfNull(work);
		EnsureNoAmbientTransaction(dataConnection);

		return Internal.DataProvider.AuroraDsql.Transactions.TransactionRunner.Run(dataConnection, work, retryOptions ?? RetryOptionsOf(dataConnection));
	}

	/// <summary>Runs <paramref name="work"/> in a transaction, re-running the whole transaction on retryable errors.</summary>
	/// <param name="dataConnection">Connection for the first attempt (it must not have a transaction open); retries use new connections with its options.</param>
	/// <param name="work">The unit of work. Receives the connection of the attempt (in a transaction).</param>
	/// <param name="retryOptions">Retry settings; <see langword="null"/> for the connection's <see cref="AuroraDsqlOptions.RetryOptions"/> (by default <see cref="AuroraDsqlRetryOptions.Default"/>).</param>
	/// <exception cref="AuroraDsqlRetryLimitExceededException">Every attempt failed with a retryable error.</exception>
	/// <exception cref="AuroraDsqlAmbiguousCommitException">COMMIT failed without telling whether it applied.</exception>
	public static void InTransaction(
		this DataConnection     dataConnection,
		Action<DataConnection>  work,
		AuroraDsqlRetryOptions? retryOptions = null)
	{
		ArgumentNullException.ThrowIfNull(work);

		dataConnection.InTransaction(db =>
		{
			work(db);
			return true;
		}, retryOptions);
	}

	static AuroraDsqlRetryOptions RetryOptionsOf(DataConnection dataConnection) =>
		dataConnection.Options.FindOrDefault(AuroraDsqlOptions.Default).RetryOptions;

	static void EnsureNoAmbientTransaction(DataConnection dataConnection)
	{
		if (Internal.DataProvider.AuroraDsql.Transactions.AmbientTransactions.Covers(dataConnection))
			throw new AuroraDsqlNotSupportedException(
				"InTransaction begins, commits and retries transactions of its own, and these cannot be part of the ambient transaction " +
				"of a TransactionScope: a retry could not run the scope's other work again, and DSQL has no nested transactions. Nothing was sent. " +
				"Either let the scope be the transaction (call scope.Complete(), and run the whole scope again when it fails with SQLSTATE 40001), " +
				"or call InTransaction outside the scope, or inside new TransactionScope(TransactionScopeOption.Suppress) on a connection opened there.");
	}

	/// <summary>
	/// Gives every data connection made from these options an <see cref="AuroraDsqlRetryPolicy"/> (its own instance), so
	/// single statements and connection opens outside application transactions are retried on transient DSQL errors.
	/// </summary>
	/// <param name="options">Options to configure.</param>
	/// <param name="configure">Adjusts the retry settings.</param>
	public static DataOptions UseAuroraDsqlRetryPolicy(this DataOptions options, Func<AuroraDsqlRetryOptions, AuroraDsqlRetryOptions>? configure = null)
	{
		ArgumentNullException.ThrowIfNull(options);

		var retryOptions = configure is null ? AuroraDsqlRetryOptions.Default : configure(AuroraDsqlRetryOptions.Default);
		return options.UseFactory(dataConnection => new AuroraDsqlRetryPolicy(dataConnection, retryOptions));
	}
}
