using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using AuroraDsql.Local.Protocol;

namespace AuroraDsql.Local.Proxy;

/// <summary>A socket to the backend with an input buffer, and the client side of PostgreSQL's authentication exchange.</summary>
sealed class BackendConnection : IAsyncDisposable
{
	readonly Socket _socket;
	readonly NetworkStream _stream;
	int _disposed;

	BackendConnection(Socket socket)
	{
		_socket = socket;
		_stream = new NetworkStream(socket, ownsSocket: true);
	}

	/// <summary>The connection's stream (blocking reads and writes are fine: the socket is in blocking mode for them).</summary>
	public Stream Stream => _stream;

	/// <summary>Bytes read from the backend and not yet taken.</summary>
	public MessageBuffer Input { get; } = new();

	/// <summary>
	/// Opens the socket synchronously. A socket that only ever sees blocking calls stays a plain blocking socket on Unix,
	/// which a thread-per-direction relay needs: a single async call switches .NET sockets to non-blocking mode for good,
	/// after which every blocking call goes through the socket engine's event thread.
	/// </summary>
	public static BackendConnection Open(BackendEndpoint endpoint)
	{
		Socket socket;
		EndPoint address;

		if (endpoint.UnixSocketPath != null)
		{
			socket  = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
			address = new UnixDomainSocketEndPoint(endpoint.UnixSocketPath);
		}
		else
		{
			var ip = IPAddress.TryParse(endpoint.Host, out var parsed) ? parsed : Dns.GetHostAddresses(endpoint.Host)[0];
			socket  = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
			address = new IPEndPoint(ip, endpoint.Port);
		}

		try
		{
			socket.Connect(address);
		}
		catch
		{
			socket.Dispose();
			throw;
		}

		return new BackendConnection(socket);
	}

	/// <summary>Opens the socket (no protocol yet).</summary>
	public static async Task<BackendConnection> OpenAsync(BackendEndpoint endpoint, CancellationToken cancellationToken)
	{
		Socket socket;
		EndPoint address;

		if (endpoint.UnixSocketPath != null)
		{
			socket  = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
			address = new UnixDomainSocketEndPoint(endpoint.UnixSocketPath);
		}
		else
		{
			var ip = IPAddress.TryParse(endpoint.Host, out var parsed)
				? parsed
				: (await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken).ConfigureAwait(false))[0];
			socket  = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
			address = new IPEndPoint(ip, endpoint.Port);
		}

		try
		{
			await socket.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
		}
		catch
		{
			socket.Dispose();
			throw;
		}

		return new BackendConnection(socket);
	}

	/// <summary>
	/// Sends the StartupMessage and answers authentication requests until AuthenticationOk. The messages after it
	/// (ParameterStatus, BackendKeyData, ReadyForQuery) are left in <see cref="Input"/>.
	/// </summary>
	/// <exception cref="PgServerException">The backend refused the login.</exception>
	public void Startup(string user, string? password, IEnumerable<KeyValuePair<string, string>> parameters)
	{
		var builder = new PgMessageBuilder();
		builder.StartupMessage([new("user", user), .. parameters.Where(p => p.Key != "user")]);
		Write(builder.WrittenSpan);

		ScramClient? scram = null;

		while (true)
		{
			var (type, body) = ReadMessage();

			if (type == BackendMessageCode.ErrorResponse)
				throw new PgServerException(PgMessageReader.ReadErrorFields(body));

			if (type == BackendMessageCode.NoticeResponse)
				continue;

			if (type != BackendMessageCode.AuthenticationRequest)
				throw new PgProtocolException($"unexpected message '{(char)type}' during backend authentication");

			var offset = 0;
			var code   = (AuthenticationRequestCode)PgMessageReader.ReadInt32(body, ref offset);
			builder.Clear();

			switch (code)
			{
				case AuthenticationRequestCode.Ok:
					return;

				case AuthenticationRequestCode.CleartextPassword:
					builder.PasswordMessage(RequirePassword(password));
					break;

				case AuthenticationRequestCode.Md5Password:
				{
					var salt  = body.AsSpan(offset, 4);
					var inner = Md5Hex(Encoding.UTF8.GetBytes(RequirePassword(password) + user));
					var outer = Md5Hex([.. Encoding.ASCII.GetBytes(inner), .. salt]);
					builder.PasswordMessage("md5" + outer);
					break;
				}

				case AuthenticationRequestCode.Sasl:
				{
					var mechanisms = new List<string>();
					while (offset < body.Length && body[offset] != 0)
						mechanisms.Add(PgMessageReader.ReadCString(body, ref offset));

					if (!mechanisms.Contains(ScramClient.Mechanism))
						throw new PgProtocolException("the backend offers no supported SASL mechanism");

					scram = new ScramClient(RequirePassword(password));
					var first = Encoding.UTF8.GetBytes(scram.ClientFirstMessage);
					builder.SaslInitialResponse(ScramClient.Mechanism, first);
					break;
				}

				case AuthenticationRequestCode.SaslContinue:
				{
					if (scram is null)
						throw new PgProtocolException("SASL continue without SASL start");
					var final = Encoding.UTF8.GetBytes(scram.ClientFinalMessage(Encoding.UTF8.GetString(body, offset, body.Length - offset)));
					builder.SaslResponse(final);
					break;
				}

				case AuthenticationRequestCode.SaslFinal:
					if (scram is null || !scram.VerifyServerFinal(Encoding.UTF8.GetString(body, offset, body.Length - offset)))
						throw new PgProtocolException("the backend's SCRAM signature is wrong");
					continue;

				default:
					throw new PgProtocolException($"unsupported backend authentication method {(int)code}");
			}

			Write(builder.WrittenSpan);
		}
	}

	static string RequirePassword(string? password) =>
		password ?? throw new PgProtocolException("the backend asks for a password but the backend connection string has none");

	[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "PostgreSQL's md5 password authentication is defined with MD5.")]
	static string Md5Hex(byte[] data) =>
