using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LinqToDB.AuroraDsql.Benchmarks;

/// <summary>
/// <see cref="PlainTcpRelay"/> with the client side under TLS, as the endpoint's: it answers the client's SSLRequest,
/// takes the TLS handshake (an ECDSA P-256 certificate, TLS 1.2/1.3, as the endpoint), then copies bytes between the TLS
/// stream and PostgreSQL's TCP port, two blocking threads per connection, without parsing anything. The floor of a proxy
/// that terminates TLS: against it the endpoint's own work is compared like for like.
/// </summary>
sealed class TlsTerminatingRelay : IDisposable
{
	readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
	readonly ConcurrentBag<IDisposable> _connections = [];
	readonly X509Certificate2 _certificate;
	readonly int _targetPort;

	public TlsTerminatingRelay(int targetPort)
	{
		_targetPort = targetPort;
		using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
		{
			var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
			using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
			// exported and loaded again: a certificate with an ephemeral key cannot serve TLS on every platform
			_certificate = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
		}

		_listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
		_listener.Listen(128);
		new Thread(Accept) { IsBackground = true, Name = "tls-relay-accept" }.Start();
	}

	public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

	void Accept()
	{
		try
		{
			while (true)
			{
				var client = _listener.Accept();
				_connections.Add(client);
				new Thread(() => Serve(client)) { IsBackground = true, Name = "tls-relay-up" }.Start();
			}
		}
		catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
		{
			// disposed
		}
	}

	void Serve(Socket client)
	{
		try
		{
			client.NoDelay = true;
			var stream = new ImmediateZeroByteReadStream(client);
			var request = new byte[8];
			stream.ReadExactly(request);
			if (BinaryPrimitives.ReadInt32BigEndian(request.AsSpan(4)) != 80877103) // SSLRequest
			{
				client.Dispose();
				return;
			}

			stream.Write("S"u8);
			var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
			_connections.Add(ssl);
			ssl.AuthenticateAsServer(new SslServerAuthenticationOptions
			{
				ServerCertificate         = _certificate,
				ApplicationProtocols      = [new SslApplicationProtocol("postgresql")],
				ClientCertificateRequired = false,
				EnabledSslProtocols       = SslProtocols.Tls12 | SslProtocols.Tls13,
			});

			var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
			_connections.Add(target);
			target.Connect(IPAddress.Loopback, _targetPort);

			var targetStream = new NetworkStream(target, ownsSocket: true);
			new Thread(() => Pump(targetStream, ssl)) { IsBackground = true, Name = "tls-relay-down" }.Start();
			Pump(ssl, targetStream);
		}
		catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException or AuthenticationException)
		{
			client.Dispose();
		}
	}

	/// <summary>Copies one direction until either side closes, then closes both.</summary>
	static void Pump(Stream from, Stream to)
	{
		var buffer = new byte[64 * 1024];
		try
		{
			int read;
			while ((read = from.Read(buffer)) > 0)
				to.Write(buffer.AsSpan(0, read));
		}
		catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
		{
			// either side closed
		}
		finally
		{
			to.Dispose();
			from.Dispose();
		}
	}

	public void Dispose()
	{
		_listener.Dispose();
		foreach (var connection in _connections)
			connection.Dispose();
		_certificate.Dispose();
	}

	/// <summary>
	/// As the endpoint's client stream: <see cref="SslStream"/>'s zero-byte read (a one-byte <c>MSG_PEEK</c> receive on a
	/// blocking socket) returns at once, so a record costs one receive call.
	/// </summary>
	sealed class ImmediateZeroByteReadStream(Socket socket) : NetworkStream(socket, ownsSocket: true)
	{
		public override int Read(Span<byte> buffer) => buffer.IsEmpty ? 0 : base.Read(buffer);

		public override int Read(byte[] buffer, int offset, int count) => count == 0 ? 0 : base.Read(buffer, offset, count);
	}
}
