using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace AuroraDsql.Local.Tests.Infrastructure;

/// <summary>
/// A minimal PostgreSQL protocol client for checking exact wire behaviour (tags, error fields, negotiation). Its codes
/// are written out from the protocol documentation, not taken from the endpoint, so that a wrong code there fails here.
/// </summary>
sealed class RawPgClient : IAsyncDisposable
{
	/// <summary>The code of a StartupMessage for protocol 3.0.</summary>
	public const int ProtocolVersion3 = 196608;

	/// <summary>The codes of the untyped requests (PostgreSQL's <c>pqcomm.h</c>: 1234.5678, 1234.5679, 1234.5680).</summary>
	public const int CancelRequestCode = 80877102, SslRequestCode = 80877103, GssEncRequestCode = 80877104;

	readonly Socket _socket;
	Stream _stream;

	RawPgClient(Socket socket)
	{
		_socket = socket;
		_stream = new NetworkStream(socket, ownsSocket: true);
	}

	public int ProcessId { get; private set; }

	public int SecretKey { get; private set; }

	public Dictionary<string, string> Parameters { get; } = new(StringComparer.Ordinal);

	public SslStream? Ssl => _stream as SslStream;

	public static async Task<RawPgClient> OpenSocketAsync(int port)
	{
		var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
		await socket.ConnectAsync("127.0.0.1", port);
		return new RawPgClient(socket);
	}

	/// <summary>Connects with TLS (SSLRequest or direct) and logs in; returns the startup messages.</summary>
	public static async Task<(RawPgClient Client, List<Message> Messages)> ConnectAsync(LocalDsqlEndpoint endpoint, string user = "admin", string? password = null,
		bool directTls = false, string sni = "localhost")
	{
		var client = await OpenSocketAsync(endpoint.Port);
		await client.StartTlsAsync(endpoint, directTls, sni);
		var messages = await client.LoginAsync(user, password ?? endpoint.GenerateToken(user));
		return (client, messages);
	}

