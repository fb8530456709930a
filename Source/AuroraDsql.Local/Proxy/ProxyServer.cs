using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using AuroraDsql.Local.Protocol;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// Accepts connections on 127.0.0.1 and negotiates them like DSQL: classic SSLRequest (answered 'S') or PostgreSQL 17
/// direct TLS (ALPN <c>postgresql</c>); GSSENCRequest is declined; a plaintext StartupMessage is refused with a FATAL
/// error. CancelRequests (plain or inside TLS) are routed to the session holding the proxy's key. A connection has
/// <see cref="LocalDsqlEndpointOptions.LoginTimeout"/> in all to log in, and at most
/// <see cref="LocalDsqlEndpointOptions.MaxPendingLogins"/> connections may be logging in at once (more are refused with
/// 53400 at once, without a thread of their own).
/// </summary>
sealed class ProxyServer : IAsyncDisposable
{
	static readonly SslApplicationProtocol PostgresAlpn = new("postgresql");

	readonly EndpointServices _services;
	readonly Socket _listener;
	readonly CancellationTokenSource _shutdown = new();
	readonly ConcurrentDictionary<int, ClientSession> _sessions = new();

	/// <summary>The sessions open now (logging in or relaying).</summary>
	public IEnumerable<ClientSession> Sessions => _sessions.Values;

	/// <summary>The open session with this process id.</summary>
	public bool TryGetSession(int processId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ClientSession? session) =>
		_sessions.TryGetValue(processId, out session);
	readonly ConcurrentDictionary<Task, Socket> _connections = new();
	Task? _acceptLoop;
	RowConflictMonitor? _conflicts;
	int _pendingLogins;

	public ProxyServer(EndpointServices services, int port)
	{
		_services = services;
		_listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
		_listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
		_listener.Listen(512);
		Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
	}

	public int Port { get; }

	/// <summary>Connections open now (logging in or in a session).</summary>
	internal int ConnectionCount => _connections.Count;

	/// <summary>Connections still logging in (see <see cref="PendingLogin"/>).</summary>
	internal int PendingLogins => Volatile.Read(ref _pendingLogins);

	public void Start()
	{
		if (_services.Options.ConflictsAtCommit)
			_conflicts = new RowConflictMonitor(_services, _sessions);
		_acceptLoop = Task.Run(AcceptLoopAsync);
	}

	async Task AcceptLoopAsync()
	{
		while (!_shutdown.IsCancellationRequested)
		{
			Socket socket;
			try
			{
				socket = await _listener.AcceptAsync(_shutdown.Token).ConfigureAwait(false);
			}
			catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
			{
				if (_shutdown.IsCancellationRequested)
					return;
				continue;
			}

			socket.NoDelay = true;

			if (Interlocked.Increment(ref _pendingLogins) > _services.Options.MaxPendingLogins)
			{
				Interlocked.Decrement(ref _pendingLogins);
				_ = Task.Run(() => RefuseBusy(socket));
				continue;
			}

			// Thread per connection, blocking calls only: see BackendConnection.Open for why.
			var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
			_connections[done.Task] = socket;
			var thread = new Thread(() =>
			{
				var login = new PendingLogin(socket, _services.Options.LoginTimeout, () => Interlocked.Decrement(ref _pendingLogins),
					() => _services.Log("closed a connection that did not log in in time"));
				try
				{
					HandleConnection(socket, login);
				}
				finally
				{
					login.Dispose();
					_connections.TryRemove(done.Task, out _);
					done.TrySetResult();
				}
			}, 1024 * 1024) { IsBackground = true, Name = "dsql-client" };
			thread.Start();
		}
	}

	/// <summary>Too many connections logging in: DSQL's answer to a connection rate over its limit, then close.</summary>
	void RefuseBusy(Socket socket)
	{
		_services.Log("refused a connection: too many connections are logging in");
		try
		{
			var builder = new PgMessageBuilder();
			builder.Error("FATAL", "53400", "Unable to accept connection, rate exceeded.");
			socket.SendTimeout = 1000;
			socket.Send(builder.WrittenSpan);
			socket.Shutdown(SocketShutdown.Both);
		}
		catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
		{
		}
		finally
		{
			socket.Dispose();
		}
	}

	void HandleConnection(Socket socket, PendingLogin login)
	{
		Stream stream = new ClientSocketStream(socket);

		try
		{
			// Negotiation and login must not hang: a deadline for all of it (PendingLogin), a timeout per read and per write.
			socket.ReceiveTimeout = (int)_services.Options.LoginTimeout.TotalMilliseconds;
			socket.SendTimeout    = (int)_services.Options.WriteTimeout.TotalMilliseconds;

			SslStream? ssl = null;
			var header = new byte[8];

			while (ssl is null)
			{
				stream.ReadExactly(header.AsSpan(0, 1));

				if (header[0] == 0x16)
				{
					// Direct TLS (PostgreSQL 17): the first byte is a TLS handshake record.
					ssl = new SslStream(new PrefixedStream([0x16], stream), leaveInnerStreamOpen: false);
					Authenticate(ssl);
					break;
				}

				stream.ReadExactly(header.AsSpan(1, 7));
				var length = BinaryPrimitives.ReadInt32BigEndian(header);
				var code   = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));

				if (length == 8 && code == RequestCode.SslRequest)
				{
					stream.Write(RequestCode.SslAccepted);
					ssl = new SslStream(stream, leaveInnerStreamOpen: false);
					Authenticate(ssl);
				}
				else if (length == 8 && code == RequestCode.GssEncRequest)
					stream.Write(RequestCode.Declined);
				else if (length == 16 && code == RequestCode.CancelRequest)
				{
					var key = new byte[8];
					stream.ReadExactly(key);
					RouteCancel(key);
					return;
				}
				else
				{
					// A plaintext StartupMessage (or garbage): DSQL requires TLS.
					_services.Log("refused a connection without TLS");
					var builder = new PgMessageBuilder();
					builder.Error("FATAL", "28000", "SSL/TLS is required: the endpoint refuses unencrypted connections (use sslmode=require or stronger)");
					stream.Write(builder.WrittenSpan);
					return;
				}
			}

