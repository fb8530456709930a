using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

using Npgsql;

namespace AuroraDsql.Local.Tests.Conformance;

/// <summary>
/// A loopback relay between Npgsql and the endpoint that notes the command tag of every CommandComplete the endpoint sends
/// (Npgsql keeps only the row count of a tag, and nothing of tags such as <c>CREATE TABLE</c> or a COMMIT answered with
/// <c>ROLLBACK</c>). It ends TLS from Npgsql with a certificate of its own, opens TLS to the endpoint as any client does,
/// and passes every byte on unchanged. Tags are kept per backend process id (from BackendKeyData), which Npgsql exposes
/// as <see cref="NpgsqlConnection.ProcessID"/>. A tag is noted before its message is passed on, so it is there when
/// Npgsql's command returns.
/// </summary>
sealed class CommandTagTap : IAsyncDisposable
{
	const int GssEncRequestCode = 80877104;

	readonly LocalDsqlEndpoint _endpoint;
	readonly TcpListener _listener;
	readonly X509Certificate2 _certificate;
	readonly CancellationTokenSource _stop = new();
	readonly ConcurrentDictionary<int, ConcurrentQueue<string>> _tags = new();
	readonly ConcurrentBag<Task> _relays = [];
	readonly Task _accepting;

	CommandTagTap(LocalDsqlEndpoint endpoint)
	{
		_endpoint = endpoint;
		_certificate = CreateCertificate();
		_listener = new TcpListener(IPAddress.Loopback, 0);
		_listener.Start();
		_accepting = AcceptAsync();
	}

	public static CommandTagTap Start(LocalDsqlEndpoint endpoint) => new(endpoint);

	/// <summary>A connection string for <paramref name="role"/> that reaches the endpoint through this relay.</summary>
	public string ConnectionString(string role = "admin") =>
		new NpgsqlConnectionStringBuilder(_endpoint.CreateConnectionString(role))
		{
			Host = "127.0.0.1",
			Port = ((IPEndPoint)_listener.LocalEndpoint).Port,
			SslMode = SslMode.Require,
			RootCertificate = null,
			Pooling = false,
		}.ConnectionString;

	/// <summary>The tags noted for the session of backend process <paramref name="processId"/> since the last call.</summary>
	public IReadOnlyList<string> TakeTags(int processId)
	{
		var queue = _tags.GetOrAdd(processId, _ => new ConcurrentQueue<string>());
		var tags = new List<string>();
		while (queue.TryDequeue(out var tag))
			tags.Add(tag);
		return tags;
	}

	async Task AcceptAsync()
	{
		while (!_stop.IsCancellationRequested)
		{
			TcpClient client;
			try
			{
				client = await _listener.AcceptTcpClientAsync(_stop.Token);
			}
			catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
			{
				return;
			}

			_relays.Add(RelayAsync(client));
		}
	}

	async Task RelayAsync(TcpClient client)
	{
		using var _ = client;
		try
		{
			var plain = client.GetStream();
			while (true)
			{
				var request = new byte[8];
				await plain.ReadExactlyAsync(request, _stop.Token);
				var code = BinaryPrimitives.ReadInt32BigEndian(request.AsSpan(4));
				if (code == RawPgClient.SslRequestCode)
					break;
				if (code != GssEncRequestCode)
					return;
				await plain.WriteAsync("N"u8.ToArray(), _stop.Token);
			}

			await plain.WriteAsync("S"u8.ToArray(), _stop.Token);
			await using var clientTls = new SslStream(plain, leaveInnerStreamOpen: false);
			await clientTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);

			var upstream = await RawPgClient.OpenSocketAsync(_endpoint.Port);
			await using var __ = upstream;
			await upstream.StartTlsAsync(_endpoint, direct: false);
			var server = upstream.Ssl!;

			var toServer = clientTls.CopyToAsync(server, _stop.Token);
			var toClient = CopyAnswersAsync(server, clientTls);
			await Task.WhenAny(toServer, toClient);
		}
		catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or AuthenticationException)
		{
			// a session that ends, or the relay stopping: nothing to pass on
		}
	}

	async Task CopyAnswersAsync(Stream server, Stream client)
	{
		ConcurrentQueue<string>? tags = null;
		var header = new byte[5];
		while (true)
		{
			await server.ReadExactlyAsync(header, _stop.Token);
			var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
			await server.ReadExactlyAsync(body, _stop.Token);

			switch ((char)header[0])
			{
				case 'K':
					tags = _tags.GetOrAdd(BinaryPrimitives.ReadInt32BigEndian(body), _ => new ConcurrentQueue<string>());
					break;
				case 'C':
					tags?.Enqueue(Encoding.UTF8.GetString(body, 0, Array.IndexOf(body, (byte)0)));
					break;
			}

			await client.WriteAsync(header, _stop.Token);
			await client.WriteAsync(body, _stop.Token);
			await client.FlushAsync(_stop.Token);
		}
	}

	static X509Certificate2 CreateCertificate()
	{
		using var key = RSA.Create(2048);
		var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
		using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
		return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
	}

	public async ValueTask DisposeAsync()
	{
		await _stop.CancelAsync();
		_listener.Stop();
		await _accepting;
		await Task.WhenAll(_relays);
		_certificate.Dispose();
		_stop.Dispose();
	}
}