	public async Task StartTlsAsync(LocalDsqlEndpoint endpoint, bool direct, string sni = "localhost")
	{
		if (!direct)
		{
			await _stream.WriteAsync(SslRequest());
			var answer = new byte[1];
			await _stream.ReadExactlyAsync(answer);
			if (answer[0] != 'S')
				throw new InvalidOperationException("TLS refused");
		}

		var ca = X509CertificateLoader.LoadCertificateFromFile(endpoint.CaCertificatePath);
		var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
		await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
		{
			TargetHost = sni,
			ApplicationProtocols = [new SslApplicationProtocol("postgresql")],
			CertificateChainPolicy = new X509ChainPolicy
			{
				TrustMode = X509ChainTrustMode.CustomRootTrust,
				CustomTrustStore = { ca },
				RevocationMode = X509RevocationMode.NoCheck,
			},
		});
		_stream = ssl;
	}

	public async Task<List<Message>> LoginAsync(string user, string password, int protocol = ProtocolVersion3, params (string Name, string Value)[] extra)
	{
		await SendStartupAsync(user, protocol, extra);
		var messages = new List<Message>();
		while (true)
		{
			var message = await ReadAsync();
			messages.Add(message);
			switch (message.Type)
			{
				case 'R' when message.Int32At(0) == 3:
					await SendAsync(Build('p', CString(password)));
					break;
				case 'K':
					ProcessId = message.Int32At(0);
					SecretKey = message.Int32At(4);
					break;
				case 'S':
					Parameters[message.CStringAt(0, out var next)] = message.CStringAt(next, out _);
					break;
				case 'E' or 'Z':
					return messages;
			}
		}
	}

	public async Task SendStartupAsync(string user, int protocol = ProtocolVersion3, params (string Name, string Value)[] extra)
	{
		var body = new List<byte>();
		body.AddRange(BigEndian(protocol));
		body.AddRange(CString("user"));
		body.AddRange(CString(user));
		body.AddRange(CString("database"));
		body.AddRange(CString("postgres"));
		foreach (var (name, value) in extra)
		{
			body.AddRange(CString(name));
			body.AddRange(CString(value));
		}

		body.Add(0);
		await SendAsync([.. BigEndian(body.Count + 4), .. body]);
	}

	public async Task SendAsync(params byte[][] messages)
	{
		foreach (var message in messages)
			await _stream.WriteAsync(message);
		await _stream.FlushAsync();
	}

	/// <summary>Sends a simple query and reads up to ReadyForQuery.</summary>
	public async Task<List<Message>> QueryAsync(string sql)
	{
		await SendAsync(Build('Q', CString(sql)));
		return await ReadUntilReadyAsync();
	}

	public async Task<List<Message>> ReadUntilReadyAsync()
	{
		var messages = new List<Message>();
		while (true)
		{
			var message = await ReadAsync();
			messages.Add(message);
			if (message.Type == 'Z')
				return messages;
		}
	}

	public async Task<Message> ReadAsync()
	{
		var header = new byte[5];
		await _stream.ReadExactlyAsync(header);
		var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
		await _stream.ReadExactlyAsync(body);
		return new Message((char)header[0], body);
	}

	/// <summary>Reads one byte (for SSLRequest/GSSENCRequest answers) or -1 at end of stream.</summary>
	public async Task<int> ReadByteAsync()
	{
		var buffer = new byte[1];
		return await _stream.ReadAsync(buffer) == 0 ? -1 : buffer[0];
	}

	/// <summary>True when the server closed the connection (reads end).</summary>
	public async Task<bool> IsClosedAsync(TimeSpan within)
	{
		using var timeout = new CancellationTokenSource(within);
		var buffer = new byte[4096];
		try
		{
			while (true)
			{
				if (await _stream.ReadAsync(buffer, timeout.Token) == 0)
					return true;
			}
		}
		catch (OperationCanceledException)
		{
			return false;
		}
		catch (IOException)
		{
			return true;
		}
	}

	public static byte[] Build(char type, params byte[][] parts)
	{
		var length = 4 + parts.Sum(p => p.Length);
		var message = new byte[1 + length];
		message[0] = (byte)type;
		BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), length);
		var offset = 5;
		foreach (var part in parts)
		{
			part.CopyTo(message, offset);
			offset += part.Length;
		}

		return message;
	}

	public static byte[] CString(string value) => [.. Encoding.UTF8.GetBytes(value), 0];

	public static byte[] BigEndian(int value)
	{
		var bytes = new byte[4];
		BinaryPrimitives.WriteInt32BigEndian(bytes, value);
		return bytes;
	}

	public static byte[] BigEndian16(short value)
	{
		var bytes = new byte[2];
		BinaryPrimitives.WriteInt16BigEndian(bytes, value);
		return bytes;
	}

	// Untyped requests
	public static byte[] SslRequest() => [.. BigEndian(8), .. BigEndian(SslRequestCode)];

	public static byte[] GssEncRequest() => [.. BigEndian(8), .. BigEndian(GssEncRequestCode)];

	public static byte[] CancelRequest(int processId, int secretKey) => [.. BigEndian(16), .. BigEndian(CancelRequestCode), .. BigEndian(processId), .. BigEndian(secretKey)];

	// Extended protocol builders
	public static byte[] Parse(string sql, string name = "") => Build('P', CString(name), CString(sql), BigEndian16(0));

	public static byte[] Bind(string portal = "", string statement = "", params string?[] parameters)
	{
		var parts = new List<byte[]> { CString(portal), CString(statement), BigEndian16(0), BigEndian16((short)parameters.Length) };
		foreach (var parameter in parameters)
		{
			if (parameter is null)
				parts.Add(BigEndian(-1));
			else
			{
				var bytes = Encoding.UTF8.GetBytes(parameter);
				parts.Add(BigEndian(bytes.Length));
				parts.Add(bytes);
			}
		}

		parts.Add(BigEndian16(0));
		return Build('B', [.. parts]);
	}

	public static byte[] Describe(char kind = 'P', string name = "") => Build('D', [(byte)kind], CString(name));

	public static byte[] Execute(string portal = "", int maxRows = 0) => Build('E', CString(portal), BigEndian(maxRows));

	public static byte[] Sync() => Build('S');

	public static byte[] Terminate() => Build('X');

	/// <summary>Drops the connection at once (a TCP reset), as a client that crashed.</summary>
	public void Abort()
	{
		_aborted = true;
		_socket.LingerState = new LingerOption(true, 0);
		_socket.Close();
	}

	bool _aborted;

	public async ValueTask DisposeAsync()
	{
		if (!_aborted)
		{
			try
			{
				await _stream.DisposeAsync();
			}
			catch (IOException)
			{
			}
		}

		_socket.Dispose();
	}

	public sealed record Message(char Type, byte[] Body)
	{
		public int Int32At(int offset) => BinaryPrimitives.ReadInt32BigEndian(Body.AsSpan(offset));

		public string CStringAt(int offset, out int next)
		{
			var end = Array.IndexOf(Body, (byte)0, offset);
			next = end + 1;
			return Encoding.UTF8.GetString(Body, offset, end - offset);
		}

		/// <summary>CommandComplete tag.</summary>
		public string Tag => CStringAt(0, out _);

		/// <summary>ErrorResponse/NoticeResponse fields.</summary>
		public Dictionary<char, string> Fields
		{
			get
			{
				var fields = new Dictionary<char, string>();
				var offset = 0;
				while (Body[offset] != 0)
				{
					var code = (char)Body[offset];
					fields[code] = CStringAt(offset + 1, out offset);
				}

				return fields;
			}
		}

		/// <summary>DataRow values as text.</summary>
		public List<string?> Values
		{
			get
			{
				var values = new List<string?>();
				var count = BinaryPrimitives.ReadInt16BigEndian(Body);
				var offset = 2;
				for (var k = 0; k < count; k++)
				{
					var length = Int32At(offset);
					offset += 4;
					values.Add(length < 0 ? null : Encoding.UTF8.GetString(Body, offset, length));
					if (length > 0)
						offset += length;
				}

				return values;
			}
		}

		/// <summary>RowDescription column names.</summary>
		public List<string> Columns
		{
			get
			{
				var names = new List<string>();
				var count = BinaryPrimitives.ReadInt16BigEndian(Body);
				var offset = 2;
				for (var k = 0; k < count; k++)
				{
					names.Add(CStringAt(offset, out offset));
					offset += 18;
				}

				return names;
			}
		}

		public override string ToString() => Type switch
		{
			'C' => $"C({Tag})",
			'E' or 'N' => $"{Type}({Fields.GetValueOrDefault('C')}: {Fields.GetValueOrDefault('M')})",
			'D' => $"D({string.Join(",", Values)})",
			'Z' => $"Z({(char)Body[0]})",
			_ => Type.ToString(),
		};
	}
}
