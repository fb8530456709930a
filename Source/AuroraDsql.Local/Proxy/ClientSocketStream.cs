using System.Net.Sockets;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// The client connection's stream under TLS. <see cref="System.Net.Security.SslStream"/> waits for data with a zero-byte
/// read before each record when its buffer is empty; on a blocking socket that is a one-byte <c>MSG_PEEK</c> receive
/// followed by the real one. The relay thread blocks in the real read anyway, so a zero-byte read returns at once and
/// every client message costs one receive call instead of two.
/// </summary>
sealed class ClientSocketStream(Socket socket) : NetworkStream(socket, ownsSocket: true)
{
	public override int Read(Span<byte> buffer) => buffer.IsEmpty ? 0 : base.Read(buffer);

	public override int Read(byte[] buffer, int offset, int count) => count == 0 ? 0 : base.Read(buffer, offset, count);
}
