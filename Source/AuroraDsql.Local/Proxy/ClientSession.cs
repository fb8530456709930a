using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using AuroraDsql.Local.Classification;
using AuroraDsql.Local.Protocol;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// One client connection after TLS: authenticates the client's IAM token, opens its backend session, then relays
/// messages both ways. The frontend loop classifies statements (rewrite, refuse, wait for jobs) and records in the
/// <see cref="ResponseTracker"/> what each forwarded message will be answered with; the backend loop uses that to
/// rewrite particular responses and to swallow the answers to queries the proxy injected. Both loops forward whole
/// messages without per-message allocations and flush only when no more input is buffered, so pipelined traffic
/// stays batched.
/// </summary>
sealed class ClientSession : IDisposable
{
	readonly EndpointServices _services;
	readonly Socket _clientSocket;
	readonly Stream _clientStream;
	readonly MessageBuffer _clientIn;
	readonly string _sniHost;
	readonly PgMessageBuilder _frontBuilder = new();
	readonly PgMessageBuilder _backBuilder = new();
	readonly ResponseTracker _tracker = new();
	readonly SessionTransactionTracker _transactions;
	readonly Dictionary<string, PreparedStatementInfo> _statements = new(StringComparer.Ordinal);
	readonly Dictionary<string, PreparedStatementInfo> _portals = new(StringComparer.Ordinal);
	readonly List<string> _submittedJobs = [];
	readonly CancellationTokenSource _lifetime = new();
	readonly object _cancelLock = new();

	// Held by the frontend loop while it handles client messages; a conflict resolution from another thread takes it to
	// act on the session only while the frontend waits for the client (see TryAbortIdleTransaction).
	readonly object _gate = new();

	// Output of each loop, written to the peer when no more input is buffered (pipelined messages go out together).
	ArrayBufferWriter<byte> _backendOut = new(16 * 1024);
	ArrayBufferWriter<byte> _clientOut = new(16 * 1024);

	BackendConnection? _backend;
	SessionInfo? _info;
	int _backendProcessId;
	int _backendSecretKey;
	bool _atBoundary = true;
	bool _discardUntilSync;
	CancellationTokenSource? _waitCancel;
	byte[]? _deferredParse;

	// The last Parse of the unnamed statement, and the last Bind with the Parse it needs, when they are of a write in a
	// block (Expectation.Replay).
	byte[]? _replayParse;
	(string Portal, byte[]? Parse, byte[] Bind)? _replayBind;
	(byte[] Message, Expectation Expectation)? _deferredExecute; // a write's Execute, until the next message says whether Sync follows

	// backend-loop state
	bool _ddlPending; // a DDL statement completed in the current transaction: its commit bumps the schema version
	Expectation _current;
	bool _hasCurrent;
	int _statementIndex;
	bool _forwardedRows; // a RowDescription or DataRow of the current expectation went to the client
	PendingReplay? _pendingReplay;

	// termination
	volatile bool _stopping;
	volatile bool _relaying;
	volatile bool _frontendDone;
	string? _terminationState;
	string? _terminationMessage;
	int _terminating;

	public ClientSession(EndpointServices services, Socket clientSocket, Stream clientStream, MessageBuffer clientIn, string sniHost, int processId, int secretKey)
	{
		_services     = services;
		_clientSocket = clientSocket;
		_clientStream = clientStream;
		_clientIn     = clientIn;
		_sniHost      = sniHost;
		ProcessId     = processId;
		SecretKey     = secretKey;
		_transactions = new SessionTransactionTracker(services.Options.TimeProvider);
	}

	/// <summary>The process id the client sees (the proxy's own, not the backend's).</summary>
	public int ProcessId { get; }

	/// <summary>The cancel secret the client sees.</summary>
	public int SecretKey { get; }

	public string Role => _info?.Role ?? "";

	/// <summary>The backend session's process id (0 before the backend answered).</summary>
	public int BackendProcessId => _backendProcessId;

	/// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp since which the session waits for the backend, 0 while idle.</summary>
	public long BusySince => _tracker.BusySince;

	/// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp since which the session has been idle (when <see cref="BusySince"/> is 0).</summary>
	public long IdleSince => _tracker.IdleSince;

	/// <summary>How many of the session's transactions have ended (see <see cref="TryAbortIdleTransaction"/>).</summary>
	public long EndedTransactions => _transactions.EndedTransactions;

	/// <summary>The client's socket.</summary>
	public Socket ClientSocket => _clientSocket;

	// ------------------------------------------------------------------------------------------------------------
	// Startup and authentication
	// ------------------------------------------------------------------------------------------------------------

