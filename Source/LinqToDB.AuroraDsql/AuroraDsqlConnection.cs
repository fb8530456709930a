using System.ComponentModel;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

using LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// The <see cref="DbConnection"/> linq2db uses for Aurora DSQL: an <see cref="Npgsql.NpgsqlConnection"/> whose transactions
/// begin the way DSQL accepts. DSQL runs every transaction at REPEATABLE READ and refuses other isolation levels, while
/// Npgsql's <c>BeginTransaction()</c> asks for READ COMMITTED; here a transaction without a level (or with
/// <see cref="IsolationLevel.RepeatableRead"/> / <see cref="IsolationLevel.Snapshot"/>) begins as
/// <c>BEGIN ISOLATION LEVEL REPEATABLE READ</c>, and any other level is refused before anything is sent.
/// </summary>
/// <remarks>
/// <para>
/// Opened inside a <see cref="System.Transactions.TransactionScope"/> (with <c>Enlist=true</c>, Npgsql's default) the
/// connection enlists in the ambient transaction when the scope's isolation level is
/// <see cref="System.Transactions.IsolationLevel.RepeatableRead"/> or <see cref="System.Transactions.IsolationLevel.Snapshot"/>;
/// a scope of another level, and a second connection in the same transaction (DSQL has no two-phase commit), are refused
/// before the connection opens.
/// </para>
/// <para>Use <see cref="NpgsqlConnection"/> for Npgsql-specific APIs.</para>
/// </remarks>
public sealed class AuroraDsqlConnection : DbConnection
{
	/// <summary>Wraps an Npgsql connection (typically from an <see cref="NpgsqlDataSource"/>).</summary>
	public AuroraDsqlConnection(NpgsqlConnection connection)
	{
		NpgsqlConnection = connection ?? throw new ArgumentNullException(nameof(connection));
		NpgsqlConnection.StateChange += ForwardStateChange;
	}

	/// <summary>The underlying Npgsql connection.</summary>
	public NpgsqlConnection NpgsqlConnection { get; }

	/// <inheritdoc />
	[AllowNull]
	public override string ConnectionString
	{
		get => NpgsqlConnection.ConnectionString;
		set => NpgsqlConnection.ConnectionString = value;
	}

	/// <inheritdoc />
	public override int             ConnectionTimeout => NpgsqlConnection.ConnectionTimeout;
	/// <inheritdoc />
	public override string          Database          => NpgsqlConnection.Database;
	/// <inheritdoc />
	public override string          DataSource        => NpgsqlConnection.DataSource;
	/// <inheritdoc />
	public override string          ServerVersion     => NpgsqlConnection.ServerVersion;
	/// <inheritdoc />
	public override ConnectionState State             => NpgsqlConnection.State;
	/// <inheritdoc />
	public override bool            CanCreateBatch    => NpgsqlConnection.CanCreateBatch;
	/// <inheritdoc />
	protected override DbProviderFactory DbProviderFactory => NpgsqlFactory.Instance;

	/// <inheritdoc />
	public override void Open()
	{
		var enlistment = AmbientTransactions.BeforeEnlisting(this, System.Transactions.Transaction.Current, explicitly: false);

		try
		{
			NpgsqlConnection.Open();
		}
		catch when (enlistment != null)
		{
			AmbientTransactions.EnlistingFailed(enlistment, this);
			throw;
		}

		if (enlistment != null)
			AmbientTransactions.Enlisted(enlistment, this, closeOnRefusal: true);
	}

	/// <inheritdoc />
	public override async Task OpenAsync(CancellationToken cancellationToken)
	{
		var enlistment = AmbientTransactions.BeforeEnlisting(this, System.Transactions.Transaction.Current, explicitly: false);

		try
		{
			await NpgsqlConnection.OpenAsync(cancellationToken).ConfigureAwait(false);
		}
		catch when (enlistment != null)
		{
			AmbientTransactions.EnlistingFailed(enlistment, this);
			throw;
		}

		if (enlistment != null)
			AmbientTransactions.Enlisted(enlistment, this, closeOnRefusal: true);
	}

	/// <inheritdoc />
	public override void Close()
	{
		NpgsqlConnection.Close();
		AmbientTransactions.Released(this);
	}

	/// <inheritdoc />
	public override async Task CloseAsync()
	{
		await NpgsqlConnection.CloseAsync().ConfigureAwait(false);
		AmbientTransactions.Released(this);
	}

	/// <inheritdoc />
	public override void ChangeDatabase(string databaseName) => NpgsqlConnection.ChangeDatabase(databaseName);

	/// <summary>
	/// Enlists the open connection in <paramref name="transaction"/>, within the same rules as enlisting on open: the
	/// transaction's isolation level must be RepeatableRead or Snapshot, and it must not have another connection.
	/// </summary>
	/// <param name="transaction">The transaction to enlist in.</param>
	public override void EnlistTransaction(System.Transactions.Transaction? transaction)
	{
		if (transaction is null)
		{
			NpgsqlConnection.EnlistTransaction(null);
			AmbientTransactions.Released(this);
			return;
		}

		var enlistment = AmbientTransactions.BeforeEnlisting(this, transaction, explicitly: true);

		try
		{
			NpgsqlConnection.EnlistTransaction(transaction);
		}
		catch when (enlistment != null)
		{
			AmbientTransactions.EnlistingFailed(enlistment, this);
			throw;
		}

		if (enlistment != null)
			AmbientTransactions.Enlisted(enlistment, this, closeOnRefusal: false);
	}

