using System.Collections.Concurrent;
using System.Transactions;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

/// <summary>
/// <see cref="TransactionScope"/> on DSQL. The provider's connections enlist in the ambient transaction when they open,
/// the way Npgsql does it (<c>Enlist=true</c>, its default): the first command then runs after
/// <c>BEGIN ISOLATION LEVEL REPEATABLE READ</c>, and the scope commits or rolls back the server transaction. Enlisting
/// is refused, before anything is sent, where DSQL could not keep the scope's promise:
/// <list type="bullet">
/// <item>a scope of an isolation level other than RepeatableRead or Snapshot (<c>new TransactionScope()</c> asks for
/// Serializable): DSQL refuses every other level;</item>
/// <item>a second server session in one transaction: Npgsql would commit two sessions with <c>PREPARE TRANSACTION</c>,
/// and DSQL has no two-phase commit. A connection closed inside the scope leaves its session reserved for the transaction
/// (Npgsql's pending enlisted connector), and the next connection opened in the scope gets that same session back; only
/// connections open at the same time, or from different pools, would need a second one.</item>
/// </list>
/// </summary>
static class AmbientTransactions
{
	/// <summary>The provider's use of one ambient transaction.</summary>
	internal sealed class Enlistment(Transaction transaction)
	{
		public Transaction Transaction { get; } = transaction;

		/// <summary>The provider connection open (or opening) in the transaction; <see langword="null"/> while none is.</summary>
		public AuroraDsqlConnection? Holder { get; set; }

		/// <summary>The server session (backend process id) that holds the transaction, once one does.</summary>
		public int? ProcessId { get; set; }

		/// <summary>The settings of the connection that holds the session, without its password (compared, never shown).</summary>
		public NpgsqlConnectionStringBuilder? Settings { get; set; }

		public bool IsActive
		{
			get
			{
				try
				{
					return Transaction.TransactionInformation.Status == TransactionStatus.Active;
				}
				catch (ObjectDisposedException)
				{
					return false;
				}
			}
		}
	}

	static readonly ConcurrentDictionary<string, Enlistment> _enlistments = new(StringComparer.Ordinal);

	/// <summary>
	/// Called before <paramref name="connection"/> opens (<paramref name="explicitly"/> false) or enlists in
	/// <paramref name="transaction"/> when asked to: refuses what DSQL cannot do and reserves the transaction for the
	/// connection. <see langword="null"/> when the connection does not enlist (no ambient transaction, or opening with
	/// <c>Enlist=false</c>).
	/// </summary>
	public static Enlistment? BeforeEnlisting(AuroraDsqlConnection connection, Transaction? transaction, bool explicitly)
	{
		if (transaction is null || (!explicitly && !EnlistsOnOpen(connection.NpgsqlConnection)))
			return null;

		EnsureSupportedLevel(transaction.IsolationLevel);

		var enlistment = For(transaction);

		lock (enlistment)
		{
			if ((enlistment.Holder is { } holder && !ReferenceEquals(holder, connection))
				|| (enlistment.Settings is { } settings && !settings.EquivalentTo(SettingsOf(connection.NpgsqlConnection))))
				throw SecondConnection(sent: false);

			enlistment.Holder = connection;
		}

		return enlistment;
	}

	/// <summary>
	/// Called once <paramref name="connection"/> is open and enlisted: checks that it got the transaction's session (the
	/// pool hands back the session of a connection closed earlier in the scope), and remembers it. A new session in a
	/// transaction that already has one cannot commit with it: the transaction is rolled back and the open refused.
	/// </summary>
	public static void Enlisted(Enlistment enlistment, AuroraDsqlConnection connection, bool closeOnRefusal)
	{
		var processId = connection.NpgsqlConnection.ProcessID;
		bool secondSession;

		lock (enlistment)
		{
			secondSession = enlistment.ProcessId is { } held && held != processId;

			if (secondSession)
			{
				if (ReferenceEquals(enlistment.Holder, connection))
					enlistment.Holder = null;
			}
			else
			{
				enlistment.ProcessId  = processId;
				enlistment.Settings ??= SettingsOf(connection.NpgsqlConnection);
			}
		}

		if (secondSession)
		{
			var refusal = SecondConnection(sent: true);

			try
			{
				enlistment.Transaction.Rollback(refusal);
			}
			catch (TransactionException)
			{
				// already ended
			}

			if (closeOnRefusal)
				connection.NpgsqlConnection.Close();

			throw refusal;
		}

		connection.Enlistment = enlistment;
	}

