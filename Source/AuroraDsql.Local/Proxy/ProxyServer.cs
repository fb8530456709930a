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
/// error. CancelRequests (plain or inside TLS) are routed to the session holding the proxy's key.
/// </summary>
sealed class ProxyServer : IAsyncDisposable
{
	const int SslRequestCode    = 80877103;
	const int GssEncRequestCode = 80877104;
	const int CancelRequestCode = 80877102;

	static readonly SslApplicationProtocol PostgresAlpn = new("postgresql");
	static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);

	readonly EndpointServices _services;
	readonly Socket _listener;
	readonly CancellationTokenSource _shutdown = new();
	readonly ConcurrentDictionary<int, ClientSession> _sessions = new();
	readonly ConcurrentDictionary<Task, bool> _connections = new();
	Task? _acceptLoop;

	public ProxyServer(EndpointServices services, int port)
	{
		_services = services;
		_listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
		_listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
		_listener.Listen(512);
		Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
	}

	public int Port { get; }

	public void Start() => _acceptLoop = Task.Run(AcceptLoopAsync);

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
			var task = Task.Run(() => HandleConnectionAsync(socket));
			_connections[task] = true;
			_ = task.ContinueWith(t => _connections.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
		}
	}

	async Task HandleConnectionAsync(Socket socket)
	{
		Stream stream = new NetworkStream(socket, ownsSocket: true);

		try
		{
			using var startup = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
			startup.CancelAfter(StartupTimeout);
			var token = startup.Token;

			SslStream? ssl = null;
			var header = new byte[8];

			while (ssl is null)
			{
				await stream.ReadExactlyAsync(header.AsMemory(0, 1), token).ConfigureAwait(false);

				if (header[0] == 0x16)
				{
					// Direct TLS (PostgreSQL 17): the first byte is a TLS handshake record.
					ssl = new SslStream(new PrefixedStream([0x16], stream), leaveInnerStreamOpen: false);
					await AuthenticateAsync(ssl, token).ConfigureAwait(false);
					break;
				}

				await stream.ReadExactlyAsync(header.AsMemory(1, 7), token).ConfigureAwait(false);
				var length = BinaryPrimitives.ReadInt32BigEndian(header);
				var code   = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));

				if (length == 8 && code == SslRequestCode)
				{
					await stream.WriteAsync("S"u8.ToArray(), token).ConfigureAwait(false);
					ssl = new SslStream(stream, leaveInnerStreamOpen: false);
					await AuthenticateAsync(ssl, token).ConfigureAwait(false);
				}
				else if (length == 8 && code == GssEncRequestCode)
					await stream.WriteAsync("N"u8.ToArray(), token).ConfigureAwait(false);
				else if (length == 16 && code == CancelRequestCode)
				{
					var key = new byte[8];
					await stream.ReadExactlyAsync(key, token).ConfigureAwait(false);
					await RouteCancelAsync(key).ConfigureAwait(false);
					return;
				}
				else
				{
					// A plaintext StartupMessage (or garbage): DSQL requires TLS.
					_services.Log("refused a connection without TLS");
					var builder = new PgMessageBuilder();
					builder.Error("FATAL", "28000", "SSL/TLS is required: the endpoint refuses unencrypted connections (use sslmode=require or stronger)");
					await stream.WriteAsync(builder.WrittenMemory, token).ConfigureAwait(false);
					return;
				}
			}

			stream = ssl;
			using var input = new MessageBuffer();

			var (protocol, parameters, cancelKey) = await ReadStartupAsync(input, ssl, token).ConfigureAwait(false);
			if (cancelKey != null)
			{
				await RouteCancelAsync(cancelKey).ConfigureAwait(false);
				return;
			}

			if (protocol >> 16 != 3)
			{
				var builder = new PgMessageBuilder();
				builder.Error("FATAL", "0A000", $"unsupported frontend protocol {protocol >> 16}.{protocol & 0xFFFF}: server supports 3.0 to 3.0");
				await ssl.WriteAsync(builder.WrittenMemory, token).ConfigureAwait(false);
				return;
			}

			var (processId, secretKey) = NewSessionKey();
			using var session = new ClientSession(_services, socket, ssl, input, ssl.TargetHostName ?? "", processId, secretKey);
			_sessions[processId] = session;

			try
			{
				await session.RunAsync(protocol, parameters, _shutdown.Token).ConfigureAwait(false);
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
		finally
		{
			await stream.DisposeAsync().ConfigureAwait(false);
		}
	}

	Task AuthenticateAsync(SslStream ssl, CancellationToken token) =>
		ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
		{
			ServerCertificateContext  = _services.Certificates.Context,
			ApplicationProtocols      = [PostgresAlpn],
			ClientCertificateRequired = false,
			EnabledSslProtocols       = SslProtocols.Tls12 | SslProtocols.Tls13,
		}, token);

	/// <summary>Reads the untyped startup packet inside TLS: a StartupMessage or a CancelRequest.</summary>
	static async Task<(int Protocol, List<KeyValuePair<string, string>> Parameters, byte[]? CancelKey)> ReadStartupAsync(MessageBuffer input, Stream stream, CancellationToken token)
	{
		while (true)
		{
			if (input.TryReadUntypedMessage(10_000, out var message))
			{
				var packet = message.ToArray();
				var code = BinaryPrimitives.ReadInt32BigEndian(packet.AsSpan(4));
				if (code == CancelRequestCode && packet.Length == 16)
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

			if (!await input.FillAsync(stream, token).ConfigureAwait(false))
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

	async Task RouteCancelAsync(byte[] key)
	{
		var processId = BinaryPrimitives.ReadInt32BigEndian(key);
		var secretKey = BinaryPrimitives.ReadInt32BigEndian(key.AsSpan(4));

		if (_sessions.TryGetValue(processId, out var session) && session.SecretKey == secretKey)
			await session.CancelAsync().ConfigureAwait(false);
	}

	/// <summary>Stops accepting, ends every session with a FATAL 57P01 error and waits for them.</summary>
	public async ValueTask DisposeAsync()
	{
		await _shutdown.CancelAsync().ConfigureAwait(false);
		_listener.Dispose();

		if (_acceptLoop != null)
			await _acceptLoop.ConfigureAwait(false);

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

	/// <summary>Sessions open now (for diagnostics and tests).</summary>
	public int SessionCount => _sessions.Count;
}