	/// <summary>
	/// Runs the session from the client's StartupMessage (already read) to the end of the connection, on the calling
	/// (dedicated) thread, which then becomes the frontend loop.
	/// </summary>
	public void Run(int protocolVersion, IReadOnlyList<KeyValuePair<string, string>> parameters, Action loggedIn, CancellationToken shutdown)
	{
		using var registration = shutdown.Register(() => RequestTermination("57P01", "terminating connection due to administrator command"));

		try
		{
			if (!Startup(protocolVersion, parameters))
				return;

			loggedIn();
			_clientSocket.ReceiveTimeout = 0;
			Relay();
		}
		catch (Exception ex) when (ex is IOException or SocketException or PgProtocolException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
		{
			if (ex is PgProtocolException)
			{
				_services.Log($"session {ProcessId}: protocol error: {ex.Message}");
				if (!_relaying)
					SendFatal("08P01", ex.Message);
			}
		}
		finally
		{
			_backend?.DisposeAsync().AsTask().GetAwaiter().GetResult();
		}
	}

	public void Dispose() => _lifetime.Dispose();

	bool Startup(int protocolVersion, IReadOnlyList<KeyValuePair<string, string>> parameters)
	{
		string? user = null, database = null;
		var requested = new List<KeyValuePair<string, string>>();
		var unsupportedOptions = new List<string>();

		foreach (var (name, value) in parameters)
		{
			switch (name)
			{
				case "user":
					user = value;
					break;
				case "database":
					database = value;
					break;
				case "replication":
					SendFatal("08P01", "replication connections are not supported");
					return false;
				default:
					if (name.StartsWith("_pq_.", StringComparison.Ordinal))
						unsupportedOptions.Add(name);
					else
						requested.Add(new(name, value));
					break;
			}
		}

		if (string.IsNullOrEmpty(user))
		{
			SendFatal("28000", "no PostgreSQL user name specified in startup packet");
			return false;
		}

		// DSQL has one database, postgres (the backend's configured database stands for it).
		database = string.IsNullOrEmpty(database) ? user : database;
		if (database != "postgres")
		{
			_services.Log($"refused login of role \"{LogText.Escape(user)}\": database \"{LogText.Escape(database)}\"");
			SendFatal("3D000", $"database \"{database}\" does not exist");
			return false;
		}

		// Run-time parameters: only what SET may change, as on DSQL (the backend's own settings are not the client's).
		var (forwarded, refusal) = StartupParameters.Check(requested, _services.Rules);
		if (refusal is { } parameterError)
		{
			_services.Log($"refused login of role \"{LogText.Escape(user)}\": {LogText.Escape(parameterError.Message)}");
			SendFatal(parameterError.SqlState, parameterError.Message);
			return false;
		}

		// Protocol 3.x with x > 0, or protocol options: answer that only 3.0 without options is spoken.
		if (RequestCode.MinorVersion(protocolVersion) != 0 || unsupportedOptions.Count > 0)
		{
			_frontBuilder.Clear();
			_frontBuilder.NegotiateProtocolVersion(newestMinorVersion: 0, unsupportedOptions);
			WriteClient(_frontBuilder.WrittenSpan);
		}

		// IAM authentication: the password is the token.
		_frontBuilder.Clear();
		_frontBuilder.AuthenticationRequest(AuthenticationRequestCode.CleartextPassword);
		WriteClient(_frontBuilder.WrittenSpan);

		var (type, body) = ReadClientMessage();
		if (type != FrontendMessageCode.Password)
		{
			SendFatal("08P01", $"expected password response, got message type {LogText.Escape(((char)type).ToString())}");
			return false;
		}

		var offset = 0;
		var token  = PgMessageReader.ReadCString(body, ref offset);

		var accepted = _services.AcceptedHosts;
		if (_sniHost.Length > 0 && !accepted.Contains(_sniHost, StringComparer.OrdinalIgnoreCase))
			accepted = [.. accepted, _sniHost];

		var verification = _services.Verifier.Verify(token, user, accepted);
		if (!verification.Succeeded)
		{
			_services.Log($"refused login of role \"{LogText.Escape(user)}\": {verification.Reason}");
			SendFatal(verification.SqlState, verification.Message);
			return false;
		}

		// The backend's superuser is the endpoint's own, never a client's (DSQL has no such role).
		if (string.Equals(user, _services.Backend.SuperUser, StringComparison.Ordinal))
		{
			_services.Log($"refused login of role \"{LogText.Escape(user)}\": the backend's superuser");
			SendFatal("28000", $"role \"{user}\" does not exist");
			return false;
		}

		// The backend session.
		// DSQL runs every transaction at REPEATABLE READ and starts sessions in UTC (a client may still set its TimeZone);
		// the endpoint's own cluster is configured so, an external server may not be.
		// The settings the endpoint lexes with are given explicitly, so that no role or database default can change them.
		var backendParameters = new List<KeyValuePair<string, string>>(forwarded) { new("database", _services.Backend.Database) };
		if (!forwarded.Any(p => p.Key.Equals("TimeZone", StringComparison.OrdinalIgnoreCase)))
			backendParameters.Add(new("TimeZone", "UTC"));
		if (!forwarded.Any(p => p.Key.Equals("client_encoding", StringComparison.OrdinalIgnoreCase)))
			backendParameters.Add(new("client_encoding", "UTF8"));
		backendParameters.Add(new("standard_conforming_strings", "on"));
		backendParameters.Add(new("default_transaction_isolation", "repeatable read"));

		// DSQL's limits and catalog rules (read by the backend's triggers), and short lock waits (conflicts are reported as
		// DSQL's OC000 instead of waiting, see CopyError).
		var options = _services.Options;
		backendParameters.Add(new("lock_timeout", ((long)Math.Ceiling(options.LockTimeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture)));
		backendParameters.AddRange(Backend.RuleObjects.SessionSettings(_services.Rules, options.MaxRowsPerTransaction, options.MaxBytesPerTransaction));
		var endpoint = _services.Backend;

		try
		{
			_backend = BackendConnection.Open(endpoint);
			_backend.Startup(endpoint.Impersonate ? endpoint.SuperUser : user, endpoint.Password, backendParameters);
		}
		catch (PgServerException ex)
		{
			SendFatal(ex.SqlState, ex.Message);
			return false;
		}
		catch (Exception ex) when (ex is SocketException or IOException or PgProtocolException)
		{
			_services.Log($"backend connection failed: {ex.Message}");
			SendFatal("08006", "could not connect to the backend server");
			return false;
		}

		_info = new SessionInfo(user, database, _transactions);

		// Collect the backend's startup answers; the client gets them after AuthenticationOk, with our own key data.
		var startupMessages = new PgMessageBuilder();
		startupMessages.AuthenticationRequest(AuthenticationRequestCode.Ok);

		while (true)
		{
			var (backendType, backendBody) = _backend.ReadMessage();
			switch (backendType)
			{
				case BackendMessageCode.ParameterStatus:
				{
					var o = 0;
					var name  = PgMessageReader.ReadCString(backendBody, ref o);
					var value = PgMessageReader.ReadCString(backendBody, ref o);
					value = OnParameterStatus(name, value);
					startupMessages.ParameterStatus(name, value);
					break;
				}
				case BackendMessageCode.BackendKeyData:
				{
					var o = 0;
					_backendProcessId = PgMessageReader.ReadInt32(backendBody, ref o);
					_backendSecretKey = PgMessageReader.ReadInt32(backendBody, ref o);
					break;
				}
				case BackendMessageCode.NoticeResponse:
					startupMessages.NoticeResponse(backendBody);
					break;
				case BackendMessageCode.ErrorResponse:
				{
					var fields = PgMessageReader.ReadErrorFields(backendBody);
					SendFatal(fields.GetValueOrDefault(ErrorFieldCode.SqlState, "08006"), fields.GetValueOrDefault(ErrorFieldCode.Message, "backend error"));
					return false;
				}
				case BackendMessageCode.ReadyForQuery:
					if (endpoint.Impersonate && !Impersonate(user, startupMessages))
						return false;

					startupMessages.BackendKeyData(ProcessId, SecretKey);
					startupMessages.ReadyForQuery(TransactionStatus.Idle);

					// From here on a termination is reported by the relay (FATAL 57P01…), also if it is requested before the
					// relay threads run: the client may already hold this ReadyForQuery. The client's messages may now be as
					// long as PostgreSQL allows.
					_clientIn.Limits = MessageLimits.Client;
					_relaying = true;
					WriteClient(startupMessages.WrittenSpan);
					_services.Log($"session {ProcessId}: role \"{LogText.Escape(user)}\" connected");
					return true;
			}
		}
	}

	/// <summary>External backend: become the client's role (and check it may log in).</summary>
	bool Impersonate(string role, PgMessageBuilder startupMessages)
	{
		var check = "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = " + SqlText.QuoteLiteral(role) +
			" AND rolcanlogin AND NOT rolsuper) THEN RAISE EXCEPTION USING ERRCODE = '28000', MESSAGE = pg_catalog.format('role \"%s\" does not exist', " +
			SqlText.QuoteLiteral(role) + "); END IF; END$$; SET SESSION AUTHORIZATION " + SqlText.QuoteIdentifier(role);

		_backBuilder.Clear();
		_backBuilder.Query(check);
		_backend!.Write(_backBuilder.WrittenSpan);

		Dictionary<char, string>? error = null;
		while (true)
		{
			var (type, body) = _backend.ReadMessage();
			if (type == BackendMessageCode.ErrorResponse)
				error ??= PgMessageReader.ReadErrorFields(body);
			else if (type == BackendMessageCode.ParameterStatus)
			{
				var o = 0;
				var name  = PgMessageReader.ReadCString(body, ref o);
				var value = OnParameterStatus(name, PgMessageReader.ReadCString(body, ref o));
				startupMessages.ParameterStatus(name, value);
			}
			else if (type == BackendMessageCode.ReadyForQuery)
				break;
		}

		if (error != null)
		{
			SendFatal(error.GetValueOrDefault(ErrorFieldCode.SqlState, "28000"), error.GetValueOrDefault(ErrorFieldCode.Message, "role switch failed"));
			return false;
		}

		return true;
	}

	/// <summary>Records a backend parameter and returns the value the client should see.</summary>
	string OnParameterStatus(string name, string value)
	{
		if (name == "server_version")
			value = DsqlRewriter.ServerVersion;

		if (_info != null)
		{
			lock (_info.ParameterValues)
				_info.ParameterValues[name] = value;
		}

		// Statements are lexed as UTF-8 and every way to another client encoding is closed; should one still be found, the
		// session ends rather than let the endpoint read text differently from the server.
		if (name == "client_encoding" && !AuroraDsql.Rules.ClientEncodings.IsAccepted(value))
		{
			_services.Log($"session {ProcessId}: client_encoding became {LogText.Escape(value)}: ending the session");
			RequestTermination("08P01", "the client encoding must stay UTF8");
		}

		return value;
	}

	(FrontendMessageCode Type, byte[] Body) ReadClientMessage()
	{
		while (true)
		{
			if (_clientIn.TryReadMessage(out var type, out var message))
				return ((FrontendMessageCode)type, message[5..].ToArray());

			if (!_clientIn.Fill(_clientStream))
				throw new IOException("the client closed the connection");
		}
	}

	void WriteClient(ReadOnlySpan<byte> data) => _clientStream.Write(data);

	void SendFatal(string sqlState, string message)
	{
		var builder = new PgMessageBuilder();
		builder.Error("FATAL", sqlState, message);
		try
		{
			WriteClient(builder.WrittenSpan);
		}
		catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
		{
			// the client is gone already
		}
	}

	// ------------------------------------------------------------------------------------------------------------
	// Relay
	// ------------------------------------------------------------------------------------------------------------

	void Relay()
	{
		// One blocking thread per direction (this one reads the client): the kernel wakes the reader directly when bytes
		// arrive, without a trip through the socket engine and the thread pool.
		_relaying = true;

		// Every blocking write has a time limit: a client that stops reading (or vanishes without closing) blocks the backend
		// loop's writes to it, the backend's writes to the proxy, and then the frontend loop's writes to the backend.
		var writeTimeout = _services.Options.WriteTimeout;
		_clientSocket.SendTimeout = (int)Math.Min(writeTimeout.TotalMilliseconds, int.MaxValue);
		_backend!.WriteTimeout = writeTimeout;

		var backend = new Thread(BackendLoop, 256 * 1024) { IsBackground = true, Name = "dsql-backend" };
		backend.Start();
		var supervisor = SuperviseAsync();

		FrontendLoop();
		_frontendDone = true;

		if (!_stopping)
		{
			// The client is gone (or sent Terminate): end the backend session, cancelling a query still running.
			if (!_tracker.IsEmpty)
				CancelAsync().GetAwaiter().GetResult();
			StopLoops();
		}

		// The backend loop forwards the backend's last messages (or the termination error), then closes the client side.
		if (!backend.Join(TimeSpan.FromSeconds(5)))
		{
			_backend?.Abort();
			_clientSocket.Dispose();
			backend.Join(TimeSpan.FromSeconds(5));
		}

		_lifetime.Cancel();
		supervisor.GetAwaiter().GetResult();
	}

	/// <summary>Ends the session at the maximum connection duration.</summary>
	async Task SuperviseAsync()
	{
		try
		{
			await Task.Delay(_services.Options.MaxConnectionDuration, _lifetime.Token).ConfigureAwait(false);
		}
		catch (OperationCanceledException)
		{
			return;
		}

		var seconds = _services.Options.MaxConnectionDuration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
		_services.Log($"session {ProcessId}: maximum connection duration reached");
		RequestTermination("57P01", $"terminating connection: the maximum connection duration of {seconds} s was reached");
	}

	/// <summary>Ends the session: the client gets a FATAL error with this SQLSTATE and message, then both sides close.</summary>
	public void RequestTermination(string sqlState, string message)
	{
		if (Interlocked.Exchange(ref _terminating, 1) != 0)
			return;

		_terminationState   = sqlState;
		_terminationMessage = message;
		StopLoops();

		// Still logging in: there is no relay to deliver the error, just close.
		if (!_relaying)
			ShutdownClient();
	}

	void StopLoops()
	{
		_stopping = true;

		try
		{
			_lifetime.Cancel();
		}
		catch (ObjectDisposedException)
		{
		}

		// Unblocks the backend loop's read; it then writes the termination error (if any) and ends.
		_backend?.ShutdownReceive();
	}

	void ShutdownClient()
	{
		try
		{
			_clientSocket.Shutdown(SocketShutdown.Both);
		}
		catch (SocketException)
		{
		}
		catch (ObjectDisposedException)
		{
		}
	}

	/// <summary>A CancelRequest for this session: stop a proxy-side wait and cancel the backend's current query.</summary>
	public async Task CancelAsync()
	{
		lock (_cancelLock)
			_waitCancel?.Cancel();

		if (_backendProcessId == 0)
			return;

		try
		{
			var connection = await BackendConnection.OpenAsync(_services.Backend, CancellationToken.None).ConfigureAwait(false);
			await using var _ = connection.ConfigureAwait(false);
			var request = new PgMessageBuilder().CancelRequest(_backendProcessId, _backendSecretKey);
			await connection.WriteAsync(request.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
		}
		catch (Exception ex) when (ex is SocketException or IOException)
		{
			_services.Log($"cancel request could not reach the backend: {ex.Message}");
		}
	}

	/// <summary>
	/// Ends the session's transaction because another transaction waits for a row it wrote or locked, provided the session
	/// is idle in a transaction block (the client is not sending and every statement has been answered). The backend's
	/// transaction is rolled back, which releases its rows, and a new empty one is begun, so the client's view of its
	/// block stays true; the client then gets <paramref name="conflict"/> from its COMMIT (or from any other statement
	/// before it), as the later committer of a conflicting write does on DSQL.
	/// Returns false, changing nothing, when the session is busy, not in a block, or no longer in the transaction counted
	/// by <paramref name="endedTransactions"/>. Called from the conflict monitor's thread.
	/// </summary>
	public bool TryAbortIdleTransaction(ExecutionVerdict conflict, int waiterProcessId, long endedTransactions)
	{
		if (!Monitor.TryEnter(_gate))
			return false;

		try
		{
			// Still idle in the same transaction that held the row when the monitor looked.
			if (!ClientAwaitsNothingElse() || !_transactions.InBlock || _transactions.EndedTransactions != endedTransactions)
				return false;

			// A failed block holds no locks (PostgreSQL released them at the error). A transaction that lost already may still
			// hold the rows of a write that was run again (see AfterReplay): they go the same way.
			var transaction = _transactions.Current;
			if (_transactions.BackendStatus != TransactionStatus.InTransactionBlock)
				return false;

			InjectQuery("ROLLBACK; BEGIN");
			transaction.LostConflict ??= conflict;
			FlushBackend();
			_services.Log($"session {ProcessId}: idle transaction rolled back: session {waiterProcessId} waits for a row it wrote or locked; it fails with {conflict.SqlState} {conflict.Message}");
			return true;
		}
		finally
		{
			Monitor.Exit(_gate);
		}
	}

	/// <summary>
	/// What a statement of a transaction that lost a conflict (<see cref="TryAbortIdleTransaction"/>) gets: its COMMIT
	/// fails (and ends the transaction); ROLLBACK goes through; any other statement fails and aborts the block. Once the
	/// backend reported the block failed, it behaves like any failed one (25P02, COMMIT answers ROLLBACK).
	/// </summary>
	ExecutionVerdict? LostConflictVerdict(TransactionControl control)
	{
		if (_transactions.LostConflict is not { } lost || _transactions.Current.IsFailed)
			return null;

		return control switch
		{
			TransactionControl.Commit   => lost with { FailsCommit = true },
			TransactionControl.Rollback => null,
			_                           => lost,
		};
	}

	/// <summary>A write (or locking read) that <see cref="TryReplay"/> may run again after it lost a row.</summary>
	bool IsReplayableWrite(StatementPlan plan) =>
		_services.Options.ConflictsAtCommit
		&& plan is { OnExecute: not null, IsDdl: false, IsRefusal: false, CompletionError: null, InjectBefore: null, WaitForJob: null, SubmitsJob: false };

	// ---- frontend: client → backend ----------------------------------------------------------------------------

	void FrontendLoop()
	{
		try
		{
			var terminate = false;
			while (!_stopping && !terminate)
			{
				lock (_gate)
				{
					while (!_stopping && _clientIn.TryReadMessage(out var type, out var message))
					{
						if ((FrontendMessageCode)type == FrontendMessageCode.Terminate)
						{
							terminate = true;
							break;
						}

						var pending = HandleFrontendMessageAsync((FrontendMessageCode)type, new ReadOnlySequence<byte>(message));
						if (!pending.IsCompletedSuccessfully)
							pending.AsTask().GetAwaiter().GetResult();
					}

					// No whole message left: send what was gathered, then wait for more.
					FlushBackend();
				}

				if (!terminate && !_clientIn.Fill(_clientStream))
					break;
			}
		}
		catch (PgProtocolException ex)
		{
			// Malformed client input (a length the message type may not have, a string without its end…): as PostgreSQL,
			// FATAL 08P01 and the connection closes.
			_services.Log($"session {ProcessId}: protocol error: {ex.Message}");
			RequestTermination("08P01", ex.Message);
		}
		catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
		{
		}
		catch (Exception ex) when (IsUnexpected(ex))
		{
			// A bug must end this session, not the process hosting the endpoint.
			_services.Log($"session {ProcessId}: internal error in the frontend loop: {ex}");
			RequestTermination("XX000", "internal error in the local DSQL endpoint");
		}
	}

	static bool IsUnexpected(Exception ex) => ex is not (OutOfMemoryException or StackOverflowException);

	void FlushBackend()
	{
		if (_backendOut.WrittenCount == 0)
			return;

		_backend!.Stream.Write(_backendOut.WrittenSpan);
		_backendOut.ResetWrittenCount();
		if (_backendOut.Capacity > 1 << 20)
			_backendOut = new ArrayBufferWriter<byte>(16 * 1024);
	}

	void FlushClient()
	{
		if (_clientOut.WrittenCount == 0)
			return;

		_clientStream.Write(_clientOut.WrittenSpan);
		_clientOut.ResetWrittenCount();
		if (_clientOut.Capacity > 1 << 20)
			_clientOut = new ArrayBufferWriter<byte>(16 * 1024);
	}

	ValueTask HandleFrontendMessageAsync(FrontendMessageCode type, ReadOnlySequence<byte> message)
	{
		if (_deferredExecute != null)
			ReleaseDeferredExecute(followedBySync: type == FrontendMessageCode.Sync);

		if (_discardUntilSync)
		{
			// A COMMIT failed (as the client will see): like the server after an error, ignore everything up to Sync. A Flush
			// still goes through: the client waits for the COMMIT's answer (the error) before it sends Sync.
			if (type == FrontendMessageCode.Flush)
				Copy(_backendOut, message);
			if (type != FrontendMessageCode.Sync)
				return ValueTask.CompletedTask;
			_discardUntilSync = false;
		}

		if (_deferredParse != null && type != FrontendMessageCode.Bind)
			ReleaseDeferredParse();

		switch (type)
		{
			case FrontendMessageCode.Query:
				return HandleQueryAsync(message);
			case FrontendMessageCode.Parse:
				HandleParse(message);
				return ValueTask.CompletedTask;
			case FrontendMessageCode.Bind:
				return HandleBindAsync(message);
			case FrontendMessageCode.Execute:
				HandleExecute(message);
				return ValueTask.CompletedTask;
			case FrontendMessageCode.Describe:
				if (_transactions.LostConflict != null && message.Length > 5 && (StatementOrPortal)message.Slice(5, 1).FirstSpan[0] == StatementOrPortal.Portal)
				{
					var offset = 6;
					RebindLostPortal(PgMessageReader.ReadCString(message.ToArray(), ref offset));
				}

				Forward(message, new Expectation(ExpectationKind.Describe), boundary: false);
				return ValueTask.CompletedTask;
			case FrontendMessageCode.Close:
				if (_statements.Count > 0 || _portals.Count > 0)
					ForgetClosed(message);
				Forward(message, new Expectation(ExpectationKind.Close), boundary: false);
				return ValueTask.CompletedTask;
			case FrontendMessageCode.Sync:
				// What was bound and not executed by now never runs.
				_transactions.Current.PendingDdl = 0;
				_transactions.Current.PendingDml = 0;
				Forward(message, new Expectation(ExpectationKind.Sync), boundary: true);
				_transactions.OnBoundary();
				return ValueTask.CompletedTask;
			case FrontendMessageCode.FunctionCall:
				Forward(message, new Expectation(ExpectationKind.FunctionCall), boundary: true);
				_transactions.OnBoundary();
				return ValueTask.CompletedTask;
			default:
				// CopyData/CopyDone/CopyFail, Flush, and anything else: the backend answers (or complains) in line.
				Copy(_backendOut, message);
				return ValueTask.CompletedTask;
		}
	}

	void Forward(in ReadOnlySequence<byte> message, in Expectation expectation, bool boundary)
	{
		_tracker.Enqueue(expectation);
		Copy(_backendOut, message);
		_atBoundary = boundary;
	}

	static void Copy(IBufferWriter<byte> writer, in ReadOnlySequence<byte> message)
	{
		if (message.IsSingleSegment)
			writer.Write(message.FirstSpan);
		else
		{
			foreach (var segment in message)
				writer.Write(segment.Span);
		}
	}

	async ValueTask HandleQueryAsync(ReadOnlySequence<byte> message)
	{
		var body = message.Slice(5);
		var sql  = Encoding.UTF8.GetString(body.Slice(0, Math.Max(0, body.Length - 1)));

		var statements = StatementSplitter.Split(sql, _info!.StandardConformingStrings);
		StatementPlan?[]? plans = null;
		List<(int Index, string JobId)>? waits = null;
		var forwarded = statements.Count; // statements after a refusal never run: they are not sent
		var inBlockBefore = _transactions.InBlock;

		for (var k = 0; k < statements.Count; k++)
		{
			var statement = statements[k];
			var inBlock   = _transactions.InBlock;
			var context   = new StatementContext(statement, QueryProtocol.Simple, statements.Count, null, _info, _transactions.Current);
			var control   = TransactionControlDetector.Detect(statement);
			var plan      = LostConflictVerdict(control) is { } lost
				? (lost.FailsCommit ? StatementPlan.FailCommit(lost) : StatementPlan.Refuse(statement, lost.SqlState, lost.Message))
				: _services.Classifiers.Classify(context);

			if (plan?.CheckExecute?.Invoke(context.Transaction, _info) is { } verdict)
				plan = verdict.FailsCommit ? StatementPlan.FailCommit(verdict) : StatementPlan.Refuse(statement, verdict.SqlState, verdict.Message, hint: verdict.Hint);

			var ends = plan is { IsRefusal: true } or { CompletionError: not null };
			if (plan is not { IsRefusal: true })
				plan?.OnExecute?.Invoke(context.Transaction);
			_transactions.OnStatement(plan is { IsRefusal: true } ? TransactionControl.None : control);

			if (plan != null)
			{
				plans ??= new StatementPlan?[statements.Count];
				plans[k] = plan;

				if (plan.WaitForJob?.LiteralId is { } jobId && !inBlock)
					(waits ??= []).Add((k, jobId));
			}

			if (ends)
			{
				forwarded = k + 1;
				break;
			}
		}

		if (plans != null && _atBoundary)
			Inject(plans);

		if (waits != null)
		{
			foreach (var (index, jobId) in waits)
			{
				if (!await WaitForJobAsync(jobId).ConfigureAwait(false))
					plans![index] = StatementPlan.Refuse(statements[index], "57014", "canceling statement due to user request");
			}
		}

		var expectation = new Expectation(ExpectationKind.Query) { Plans = plans };
		var replayable = inBlockBefore && statements.Count == 1 && plans is [{ } single] && IsReplayableWrite(single);

		if (forwarded == statements.Count && (plans is null || Array.TrueForAll(plans, p => p?.Sql is null)))
		{
			if (replayable)
				expectation.Replay = message.ToArray();
			Forward(message, expectation, boundary: true);
		}
		else
		{
			var rewritten = new StringBuilder(sql.Length + 64);
			var copied = 0;
			for (var k = 0; k < forwarded; k++)
			{
				if (plans![k]?.Sql is not { } replacement)
					continue;
				rewritten.Append(sql, copied, statements[k].Start - copied).Append(replacement);
				copied = statements[k].End;
			}

			var end = forwarded == statements.Count ? sql.Length : statements[forwarded - 1].End;
			rewritten.Append(sql, copied, end - copied);

			_frontBuilder.Clear();
			_frontBuilder.Query(rewritten.ToString());
			if (replayable)
				expectation.Replay = _frontBuilder.WrittenSpan.ToArray();
			_tracker.Enqueue(expectation);
			_backendOut.Write(_frontBuilder.WrittenSpan);
			_atBoundary = true;
		}

		_transactions.OnBoundary();
	}

	void HandleParse(ReadOnlySequence<byte> message)
	{
		var body   = message.Slice(5).ToArray();
		var offset = 0;
		var name   = PgMessageReader.ReadCString(body, ref offset);
		var sql    = PgMessageReader.ReadCString(body, ref offset);
		var rest   = body.AsSpan(offset);

		StatementPlan? plan = null;
		var control = TransactionControl.None;
		var statements = StatementSplitter.Split(sql, _info!.StandardConformingStrings);

		if (statements.Count == 1)
		{
			var context = new StatementContext(statements[0], QueryProtocol.Extended, 1, name, _info, _transactions.Current);
			plan    = _services.Classifiers.Classify(context);
			control = TransactionControlDetector.Detect(statements[0]);
		}

		if (plan != null || control != TransactionControl.None)
			_statements[name] = new PreparedStatementInfo(plan, control);
		// (a plan's OnExecute runs at each Execute, not here)
		else if (_statements.Count > 0)
			_statements.Remove(name);

		if (plan?.InjectBefore != null && _atBoundary)
			Inject([plan]);

		if (plan?.WaitForJob != null)
		{
			// Forwarding the Parse would open the backend's implicit transaction (and a snapshot) that a concurrent index
			// build waits for, while the proxy waits for the build: hold the Parse back until the Bind says which job.
			_deferredParse = plan.Sql is null ? message.ToArray() : BuildParse(name, sql[..statements[0].Start] + plan.Sql + sql[statements[0].End..], rest);
			return;
		}

		// A write's unnamed statement must be prepared again to run it again: the proxy's own queries drop it.
		var replayable = name.Length == 0 && plan != null && IsReplayableWrite(plan) && _transactions.InBlock;
		if (name.Length == 0)
			_replayParse = null;

		if (plan?.Sql is null)
		{
			if (replayable)
				_replayParse = message.ToArray();
			Forward(message, new Expectation(ExpectationKind.Parse), boundary: false);
			return;
		}

		var replacement = BuildParse(name, sql[..statements[0].Start] + plan.Sql + sql[statements[0].End..], rest);
		if (replayable)
			_replayParse = replacement;
		_tracker.Enqueue(new Expectation(ExpectationKind.Parse));
		_backendOut.Write(replacement);
		_atBoundary = false;
	}

	static byte[] BuildParse(string name, string sql, ReadOnlySpan<byte> parameterTypes)
	{
		var builder = new PgMessageBuilder();
		builder.Parse(name, sql, parameterTypes);
		return builder.WrittenSpan.ToArray();
	}

	void ReleaseDeferredParse()
	{
		var parse = _deferredParse!;
		_deferredParse = null;
		_tracker.Enqueue(new Expectation(ExpectationKind.Parse));
		_backendOut.Write(parse);
		_atBoundary = false;
	}

	async ValueTask HandleBindAsync(ReadOnlySequence<byte> message)
	{
		string? waitFor = null;
		ExecutionVerdict? verdict = null;
		var portalName = "";
		var statementName = "";
		var lostConflict = _transactions.LostConflict != null;

		_replayBind = null;

		if (_statements.Count > 0 || _portals.Count > 0 || lostConflict)
		{
			var body   = message.Slice(5).ToArray();
			var offset = 0;
			var portal = PgMessageReader.ReadCString(body, ref offset);
			var name   = PgMessageReader.ReadCString(body, ref offset);
			portalName = portal;
			statementName = name;

			if (_statements.TryGetValue(name, out var info))
			{
				if (info.Plan?.WaitForJob is { ParameterNumber: > 0 } reference)
					info = info with { BoundJobId = ReadTextParameter(body, offset, reference.ParameterNumber) };
				else if (info.Plan?.WaitForJob is { LiteralId: { } literal })
					info = info with { BoundJobId = literal };

				_portals[portal] = info;
				waitFor = info.BoundJobId;

				// Per-transaction rules, at every execution (prepared statements run again without a new Parse). A statement
				// refused at Parse is bound without the client's values: parameters of undeclared types sent in binary
				// would not decode as the refusal's text parameters.
				verdict = info.Plan?.Refusal ?? info.Plan?.CheckExecute?.Invoke(_transactions.Current, _info!);
			}
			else
				_portals.Remove(portal);

			if (lostConflict && LostConflictVerdict(info?.Control ?? TransactionControl.None) is { } lost)
				verdict = lost;
		}

		// The backend takes the transaction snapshot at Bind when there are parameters: wait for the job before it,
		// so that the procedure sees the job's final state.
		if (verdict is null && waitFor != null && !_transactions.InBlock && !await WaitForJobAsync(waitFor).ConfigureAwait(false) && _deferredParse != null)
		{
			// Cancelled while waiting: the held-back statement becomes the cancellation error (same name and parameters).
			var parse  = _deferredParse;
			var offset = 5;
			var name   = PgMessageReader.ReadCString(parse, ref offset);
			var sql    = PgMessageReader.ReadCString(parse, ref offset);
			var parameterCount = StatementSplitter.Split(sql) is [var statement] ? statement.MaxParameterNumber() : 0;
			_deferredParse = BuildParse(name, StatementPlan.RefusalSql("57014", "canceling statement due to user request", null, null, parameterCount), parse.AsSpan(offset));
		}

		if (_deferredParse != null)
			ReleaseDeferredParse();

		if (verdict != null)
		{
			BindHidden(portalName, verdict);
		}
		else
		{
			// Checked statements count for the ones bound after them, before they are executed.
			if (_portals.TryGetValue(portalName, out var bound) && bound.Plan?.OnExecute != null)
			{
				if (bound.Plan.IsDdl)
					_transactions.Current.PendingDdl++;
				else
					_transactions.Current.PendingDml++;
			}

			_replayBind = bound?.Plan is { } boundPlan && IsReplayableWrite(boundPlan) && _transactions.InBlock
				&& (statementName.Length > 0 || _replayParse != null)
				? (portalName, statementName.Length == 0 ? _replayParse : null, message.ToArray())
				: null;

			Forward(message, new Expectation(ExpectationKind.Bind), boundary: false);
		}
	}

	const string HiddenRefusal = "aurora_dsql_refusal";
	const string HiddenRollback = "aurora_dsql_rollback";
	const int TextOid = 25;
	static readonly StatementPlan RefusedPortal = new() { IsRefusal = true };

	/// <summary>
	/// Binds <paramref name="portal"/> to a statement of the proxy's own instead of the client's: a refusal
	/// (<c>CALL sys.raise_error</c>, so the backend's transaction reacts to the error) or, for a failing COMMIT, ROLLBACK
	/// (its CommandComplete becomes the error). The hidden statement is closed and prepared again each time, its
	/// CloseComplete and ParseComplete swallowed; the client sees BindComplete, then the error at its Execute.
	/// </summary>
	void BindHidden(string portal, ExecutionVerdict verdict, bool clientSentBind = true)
	{
		var name = verdict.FailsCommit ? HiddenRollback : HiddenRefusal;

		_frontBuilder.Clear();
		_frontBuilder.Close(StatementOrPortal.Statement, name);
		if (verdict.FailsCommit)
		{
			_frontBuilder.Parse(name, "ROLLBACK");
			_frontBuilder.Bind(portal, name, []);
		}
		else
		{
			_frontBuilder.Parse(name, "CALL sys.raise_error($1, $2, $3, $4)", TextOid, TextOid, TextOid, TextOid);
			_frontBuilder.Bind(portal, name, [verdict.SqlState, verdict.Message, verdict.Detail, verdict.Hint]);
		}

		_tracker.Enqueue(new Expectation(ExpectationKind.Swallowed));
		_tracker.Enqueue(new Expectation(ExpectationKind.Swallowed));
		_tracker.Enqueue(new Expectation(clientSentBind ? ExpectationKind.Bind : ExpectationKind.Swallowed));
		_backendOut.Write(_frontBuilder.WrittenSpan);
		_atBoundary = false;

		_portals[portal] = verdict.FailsCommit
			? new PreparedStatementInfo(StatementPlan.FailCommit(verdict), TransactionControl.Commit)
			: new PreparedStatementInfo(RefusedPortal, TransactionControl.None);
	}

	/// <summary>The value of parameter <paramref name="number"/> (1-based) of a Bind body, read as UTF-8 text.</summary>
	static string? ReadTextParameter(byte[] body, int offset, int number)
	{
		try
		{
			var formatCount = PgMessageReader.ReadInt16(body, ref offset);
			offset += 2 * formatCount;
			var count = PgMessageReader.ReadInt16(body, ref offset);
			for (var k = 1; k <= count; k++)
			{
				var length = PgMessageReader.ReadInt32(body, ref offset);
				if (length > body.Length - offset)
					return null; // runs past the message: the backend answers 08P01 (insufficient data left in message)
				if (k == number)
					return length < 0 ? null : Encoding.UTF8.GetString(body, offset, length);
				if (length > 0)
					offset += length;
			}
		}
		catch (PgProtocolException)
		{
			// malformed: the backend will say so
		}

		return null;
	}

	void ForgetClosed(ReadOnlySequence<byte> message)
	{
		var body   = message.Slice(5).ToArray();
		if (body.Length == 0)
			throw new PgProtocolException("message too short");
		var offset = 1;
		var name   = PgMessageReader.ReadCString(body, ref offset);
		if ((StatementOrPortal)body[0] == StatementOrPortal.Statement)
			_statements.Remove(name);
		else
			_portals.Remove(name);
	}

	void HandleExecute(ReadOnlySequence<byte> message)
	{
		PreparedStatementInfo? info = null;
		string? portal = null;
		if (_portals.Count > 0)
		{
			var body   = message.Slice(5).ToArray();
			var offset = 0;
			portal = PgMessageReader.ReadCString(body, ref offset);
			_portals.TryGetValue(portal, out info);
		}

		if (portal != null && _transactions.LostConflict != null && RebindLostPortal(portal))
			info = _portals[portal];

		byte[]? replay = null;
		if (_replayBind is { } bind && bind.Portal == portal)
			replay = [.. bind.Parse ?? [], .. bind.Bind, .. message.ToArray()];
		_replayBind = null;

		if (info?.Plan?.OnExecute is { } onExecute)
		{
			var current = _transactions.Current;
			if (info.Plan.IsDdl && current.PendingDdl > 0)
				current.PendingDdl--;
			else if (!info.Plan.IsDdl && current.PendingDml > 0)
				current.PendingDml--;

			onExecute(current);
		}

		_transactions.OnStatement(info?.Control ?? TransactionControl.None);

		if (replay != null)
		{
			// Held back until the next message: only an Execute that Sync follows directly can be run again (the client
			// would otherwise expect answers to what comes between). A client waits for an Execute's answer only after a
			// Flush or Sync, so nothing waits on this.
			_deferredExecute = (message.ToArray(), new Expectation(ExpectationKind.Execute) { Plan = info?.Plan, Replay = replay });
			_atBoundary = false;
			return;
		}

		Forward(message, new Expectation(ExpectationKind.Execute) { Plan = info?.Plan }, boundary: false);

		if (info?.Plan?.CompletionError != null)
			_discardUntilSync = true;
	}

	void ReleaseDeferredExecute(bool followedBySync)
	{
		var (message, expectation) = _deferredExecute!.Value;
		_deferredExecute = null;
		if (!followedBySync)
			expectation.Replay = null;
		_tracker.Enqueue(expectation);
		_backendOut.Write(message);
		_atBoundary = false;
	}

	/// <summary>
	/// A portal bound before the transaction lost a conflict went with the backend's transaction: bind it again to what a
	/// statement of the lost transaction gets (the conflict, or the failing COMMIT), so that executing or describing it does
	/// not answer "portal does not exist". The client sent no Bind: its BindComplete is swallowed. True when rebound.
	/// </summary>
	bool RebindLostPortal(string portal)
	{
		if (!_portals.TryGetValue(portal, out var info) || ReferenceEquals(info.Plan, RefusedPortal) || info.Plan?.CompletionError != null)
			return false;

		if (LostConflictVerdict(info.Control) is not { } lost)
			return false;

		BindHidden(portal, lost, clientSentBind: false);
		return true;
	}

	/// <summary>Sends the plans' injected queries ahead of the client's message (only at a Query/Sync boundary).</summary>
	void Inject(StatementPlan?[] plans)
	{
		foreach (var plan in plans)
		{
			if (plan?.InjectBefore is null)
				continue;

			foreach (var sql in plan.InjectBefore)
				InjectQuery(sql);
		}
	}

	/// <summary>
	/// Sends a simple query of the proxy's own on the backend connection; its responses are swallowed up to its
	/// ReadyForQuery. Only valid at a Query/Sync boundary, from the frontend loop.
	/// </summary>
	public InjectedQuery InjectQuery(string sql)
	{
		var injected = new InjectedQuery(sql);
		_frontBuilder.Clear();
		_frontBuilder.Query(sql);
		_tracker.Enqueue(new Expectation(ExpectationKind.Injected) { Injected = injected });
		_backendOut.Write(_frontBuilder.WrittenSpan);
		return injected;
	}

	/// <summary>Waits for a job before the client's CALL runs; false when a CancelRequest interrupted the wait.</summary>
	async Task<bool> WaitForJobAsync(string jobId)
	{
		FlushBackend();

		using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
		lock (_cancelLock)
			_waitCancel = cancel;

		try
		{
			await _services.Jobs.WaitForCompletionAsync(jobId, cancel.Token).ConfigureAwait(false);
			return true;
		}
		catch (OperationCanceledException) when (!_lifetime.IsCancellationRequested)
		{
			return false;
		}
		finally
		{
			lock (_cancelLock)
				_waitCancel = null;
		}
	}

	// ---- backend: backend → client -----------------------------------------------------------------------------

	void BackendLoop()
	{
		var input = _backend!.Input;
		var stream = _backend.Stream;

		try
		{
			while (true)
			{
				if (input.TryReadMessage(out var type, out var message))
				{
					var sequence = new ReadOnlySequence<byte>(message);
					if (HandleBackendMessage((BackendMessageCode)type, sequence))
					{
						// ReadyForQuery after a transaction that submitted jobs: on DSQL the index is in the catalog when
						// the statement returns, so the client waits until the background build has created it.
						FlushClient();
						AwaitSubmittedJobsAsync().GetAwaiter().GetResult();
						Copy(_clientOut, sequence);
					}

					continue;
				}

				FlushClient();
				if (_stopping || !input.Fill(stream))
					break;
			}
		}
		catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or PgProtocolException)
		{
			if (ex is PgProtocolException)
				_services.Log($"session {ProcessId}: backend protocol error: {ex.Message}");
		}
		catch (Exception ex) when (IsUnexpected(ex))
		{
			_services.Log($"session {ProcessId}: internal error in the backend loop: {ex}");
			_terminationState   ??= "XX000";
			_terminationMessage ??= "internal error in the local DSQL endpoint";
		}

		try
		{
			if (_terminationMessage != null)
			{
				_backBuilder.Clear();
				_backBuilder.Error("FATAL", _terminationState!, _terminationMessage);
				_clientOut.Write(_backBuilder.WrittenSpan);
			}

			FlushClient();
		}
		catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
		{
			// the client is gone
		}

		// Unblocks the frontend loop: its read of the client, and a write to the backend that the backend does not take (it
		// waits for the proxy to read what it sent). Either side ending ends the session.
		_stopping = true;
		ShutdownClient();
		if (!_frontendDone)
			_backend.Abort();
	}

	async Task AwaitSubmittedJobsAsync()
	{
		string[] jobs;
		lock (_submittedJobs)
		{
			jobs = [.. _submittedJobs];
			_submittedJobs.Clear();
		}

		await _services.Jobs.WaitUntilVisibleAsync(jobs, TimeSpan.FromSeconds(5), _lifetime.Token).ConfigureAwait(false);
	}

	/// <summary>
	/// Relays one backend message. Returns true for a ReadyForQuery that the caller must hold back until submitted
	/// jobs are visible (the caller then forwards it).
	/// </summary>
	bool HandleBackendMessage(BackendMessageCode type, in ReadOnlySequence<byte> message)
	{
		switch (type)
		{
			case BackendMessageCode.ParameterStatus:
				ForwardParameterStatus(message);
				return false;
			case BackendMessageCode.NotificationResponse:
				Copy(_clientOut, message);
				return false;
			case BackendMessageCode.NoticeResponse:
				if (!(_hasCurrent ? _current.Kind == ExpectationKind.Injected : _tracker.NextIs(ExpectationKind.Injected)))
					Copy(_clientOut, message);
				return false;
		}

		if (!_hasCurrent)
		{
			if (!_tracker.TryDequeue(out _current))
			{
				// Nothing outstanding (e.g. a FATAL error when the server shuts down): pass it on.
				Copy(_clientOut, message);
				return false;
			}

			_hasCurrent     = true;
			_statementIndex = 0;
			_forwardedRows  = false;
		}

		switch (_current.Kind)
		{
			case ExpectationKind.Query:
				switch (type)
				{
					case BackendMessageCode.ErrorResponse:
						if (_current.Replay != null && !_forwardedRows && IsSnapshotConflict(message))
						{
							_pendingReplay = new PendingReplay(message.ToArray(), _current);
							return false;
						}

						CopyError(message, CurrentQueryPlan(), _current.IsReplay);
						return false;
					case BackendMessageCode.RowDescription or BackendMessageCode.CopyInResponse or BackendMessageCode.CopyOutResponse or BackendMessageCode.CopyBothResponse:
						_forwardedRows = true;
						break;
					case BackendMessageCode.DataRow:
						_forwardedRows = true;
						CaptureJobId(CurrentQueryPlan(), message);
						break;
					case BackendMessageCode.CommandComplete:
						var plan = CurrentQueryPlan();
						_statementIndex++;
						if (plan != null)
						{
							ForwardCommandComplete(plan, message);
							return false;
						}

						break;
					case BackendMessageCode.EmptyQueryResponse:
						_statementIndex++;
						break;
					case BackendMessageCode.ReadyForQuery:
						_hasCurrent = false;
						if (_current.IsReplay)
							AfterReplay(message);
						return _pendingReplay != null ? TryReplay(message) : OnReadyForQuery(message);
				}

				Copy(_clientOut, message);
				return false;

			case ExpectationKind.Execute:
				switch (type)
				{
					case BackendMessageCode.DataRow:
						_forwardedRows = true;
						CaptureJobId(_current.Plan, message);
						break;
					case BackendMessageCode.CommandComplete:
						_hasCurrent = false;
						if (_current.Plan != null)
						{
							ForwardCommandComplete(_current.Plan, message);
							return false;
						}

						break;
					case BackendMessageCode.EmptyQueryResponse or BackendMessageCode.PortalSuspended:
						_hasCurrent = false;
						break;
					case BackendMessageCode.ErrorResponse:
						_hasCurrent = false;
						var replayable = _current.Replay != null && !_forwardedRows && _tracker.NextIs(ExpectationKind.Sync) && IsSnapshotConflict(message);
						_tracker.SkipToSync();
						if (replayable)
							_pendingReplay = new PendingReplay(message.ToArray(), _current);
						else
							CopyError(message, _current.Plan, _current.IsReplay);
						return false;
					case BackendMessageCode.CopyInResponse or BackendMessageCode.CopyOutResponse or BackendMessageCode.CopyBothResponse:
						_forwardedRows = true; // COPY: never run again
						break;
				}

				Copy(_clientOut, message);
				return false;

			case ExpectationKind.Parse or ExpectationKind.Bind or ExpectationKind.Close or ExpectationKind.Describe:
				switch (type)
				{
					case BackendMessageCode.ParseComplete or BackendMessageCode.BindComplete or BackendMessageCode.CloseComplete
						or BackendMessageCode.RowDescription or BackendMessageCode.NoData:
						_hasCurrent = false;
						break;
					case BackendMessageCode.ErrorResponse:
						_hasCurrent = false;
						_tracker.SkipToSync();
						CopyError(message, null);
						return false;
				}

				Copy(_clientOut, message);
				return false;

			case ExpectationKind.Sync or ExpectationKind.FunctionCall:
				if (type == BackendMessageCode.ReadyForQuery)
				{
					_hasCurrent = false;
					if (_current.IsReplay)
						AfterReplay(message);
					return _pendingReplay != null ? TryReplay(message) : OnReadyForQuery(message);
				}

				if (type == BackendMessageCode.ErrorResponse)
					CopyError(message, null);
				else
					Copy(_clientOut, message);
				return false;

			case ExpectationKind.Injected:
				HandleInjectedResponse(type, message);
				return false;

			case ExpectationKind.Swallowed:
				_hasCurrent = false;
				if (type == BackendMessageCode.ErrorResponse)
				{
					_tracker.SkipToSync();
					CopyError(message, null, _current.IsReplay);
				}

				return false;

			default:
				Copy(_clientOut, message);
				return false;
		}
	}

	/// <summary>
	/// PostgreSQL's answer to a write of a row that a transaction committed after the writer's snapshot (also after
	/// waiting for that transaction): the writer is the later committer.
	/// </summary>
	static bool IsSnapshotConflict(in ReadOnlySequence<byte> message)
	{
		var fields = PgMessageReader.ReadErrorFields(message.Slice(5).ToArray());
		return fields.GetValueOrDefault(ErrorFieldCode.SqlState) == "40001"
			&& fields.GetValueOrDefault(ErrorFieldCode.Message, "").StartsWith("could not serialize access due to concurrent", StringComparison.Ordinal);
	}

	/// <summary>
	/// A write in a transaction block failed because a transaction that committed after its snapshot changed the row: on
	/// DSQL the write succeeds on the snapshot and the COMMIT fails with OC000. PostgreSQL cannot write over the newer row
	/// version, so the endpoint rolls the backend's transaction back and runs the statement again on a fresh snapshot (it
	/// may not wait for locks there), gives the client that result, rolls back again (no row stays locked) and marks the
	/// transaction as lost: its COMMIT fails with OC000 (see <see cref="LostConflictVerdict"/>). Done only while the client
	/// waits for this answer (nothing else sent since); otherwise, or when the statement fails again, the client gets
	/// OC000 from the statement. Called by the backend loop at the statement's ReadyForQuery, which it replaces.
	/// </summary>
	bool TryReplay(in ReadOnlySequence<byte> readyForQuery)
	{
		var replay = _pendingReplay!;
		_pendingReplay = null;

		// Only a statement that failed inside a block (the proxy's prediction of the block may be ahead of the backend).
		if ((TransactionStatus)readyForQuery.Slice(5, 1).FirstSpan[0] == TransactionStatus.InFailedTransactionBlock && Monitor.TryEnter(_gate, GateWait))
		{
			try
			{
				if (ClientAwaitsNothingElse())
				{
					// The statement's boundary is answered by the replay's.
					_tracker.OnClientReady();

					InjectQuery("ROLLBACK; BEGIN; SET LOCAL lock_timeout = 1");
					var original = replay.Expectation;
					if (original.Kind == ExpectationKind.Query)
						_tracker.Enqueue(new Expectation(ExpectationKind.Query) { Plans = original.Plans, IsReplay = true });
					else
					{
						if ((FrontendMessageCode)original.Replay![0] == FrontendMessageCode.Parse)
							_tracker.Enqueue(new Expectation(ExpectationKind.Swallowed) { IsReplay = true }); // ParseComplete: the client has it
						_tracker.Enqueue(new Expectation(ExpectationKind.Swallowed) { IsReplay = true }); // BindComplete: the client has it
						_tracker.Enqueue(new Expectation(ExpectationKind.Execute) { Plan = original.Plan, IsReplay = true });
						_tracker.Enqueue(new Expectation(ExpectationKind.Sync) { IsReplay = true });
					}

					_backendOut.Write(original.Replay);
					if (original.Kind == ExpectationKind.Execute)
					{
						_frontBuilder.Clear();
						_frontBuilder.Sync();
						_backendOut.Write(_frontBuilder.WrittenSpan);
					}

					FlushBackend();

					var conflict = _services.RowConflict;
					_transactions.Current.LostConflict = conflict;
					var fields = PgMessageReader.ReadErrorFields(replay.Error.AsSpan(5).ToArray());
					_services.Log($"session {ProcessId}: {fields.GetValueOrDefault(ErrorFieldCode.SqlState)} {fields.GetValueOrDefault(ErrorFieldCode.Message)}: the statement runs again on a fresh snapshot, the transaction fails at COMMIT with {conflict.SqlState} {conflict.Message}");
					return false;
				}
			}
			finally
			{
				Monitor.Exit(_gate);
			}
		}

		var error = new ReadOnlySequence<byte>(replay.Error);
		CopyError(error, replay.Expectation.Kind == ExpectationKind.Query ? replay.Expectation.Plans?[0] : replay.Expectation.Plan);
		return OnReadyForQuery(readyForQuery);
	}

	/// <summary>
	/// Under <see cref="_gate"/>: the client has sent nothing that is not answered yet (no half-sent pipeline, nothing held
	/// back, nothing outstanding), so the proxy may use the backend in between.
	/// </summary>
	bool ClientAwaitsNothingElse() =>
		!_stopping && _atBoundary && _deferredParse == null && _deferredExecute == null && _tracker.IsEmpty;

	// How long the backend loop waits for the frontend loop to finish what it is doing (usually: returning from the write
	// that sent the statement now answered) before it gives up running a lost write again.
	static readonly TimeSpan GateWait = TimeSpan.FromMilliseconds(250);

	/// <summary>
	/// The run again of a lost write was answered. If it succeeded its rows are locked in a transaction that will never
	/// commit: roll it back now, unless the client has sent more since (its next statement fails or rolls back anyway, and
	/// the conflict monitor rolls it back if someone waits for those rows). If it failed, the block is failed like any.
	/// </summary>
	void AfterReplay(in ReadOnlySequence<byte> readyForQuery)
	{
		if ((TransactionStatus)readyForQuery.Slice(5, 1).FirstSpan[0] != TransactionStatus.InTransactionBlock || !Monitor.TryEnter(_gate, GateWait))
			return;

		try
		{
			if (ClientAwaitsNothingElse())
			{
				InjectQuery("ROLLBACK; BEGIN");
				FlushBackend();
			}
		}
		finally
		{
			Monitor.Exit(_gate);
		}
	}

	StatementPlan? CurrentQueryPlan()
	{
		var plans = _current.Plans;
		return plans != null && _statementIndex < plans.Length ? plans[_statementIndex] : null;
	}

	/// <summary>Updates the transaction state; true when the ReadyForQuery must wait for submitted jobs.</summary>
	bool OnReadyForQuery(in ReadOnlySequence<byte> message)
	{
		var status = (TransactionStatus)message.Slice(5, 1).FirstSpan[0];
		_transactions.OnReadyForQuery(status, _tracker.IsEmpty);
		_tracker.OnClientReady(); // after the transaction state: the session looks idle only once that is current

		// A transaction with DDL committed: transactions that began before it fail at COMMIT with OC001. (Bumped before
		// the client hears of the commit, so its own next transaction starts at the new version.)
		if (status != TransactionStatus.InTransactionBlock)
		{
			if (status == TransactionStatus.Idle && _ddlPending)
				_services.Schema.Bump();
			_ddlPending = false;
		}

		if (status == TransactionStatus.Idle)
		{
			lock (_submittedJobs)
			{
				if (_submittedJobs.Count > 0)
					return true;
			}
		}

		Copy(_clientOut, message);
		return false;
	}

	void HandleInjectedResponse(BackendMessageCode type, in ReadOnlySequence<byte> message)
	{
		var injected = _current.Injected!;
		switch (type)
		{
			case BackendMessageCode.CommandComplete:
			{
				var body = message.Slice(5).ToArray();
				var tag = Encoding.UTF8.GetString(body, 0, Math.Max(0, body.Length - 1));
				injected.Tags.Add(tag);
				if (tag == "ROLLBACK")
					_ddlPending = false; // no DDL of the rolled-back transaction commits
				break;
			}
			case BackendMessageCode.ErrorResponse:
			{
				var fields = PgMessageReader.ReadErrorFields(message.Slice(5).ToArray());
				injected.Error ??= (fields.GetValueOrDefault(ErrorFieldCode.SqlState, "XX000"), fields.GetValueOrDefault(ErrorFieldCode.Message, ""));
				break;
			}
			case BackendMessageCode.ReadyForQuery:
			{
				_hasCurrent = false;
				var status = (TransactionStatus)message.Slice(5, 1).FirstSpan[0];
				_transactions.OnReadyForQuery(status, drained: false);
				injected.Completion.TrySetResult(status);
				break;
			}
		}
	}

	void ForwardCommandComplete(StatementPlan plan, in ReadOnlySequence<byte> message)
	{
		if (plan.CompletionError is { } error)
		{
			// A COMMIT turned into ROLLBACK: the client gets the COMMIT's failure.
			_ddlPending = false;
			_backBuilder.Clear();
			_backBuilder.Error("ERROR", error.SqlState, error.Message, hint: error.Hint);
			_clientOut.Write(_backBuilder.WrittenSpan);
			return;
		}

		if (plan.IsDdl)
			_ddlPending = true;
		else if (_ddlPending && IsTag(message, "ROLLBACK"))
			_ddlPending = false;

		if (plan.OnCommandComplete != null)
		{
			var body = message.Slice(5).ToArray();
			plan.OnCommandComplete(Encoding.UTF8.GetString(body, 0, Math.Max(0, body.Length - 1)));
		}

		if (plan.CommandTag is null)
		{
			Copy(_clientOut, message);
			return;
		}

		_backBuilder.Clear();
		_backBuilder.CommandComplete(plan.CommandTag);
		_clientOut.Write(_backBuilder.WrittenSpan);
	}

	static bool IsTag(in ReadOnlySequence<byte> message, string tag)
	{
		if (message.Length != 5 + tag.Length + 1)
			return false;
		var body = message.Slice(5, tag.Length).ToArray();
		for (var k = 0; k < tag.Length; k++)
		{
			if (body[k] != tag[k])
				return false;
		}

		return true;
	}

	/// <summary>
	/// Forwards an ErrorResponse. PostgreSQL's answers to concurrent writers (a serialization failure after waiting for a
	/// row lock, a deadlock, a lock wait that timed out) become DSQL's conflict error: 40001 OC000 (OC001 when a DDL
	/// statement waited for a table lock). The transaction also no longer commits any DDL.
	/// </summary>
	void CopyError(in ReadOnlySequence<byte> message, StatementPlan? plan, bool lostConflict = false)
	{
		_ddlPending = false;

		var fields = PgMessageReader.ReadErrorFields(message.Slice(5).ToArray());
		var code = fields.GetValueOrDefault(ErrorFieldCode.SqlState);
		var conflict = lostConflict || code is "40P01" or "55P03"
			|| (code == "40001" && fields.GetValueOrDefault(ErrorFieldCode.Message, "").StartsWith("could not serialize access", StringComparison.Ordinal));
		if (!conflict)
		{
			if (fields.TryGetValue(ErrorFieldCode.Where, out var where) && where.Contains(" sys.", StringComparison.Ordinal))
			{
				// Raised inside the endpoint's own routines (refusals, limits, checks, wrapped statements): DSQL has no such
				// context, and its source location would point into the endpoint, so the client gets the error without them.
				_backBuilder.Clear();
				_backBuilder.Error(fields.Where(field => field.Key is not (ErrorFieldCode.Where or ErrorFieldCode.File or ErrorFieldCode.Line
					or ErrorFieldCode.Routine or ErrorFieldCode.InternalQuery or ErrorFieldCode.InternalPosition)));
				_clientOut.Write(_backBuilder.WrittenSpan);
			}
			else
				Copy(_clientOut, message);
			return;
		}

		var rule = _services.Rules.Rule(code == "55P03" && plan?.IsDdl == true ? "oc001" : "oc000");
		_services.Log($"session {ProcessId}: {code} {fields.GetValueOrDefault(ErrorFieldCode.Message)} reported as {rule.SqlState} {rule.Message}");
		_backBuilder.Clear();
		_backBuilder.Error(fields.GetValueOrDefault(ErrorFieldCode.Severity, "ERROR"), rule.SqlState, rule.Message);
		_clientOut.Write(_backBuilder.WrittenSpan);
	}

	void CaptureJobId(StatementPlan? plan, in ReadOnlySequence<byte> message)
	{
		if (plan is not { SubmitsJob: true })
			return;

		var body   = message.Slice(5).ToArray();
		var offset = 0;
		if (PgMessageReader.ReadInt16(body, ref offset) < 1)
			return;

		var length = PgMessageReader.ReadInt32(body, ref offset);
		if (length <= 0)
			return;

		var jobId = Encoding.UTF8.GetString(body, offset, length);
		lock (_submittedJobs)
			_submittedJobs.Add(jobId);
	}

	void ForwardParameterStatus(in ReadOnlySequence<byte> message)
	{
		var body   = message.Slice(5).ToArray();
		var offset = 0;
		var name   = PgMessageReader.ReadCString(body, ref offset);
		var value  = PgMessageReader.ReadCString(body, ref offset);
		var shown  = OnParameterStatus(name, value);

		if (shown == value)
			Copy(_clientOut, message);
		else
		{
			_backBuilder.Clear();
			_backBuilder.ParameterStatus(name, shown);
			_clientOut.Write(_backBuilder.WrittenSpan);
		}
	}
}
