using LinqToDB.Data;
using LinqToDB.Data.RetryPolicy;
using LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;

using Microsoft.Extensions.Logging;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// linq2db retry policy for Aurora DSQL: retries single statements and connection opens that fail with a transient DSQL
/// error (40001 OC000/OC001, <c>XX000 server unavailable</c>, connection limits), with exponential backoff and jitter.
/// It never retries a statement inside a transaction the application opened, its own or the ambient one of a
/// <c>TransactionScope</c> (DSQL has aborted that transaction; only re-running the whole transaction helps: use
/// <c>InTransaction</c>/<c>InTransactionAsync</c>, or run the scope again).
/// </summary>
/// <remarks>
/// Configure it once with <c>options.UseAuroraDsqlRetryPolicy()</c>: every data connection then gets its own instance,
/// bound to that connection so it can see the application's transaction. Do not share one instance between connections
/// (for example through <c>UseRetryPolicy(instance)</c>): it would not know which transaction a statement runs in.
/// A statement that committed on its own but whose reply was lost may run twice when retried.
/// </remarks>
public sealed class AuroraDsqlRetryPolicy : RetryPolicyBase
{
	readonly AuroraDsqlRetryOptions       _options;
	readonly DataConnection?              _dataConnection;
	readonly ILogger?                     _logger;
	readonly AsyncLocal<List<Exception>>  _exceptions = new();

	/// <summary>Creates a policy for one data connection, so it can tell when the application has a transaction open.</summary>
	/// <param name="dataConnection">The data connection the policy serves.</param>
	/// <param name="options">Retry settings; <see langword="null"/> for <see cref="AuroraDsqlRetryOptions.Default"/>.</param>
	public AuroraDsqlRetryPolicy(DataConnection dataConnection, AuroraDsqlRetryOptions? options = null)
		: this(options, dataConnection ?? throw new ArgumentNullException(nameof(dataConnection)))
	{
	}

	/// <summary>A policy for statements the provider itself runs outside any transaction (for example truncate batches).</summary>
	internal static AuroraDsqlRetryPolicy ForAutocommit(AuroraDsqlOptions options) =>
		new(options.RetryOptions, null, ProviderLoggers.For(options, ProviderLoggers.Transactions));

	AuroraDsqlRetryPolicy(AuroraDsqlRetryOptions? options, DataConnection? dataConnection, ILogger? logger = null)
		: base(
			(options ?? AuroraDsqlRetryOptions.Default).MaxRetries,
			(options ?? AuroraDsqlRetryOptions.Default).MaxDelay,
			1.0 + (options ?? AuroraDsqlRetryOptions.Default).Jitter,
			(options ?? AuroraDsqlRetryOptions.Default).Multiplier,
			(options ?? AuroraDsqlRetryOptions.Default).BaseDelay)
	{
		_options        = options ?? AuroraDsqlRetryOptions.Default;
		_dataConnection = dataConnection;
		_logger         = logger;
	}

	ILogger Logger => _logger ?? (_dataConnection is null ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : ProviderLoggers.For(_dataConnection.Options, ProviderLoggers.Transactions));

	/// <summary>The settings in use.</summary>
	public AuroraDsqlRetryOptions Options => _options;

	// Per async flow, so concurrent operations on one connection's policy keep separate counts.
	/// <inheritdoc />
	protected override List<Exception> ExceptionsEncountered => _exceptions.Value ??= [];

	/// <inheritdoc />
	protected override Random Random => Random.Shared;

	/// <inheritdoc />
	protected override void OnFirstExecution() => _exceptions.Value = [];

	/// <inheritdoc />
	protected override bool ShouldRetryOn(Exception exception) =>
		_dataConnection?.Transaction is null && !InAmbientTransaction() && AuroraDsqlErrors.IsTransient(exception) && !EndedTheSession(exception);

	/// <summary>A statement in the ambient transaction of a TransactionScope: like one in the application's own transaction.</summary>
	bool InAmbientTransaction() => _dataConnection?.TryGetDbConnection() switch
	{
		null                            => false,
		AuroraDsqlConnection connection => connection.ActiveEnlistment != null,
		_                               => System.Transactions.Transaction.Current != null,
	};

	/// <summary>
	/// linq2db runs a retried statement on the same connection: once the server or the network ended the session under
	/// it, another try can only fail with "Connection is not open" and hide the cause. Failures to connect (no session yet,
	/// or connection limits at login) are retried; a session lost in the middle of work is for <c>InTransaction</c>, which
	/// starts over on a new connection.
	/// </summary>
	static bool EndedTheSession(Exception exception)
	{
		for (var e = exception; e != null; e = e.InnerException)
		{
			switch (e)
			{
				case PostgresException { SqlState: "57P01" or "57P02" }:
					return true;
				case PostgresException:
					return false;
				case NpgsqlException { InnerException: System.Net.Sockets.SocketException }:
					return false; // could not connect
				case NpgsqlException { InnerException: IOException or TimeoutException }:
					return true;
			}
		}

		return false;
	}

	/// <inheritdoc />
	protected override TimeSpan? GetNextDelay(Exception lastException)
	{
		var retry = ExceptionsEncountered.Count - 1;
		Telemetry.CountConflict(lastException, "Statement");

		if (retry >= _options.MaxRetries)
			return null;

		var delay = _options.GetDelay(retry);
		var code  = Telemetry.ConflictCode(lastException);
		Telemetry.CountRetry(lastException, "Statement");
		Logger.StatementRetrying(retry + 1, Telemetry.SqlState(lastException) ?? "none", code is null ? "" : ", " + code, (long)delay.TotalMilliseconds);
		_options.OnRetry?.Invoke(lastException, retry + 1, delay);
		return delay;
	}
}
