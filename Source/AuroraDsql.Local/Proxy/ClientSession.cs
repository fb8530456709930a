using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using AuroraDsql.Local.Classification;
using AuroraDsql.Local.Protocol;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// One client connection after TLS: authenticates the client's IAM token, opens its backend session, then relays
/// messages both ways. The frontend loop classifies statements (rewrite, refuse, wait for jobs) and records in the
/// <see cref="ResponseTracker"/> what each forwarded message will be answered with; the backend loop uses that to
/// rewrite particular responses and to swallow the answers to queries the proxy injected. Both loops forward whole
/// messages without per-message allocations and flush only when no more input is buffered, so pipelined traffic
/// stays batched.
/// </summary>
/// <remarks>
/// One partial file per concern: this one holds the session's state, its lifecycle (relay threads, termination,
/// cancel) and shared helpers; <c>.Startup</c> the login; <c>.Frontend</c> and <c>.ExtendedQuery</c> the frontend loop
/// (client → backend); <c>.Backend</c> the backend loop (backend → client); <c>.Jobs</c> job waits and job ids;
/// <c>.Conflicts</c> lost conflicts and the replay of lost writes; <c>.Redo</c> the run again of a lost block at its COMMIT.
/// </remarks>
sealed partial class ClientSession : IDisposable
{
	// Set at construction or during start-up (before the relay threads exist), then only read.
	readonly EndpointServices _services;
	readonly Socket _clientSocket;
	readonly Stream _clientStream;
	readonly string _sniHost;
	BackendConnection? _backend;
	SessionInfo? _info;
	int _backendProcessId;
	int _backendSecretKey;

	// Each loop's own state: see the types for who may use it when.
	readonly FrontendLoopState _front;
	readonly BackendLoopState _back = new();

	// Shared by the session's threads, each synchronized:
	// the gate is held by the frontend loop while it handles client messages; a conflict resolution from another thread
	// takes it to act on the session only while the frontend waits for the client (see ClientAwaitsNothingElse).
	readonly object _gate = new();

	// what the backend owes (the frontend loop enqueues, the backend loop dequeues, the conflict monitor reads; locks inside)
	readonly ResponseTracker _tracker = new();

	// the transaction state (the frontend loop predicts, the backend loop confirms, the conflict monitor reads; locks inside)
	readonly SessionTransactionTracker _transactions;

	// how the session ends (volatile flags, error set once)
	readonly SessionTermination _termination = new();

	// what the session cost its client (both loops count; read by the endpoint's statistics)
	readonly SessionCounters _counters = new();

	// the answers held for the simulated latency (null when there is none); created before the relay threads, then only read
	DelayedClientWriter? _delayedWriter;

	// cancelled when the session ends
	readonly CancellationTokenSource _lifetime = new();

	// a job wait of the frontend loop, which a CancelRequest (on the canceller's thread) cancels; under _cancelLock
	readonly object _cancelLock = new();
	CancellationTokenSource? _waitCancel;

	public ClientSession(EndpointServices services, Socket clientSocket, Stream clientStream, MessageBuffer clientIn, string sniHost, int processId, int secretKey)
	{
		_services     = services;
		_clientSocket = clientSocket;
		_clientStream = clientStream;
		_front        = new FrontendLoopState(clientIn);
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

	/// <summary>Round trips, statements and commits so far.</summary>
	public SessionCounters Counters => _counters;

	/// <summary>The client's <c>application_name</c> as the backend last reported it.</summary>
	public string? ApplicationName => _info?.Parameter("application_name");

	/// <summary>The client's socket.</summary>
	public Socket ClientSocket => _clientSocket;

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
				if (!_termination.IsRelaying)
					SendFatal("08P01", ex.Message);
			}
		}
		finally
		{
			lock (_gate)
				EndRecording();
			_backend?.DisposeAsync().AsTask().GetAwaiter().GetResult();
		}
	}

	public void Dispose()
	{
		_delayedWriter?.Dispose();
		_lifetime.Dispose();
	}

	void Relay()
	{
		// One blocking thread per direction (this one reads the client): the kernel wakes the reader directly when bytes
		// arrive, without a trip through the socket engine and the thread pool.
		_termination.MarkRelaying();

		// Every blocking write has a time limit: a client that stops reading (or vanishes without closing) blocks the backend
		// loop's writes to it, the backend's writes to the proxy, and then the frontend loop's writes to the backend.
		var writeTimeout = _services.Options.WriteTimeout;
		_clientSocket.SendTimeout = (int)Math.Min(writeTimeout.TotalMilliseconds, int.MaxValue);
		_backend!.WriteTimeout = writeTimeout;
		if (_services.Latency.Enabled)
			_delayedWriter = new DelayedClientWriter(_clientStream, _services.Latency, writeTimeout);

		var backend = new Thread(BackendLoop, 256 * 1024) { IsBackground = true, Name = "dsql-backend" };
		backend.Start();
		var supervisor = SuperviseAsync();

		FrontendLoop();
		_termination.MarkFrontendDone();

		if (!_termination.IsStopping)
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
			await Task.Delay(_services.Options.MaxConnectionDuration, _services.Options.TimeProvider, _lifetime.Token).ConfigureAwait(false);
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
		if (!_termination.TryRequest(sqlState, message))
			return;

		StopLoops();

		// Still logging in: there is no relay to deliver the error, just close.
		if (!_termination.IsRelaying)
			ShutdownClient();
	}

	void StopLoops()
	{
		_termination.Stop();

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

	static bool IsUnexpected(Exception ex) => ex is not (OutOfMemoryException or StackOverflowException);

	/// <summary>
	/// A message's body (after its type and length) without copying it: the relay's messages are single segments of the
	/// input buffer, valid until the loop reads again.
	/// </summary>
	static ReadOnlySpan<byte> BodyOf(in ReadOnlySequence<byte> message) =>
		message.IsSingleSegment ? message.FirstSpan[5..] : message.Slice(5).ToArray();

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
}