	/// <summary>The ambient transaction this connection enlisted in, while it is active.</summary>
	internal AmbientTransactions.Enlistment? Enlistment { get; set; }

	/// <summary><see cref="Enlistment"/> while its transaction is still active; <see langword="null"/> otherwise.</summary>
	internal AmbientTransactions.Enlistment? ActiveEnlistment => Enlistment is { IsActive: true } enlistment ? enlistment : null;

	/// <inheritdoc />
	public override DataTable GetSchema() => NpgsqlConnection.GetSchema();

	/// <inheritdoc />
	public override DataTable GetSchema(string collectionName) => NpgsqlConnection.GetSchema(collectionName);

	/// <inheritdoc />
	public override DataTable GetSchema(string collectionName, string?[] restrictionValues) => NpgsqlConnection.GetSchema(collectionName, restrictionValues);

	/// <inheritdoc />
	protected override DbCommand CreateDbCommand() => NpgsqlConnection.CreateCommand();

	/// <inheritdoc />
	protected override DbBatch CreateDbBatch() => NpgsqlConnection.CreateBatch();

	/// <summary>
	/// How many transactions this connection has begun. Npgsql reuses one transaction object per physical connection, so
	/// this number, not the object, tells one transaction from the next.
	/// </summary>
	internal int TransactionsBegun { get; private set; }

	NpgsqlTransaction? _transaction;

	/// <inheritdoc />
	protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel)
	{
		var level = ToDsqlIsolationLevel(isolationLevel);
		EnsureNoTransaction();
		_transaction = NpgsqlConnection.BeginTransaction(level);
		TransactionsBegun++;
		return _transaction;
	}

	/// <inheritdoc />
	protected override async ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken)
	{
		var level = ToDsqlIsolationLevel(isolationLevel);
		EnsureNoTransaction();
		_transaction = await NpgsqlConnection.BeginTransactionAsync(level, cancellationToken).ConfigureAwait(false);
		TransactionsBegun++;
		return _transaction;
	}

	void EnsureNoTransaction()
	{
		if (ActiveEnlistment != null)
			throw new AuroraDsqlNotSupportedException(
				"This connection takes part in the ambient transaction of a TransactionScope, and Aurora DSQL has no nested transactions or savepoints. " +
				"Nothing was sent. Do the work in the scope's transaction (scope.Complete() commits it), or begin this transaction on a connection " +
				"opened inside new TransactionScope(TransactionScopeOption.Suppress).");

		if (HasOpenTransaction())
			throw new AuroraDsqlNotSupportedException(
				"This connection already has a transaction open, and Aurora DSQL has no nested transactions or savepoints. " +
				"Commit or roll back the open transaction first, or run the work as a transaction of its own.");
	}

	// A completed Npgsql transaction has no connection any more; a disposed one says so by throwing.
	bool HasOpenTransaction()
	{
		try
		{
			return _transaction?.Connection != null;
		}
		catch (ObjectDisposedException)
		{
			return false;
		}
	}

	/// <summary>
	/// Maps a requested isolation level to the one DSQL runs: unspecified, repeatable read and snapshot become
	/// <see cref="IsolationLevel.RepeatableRead"/>; others are refused.
	/// </summary>
	internal static IsolationLevel ToDsqlIsolationLevel(IsolationLevel isolationLevel) => isolationLevel switch
	{
		IsolationLevel.Unspecified or IsolationLevel.RepeatableRead or IsolationLevel.Snapshot => IsolationLevel.RepeatableRead,
		_ => throw new AuroraDsqlNotSupportedException(
			$"Aurora DSQL runs every transaction at REPEATABLE READ (snapshot isolation) and refuses {isolationLevel}. " +
			"Call BeginTransaction() without a level, or with IsolationLevel.RepeatableRead; conflicting writers get SQLSTATE 40001 at COMMIT and should retry."),
	};

	void ForwardStateChange(object sender, StateChangeEventArgs e)
	{
		// Npgsql closes a broken connection itself.
		if (e.CurrentState is ConnectionState.Closed or ConnectionState.Broken)
			AmbientTransactions.Released(this);

		OnStateChange(e);
	}

	/// <inheritdoc />
	protected override void Dispose(bool disposing)
	{
		if (disposing)
		{
			NpgsqlConnection.StateChange -= ForwardStateChange;
			NpgsqlConnection.Dispose();
			AmbientTransactions.Released(this);
		}

		base.Dispose(disposing);
	}

	/// <inheritdoc />
	public override async ValueTask DisposeAsync()
	{
		NpgsqlConnection.StateChange -= ForwardStateChange;
		await NpgsqlConnection.DisposeAsync().ConfigureAwait(false);
		AmbientTransactions.Released(this);
		await base.DisposeAsync().ConfigureAwait(false);
	}

	/// <inheritdoc />
	[EditorBrowsable(EditorBrowsableState.Never)]
	public override string ToString() => $"AuroraDsqlConnection({NpgsqlConnection.DataSource}, {State})";
}
