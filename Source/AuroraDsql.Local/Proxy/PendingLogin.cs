using System.Net.Sockets;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// A connection until its login ends: it holds a place among the connections logging in (given back once, by
/// <see cref="Finish"/> or at the deadline), and its socket is shut down when it is still logging in at the deadline. A
/// timeout per read alone would let a client that sends a byte now and then stay forever.
/// </summary>
sealed class PendingLogin : IDisposable
{
	readonly Socket _socket;
	readonly Action _release;
	readonly Action _timedOut;
	readonly Timer _deadline;
	int _state; // 0 logging in, 1 logged in or gone, 2 timed out

	public PendingLogin(Socket socket, TimeSpan timeout, Action release, Action timedOut)
	{
		_socket   = socket;
		_release  = release;
		_timedOut = timedOut;
		_deadline = new Timer(static state => ((PendingLogin)state!).Expire(), this, timeout, Timeout.InfiniteTimeSpan);
	}

	/// <summary>The login is over (the session runs, or the connection ends): the deadline no longer applies.</summary>
	public void Finish()
	{
		if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
			_release();
		_deadline.Dispose();
	}

	void Expire()
	{
		if (Interlocked.CompareExchange(ref _state, 2, 0) != 0)
			return;

		_release();
		_timedOut();
		try
		{
			_socket.Shutdown(SocketShutdown.Both);
		}
		catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
		{
		}
	}

	public void Dispose() => Finish();
}