			stream = ssl;
			// Until the token is checked a client's messages are as short as a token: nothing large is buffered for anyone.
			using var input = new MessageBuffer { Limits = MessageLimits.ClientLoggingIn };

			var (protocol, parameters, cancelKey) = ReadStartup(input, ssl);
			if (cancelKey != null)
			{
				RouteCancel(cancelKey);
				return;
			}

			if (RequestCode.MajorVersion(protocol) != RequestCode.MajorVersion(RequestCode.ProtocolVersion3))
			{
				var builder = new PgMessageBuilder();
				builder.Error("FATAL", "0A000", $"unsupported frontend protocol {RequestCode.MajorVersion(protocol)}.{RequestCode.MinorVersion(protocol)}: server supports 3.0 to 3.0");
				ssl.Write(builder.WrittenSpan);
				return;
			}

			if (_shutdown.IsCancellationRequested)
				return;

			var (processId, secretKey) = NewSessionKey();
			using var session = new ClientSession(_services, socket, ssl, input, ssl.TargetHostName ?? "", processId, secretKey);
			_sessions[processId] = session;

			try
			{
				session.Run(protocol, parameters, login.Finish, _shutdown.Token);
			}
			finally
			{
				_sessions.TryRemove(processId, out _);
			}
		}
		catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or AuthenticationException or ObjectDisposedException or PgProtocolException or EndOfStreamException)
		{
			// The client went away or spoke nonsense during negotiation.
		}
		catch (Exception ex) when (ex is not (OutOfMemoryException or StackOverflowException))
		{
			// A bug must end this connection, not the process hosting the endpoint.
			_services.Log($"connection failed with an internal error: {ex}");
		}
		finally
		{
			stream.Dispose();
		}
	}

	void Authenticate(SslStream ssl) =>
		ssl.AuthenticateAsServer(new SslServerAuthenticationOptions
		{
			ServerCertificateContext  = _services.Certificates.Context,
			ApplicationProtocols      = [PostgresAlpn],
			ClientCertificateRequired = false,
			EnabledSslProtocols       = SslProtocols.Tls12 | SslProtocols.Tls13,
		});

	/// <summary>Reads the untyped startup packet inside TLS: a StartupMessage or a CancelRequest.</summary>
	static (int Protocol, List<KeyValuePair<string, string>> Parameters, byte[]? CancelKey) ReadStartup(MessageBuffer input, Stream stream)
	{
		while (true)
		{
			if (input.TryReadUntypedMessage(10_000, out var message))
			{
				var packet = message.ToArray();
				var code = BinaryPrimitives.ReadInt32BigEndian(packet.AsSpan(4));
				if (code == RequestCode.CancelRequest && packet.Length == 16)
					return (code, [], packet[8..16]);

				var parameters = new List<KeyValuePair<string, string>>();
				var offset = 8;
				while (offset < packet.Length && packet[offset] != 0)
				{
					var name  = PgMessageReader.ReadCString(packet, ref offset);
					var value = PgMessageReader.ReadCString(packet, ref offset);
					parameters.Add(new(name, value));
				}

				return (code, parameters, null);
			}

			if (!input.Fill(stream))
				throw new EndOfStreamException();
		}
	}

	(int ProcessId, int SecretKey) NewSessionKey()
	{
		while (true)
		{
			var processId = RandomNumberGenerator.GetInt32(10_000, int.MaxValue);
			if (!_sessions.ContainsKey(processId))
				return (processId, RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue));
		}
	}

	void RouteCancel(byte[] key)
	{
		var processId = BinaryPrimitives.ReadInt32BigEndian(key);
		var secretKey = BinaryPrimitives.ReadInt32BigEndian(key.AsSpan(4));

		if (_sessions.TryGetValue(processId, out var session) && session.SecretKey == secretKey)
			session.CancelAsync().GetAwaiter().GetResult();
	}

	/// <summary>Stops accepting, ends every session with a FATAL 57P01 error and waits for them.</summary>
	public async ValueTask DisposeAsync()
	{
		await _shutdown.CancelAsync().ConfigureAwait(false);
		_listener.Dispose();

		if (_conflicts != null)
			await _conflicts.DisposeAsync().ConfigureAwait(false);

		if (_acceptLoop != null)
			await _acceptLoop.ConfigureAwait(false);

		// Connections still negotiating (sessions end through the shutdown token).
		foreach (var (task, socket) in _connections)
		{
			if (!task.IsCompleted && !_sessions.Values.Any(s => s.ClientSocket == socket))
			{
				try
				{
					socket.Shutdown(SocketShutdown.Both);
				}
				catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
				{
				}
			}
		}

		try
		{
			await Task.WhenAll(_connections.Keys).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
		}
		catch (TimeoutException)
		{
			_services.Log("some client sessions did not end in time");
		}

		_shutdown.Dispose();
	}

}