#if NET9_0_OR_GREATER
		Convert.ToHexStringLower(MD5.HashData(data));
#else
		string.Concat(MD5.HashData(data).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
#endif

	public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => _stream.WriteAsync(data, cancellationToken);

	public void Write(ReadOnlySpan<byte> data) => _stream.Write(data);

	/// <summary>Reads one whole message (blocking); returns its type and a copy of its body.</summary>
	public (BackendMessageCode Type, byte[] Body) ReadMessage()
	{
		while (true)
		{
			if (Input.TryReadMessage(out var type, out var message))
				return ((BackendMessageCode)type, message[5..].ToArray());

			if (!Input.Fill(_stream))
				throw new PgProtocolException("the backend closed the connection");
		}
	}

	/// <summary>Reads one whole message; returns its type and a copy of its body.</summary>
	public async ValueTask<(BackendMessageCode Type, byte[] Body)> ReadMessageAsync(CancellationToken cancellationToken)
	{
		while (true)
		{
			if (Input.TryReadMessage(out var type, out var message))
				return ((BackendMessageCode)type, message[5..].ToArray());

			if (!await Input.FillAsync(_stream, cancellationToken).ConfigureAwait(false))
				throw new PgProtocolException("the backend closed the connection");
		}
	}

	/// <summary>How long a blocking write may make no progress before it fails (0: no limit).</summary>
	public TimeSpan WriteTimeout
	{
		set => _socket.SendTimeout = (int)Math.Min(value.TotalMilliseconds, int.MaxValue);
	}

	/// <summary>Stops reading: a blocked read returns end-of-stream.</summary>
	public void ShutdownReceive()
	{
		try
		{
			_socket.Shutdown(SocketShutdown.Receive);
		}
		catch (SocketException)
		{
		}
		catch (ObjectDisposedException)
		{
		}
	}

	/// <summary>Closes the socket at once (unblocks pending reads).</summary>
	public void Abort()
	{
		try
		{
			_socket.Shutdown(SocketShutdown.Both);
		}
		catch (SocketException)
		{
		}
		catch (ObjectDisposedException)
		{
		}
	}

	public async ValueTask DisposeAsync()
	{
		if (Interlocked.Exchange(ref _disposed, 1) != 0)
			return;

		try
		{
			// Terminate politely when we can; ignore a dead socket.
			if (_socket.Connected)
				_socket.Send(new PgMessageBuilder().Terminate().WrittenSpan, SocketFlags.None, out _);
		}
		catch (ObjectDisposedException)
		{
		}
		catch (SocketException)
		{
		}

		await _stream.DisposeAsync().ConfigureAwait(false);
		Input.Dispose();
	}
}
