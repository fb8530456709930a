using System.Net;
using System.Net.Sockets;
using AuroraDsql.Local.Proxy;

namespace AuroraDsql.Local.Tests.Protocol;

/// <summary>The client connection's stream: a zero-byte read returns at once instead of waiting for data.</summary>
public sealed class ClientSocketStreamTests
{
	[Test]
	public void AZeroByteReadReturnsWithoutWaitingForData()
	{
		var (client, server) = ConnectedPair();
		using var peer = client;
		// A read that waited would fail the test after this long instead of hanging it.
		server.ReceiveTimeout = 5_000;
		using var stream = new ClientSocketStream(server);

		// Nothing has been sent: a plain NetworkStream would block here (a one-byte MSG_PEEK) until data arrives.
		stream.Read(Span<byte>.Empty).Should().Be(0);
		stream.Read([], 0, 0).Should().Be(0);

		peer.Send("abc"u8);
		var buffer = new byte[8];
		var read = 0;
		while (read < 3)
			read += stream.Read(buffer.AsSpan(read));

		buffer.AsSpan(0, read).ToArray().Should().Equal("abc"u8.ToArray());
	}

	[Test]
	public void AReadAfterThePeerClosedReportsTheEnd()
	{
		var (client, server) = ConnectedPair();
		server.ReceiveTimeout = 5_000;
		using var stream = new ClientSocketStream(server);

		client.Shutdown(SocketShutdown.Send);
		client.Dispose();

		stream.Read(new byte[4]).Should().Be(0);
	}

	static (Socket Client, Socket Server) ConnectedPair()
	{
		using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
		listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
		listener.Listen(1);

		var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
		client.Connect(listener.LocalEndPoint!);
		return (client, listener.Accept());
	}
}
