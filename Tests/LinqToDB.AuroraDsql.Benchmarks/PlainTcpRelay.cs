using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace LinqToDB.AuroraDsql.Benchmarks;

/// <summary>
/// A relay that does nothing but copy bytes between a client and a TCP port on 127.0.0.1: two blocking threads per
/// connection, no TLS, no parsing. It is the floor of what any proxy costs on the machine (the two extra hops and their
/// thread wake-ups), against which the endpoint's own work can be told apart.
/// </summary>
sealed class PlainTcpRelay : IDisposable
{
	readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
	readonly ConcurrentBag<Socket> _sockets = [];
	readonly int _targetPort;

	public PlainTcpRelay(int targetPort)
	{
		_targetPort = targetPort;
		_listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
		_listener.Listen(128);
		new Thread(Accept) { IsBackground = true, Name = "relay-accept" }.Start();
	}

	public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

	void Accept()
	{
		try
		{
			while (true)
			{
				var client = _listener.Accept();
				var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
				client.NoDelay = true;
				target.Connect(IPAddress.Loopback, _targetPort);
				_sockets.Add(client);
				_sockets.Add(target);
				new Thread(() => Pump(client, target)) { IsBackground = true, Name = "relay-up" }.Start();
				new Thread(() => Pump(target, client)) { IsBackground = true, Name = "relay-down" }.Start();
			}
		}
		catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
		{
			// disposed
		}
	}

	static void Pump(Socket from, Socket to)
	{
		var buffer = new byte[64 * 1024];
		try
		{
			int read;
			while ((read = from.Receive(buffer)) > 0)
				to.Send(buffer.AsSpan(0, read));
		}
		catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
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
		foreach (var socket in _sockets)
			socket.Dispose();
	}
}