	/// <summary>The open failed: the transaction is free for another connection.</summary>
	public static void EnlistingFailed(Enlistment enlistment, AuroraDsqlConnection connection)
	{
		lock (enlistment)
		{
			if (ReferenceEquals(enlistment.Holder, connection))
				enlistment.Holder = null;
		}
	}

	/// <summary>
	/// <paramref name="connection"/> closed: its session stays reserved for the transaction (Npgsql keeps it until the
	/// scope ends), and the next connection opened in the scope may use it.
	/// </summary>
	public static void Released(AuroraDsqlConnection connection)
	{
		if (connection.Enlistment is not { } enlistment)
			return;

		connection.Enlistment = null;

		lock (enlistment)
		{
			if (ReferenceEquals(enlistment.Holder, connection))
				enlistment.Holder = null;
		}
	}

	/// <summary>
	/// <see langword="true"/> when work on <paramref name="db"/> runs in an ambient transaction: its provider connection
	/// is enlisted in one that is still active, or it is not open yet (or not the provider's) and there is a current one.
	/// </summary>
	public static bool Covers(DataConnection db) =>
		db.TryGetDbConnection() is AuroraDsqlConnection { State: System.Data.ConnectionState.Open } connection
			? connection.ActiveEnlistment != null
			: Transaction.Current != null;

	/// <summary>
	/// The ambient transaction commands of <paramref name="connection"/> run in: the one it enlisted in while that is
	/// active, or (linq2db prepares a data connection's first command before it opens the connection) the current one it
	/// will enlist in when it opens.
	/// </summary>
	public static Enlistment? Of(AuroraDsqlConnection connection)
	{
		if (connection.State != System.Data.ConnectionState.Closed)
			return connection.ActiveEnlistment;

		return Transaction.Current is { } current && EnlistsOnOpen(connection.NpgsqlConnection) && For(current) is { IsActive: true } enlistment
			? enlistment
			: null;
	}

	static Enlistment For(Transaction transaction)
	{
		var id = transaction.TransactionInformation.LocalIdentifier;

		if (_enlistments.TryGetValue(id, out var known))
			return known;

		var created    = new Enlistment(transaction);
		var enlistment = _enlistments.GetOrAdd(id, created);

		if (ReferenceEquals(enlistment, created))
			transaction.TransactionCompleted += (_, _) => _enlistments.TryRemove(id, out _);

		return enlistment;
	}

	static bool EnlistsOnOpen(NpgsqlConnection connection) =>
		new NpgsqlConnectionStringBuilder(connection.ConnectionString).Enlist;

	/// <summary>
	/// What decides the pool a connection comes from, but its password: Npgsql shows the connection string without the
	/// password once the connection is open, and a token changes with every connection string a caller builds. Connections
	/// of other settings come from another pool and could not continue the transaction's session; those that differ only
	/// in the password are told apart once open, by their session.
	/// </summary>
	static NpgsqlConnectionStringBuilder SettingsOf(NpgsqlConnection connection) =>
		new(connection.ConnectionString) { Password = null };

	static void EnsureSupportedLevel(System.Transactions.IsolationLevel level)
	{
		if (level is System.Transactions.IsolationLevel.RepeatableRead or System.Transactions.IsolationLevel.Snapshot)
			return;

		var hint = level == System.Transactions.IsolationLevel.Serializable
			? " (Serializable is what new TransactionScope() asks for when no TransactionOptions are given)"
			: "";

		throw new AuroraDsqlNotSupportedException(
			$"Aurora DSQL runs every transaction at REPEATABLE READ (snapshot isolation) and refuses {level}, the isolation level of the ambient transaction{hint}. " +
			"Nothing was sent. Create the scope with a level DSQL runs: new TransactionScope(TransactionScopeOption.Required, " +
			"new TransactionOptions { IsolationLevel = IsolationLevel.RepeatableRead }, TransactionScopeAsyncFlowOption.Enabled) " +
			"(IsolationLevel.Snapshot works too). Conflicting writers get SQLSTATE 40001 when the scope commits.");
	}

	static AuroraDsqlNotSupportedException SecondConnection(bool sent) =>
		new("The ambient transaction (TransactionScope) already has a connection to Aurora DSQL, and a second one would need a " +
			"two-phase commit, which DSQL does not have. " +
			(sent
				? "The connection reached a second server session (another pool), so the transaction was rolled back. "
				: "Nothing was sent. ") +
			"Run all of the scope's work on one DataConnection, or " +
			"close the first connection before opening the next (it then continues the same server transaction); wrap work that " +
			"must stay outside the transaction in new TransactionScope(TransactionScopeOption.Suppress).");
}
