using AuroraDsql.Local.Tests.Infrastructure;
using AuroraDsql.Local.Tests.Protocol;

namespace AuroraDsql.Soak;

/// <summary>
/// Clients that go away at the worst moments, by a TCP reset: while pipelining queries whose answers they never read,
/// holding a hot counter's row in an open transaction, and in the middle of the TLS handshake.
/// </summary>
sealed class DisconnectWorkload(SoakContext context)
{
	public const string ApplicationName = "soak-disconnects";

	long _disconnects;

	public long Disconnects => Interlocked.Read(ref _disconnects);

	static readonly byte[] Pipelined =
		RawPgClient.Build('Q', RawPgClient.CString("SELECT repeat('x', 100000) FROM generate_series(1, 20) -- " + new string('p', 64 * 1024)));

	public async Task RunAsync(CancellationToken stop)
	{
		var random = new Random(context.Seed + 100);
		while (!stop.IsCancellationRequested)
		{
			RawPgClient? client = null;
			try
			{
				client = await RawPgClient.OpenSocketAsync(context.Endpoint.Port);
				switch (random.Next(3))
				{
					case 0:
						await LoginAsync(client);
						for (var k = 0; k < 40; k++)
						{
							var send = client.SendAsync(Pipelined);
							if (await Task.WhenAny(send, Task.Delay(200, CancellationToken.None)) != send)
								break;
							await send;
						}

						break;
					case 1:
						await LoginAsync(client);
						await client.QueryAsync("BEGIN");
						await client.QueryAsync($"UPDATE soak_counters SET v = v + 1000000 WHERE id = {random.Next(4)}");
						await Task.Delay(random.Next(50, 300), CancellationToken.None);
						break;
					default:
						await client.SendAsync(RawPgClient.SslRequest());
						break;
				}
			}
			catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
			{
				// the endpoint ended the session first (a conflict, the write timeout): fine for a client about to vanish
			}
			catch (Exception ex)
			{
				context.Fail("disconnects", ex);
			}
			finally
			{
				if (client != null)
				{
					client.Abort();
					await client.DisposeAsync();
					Interlocked.Increment(ref _disconnects);
				}
			}

			await Task.Delay(random.Next(100, 400), CancellationToken.None);
		}
	}

	async Task LoginAsync(RawPgClient client)
	{
		await client.StartTlsAsync(context.Endpoint, direct: false);
		var messages = await client.LoginAsync("admin", context.Endpoint.GenerateToken(), extra: ("application_name", ApplicationName));
		if (messages[^1].Type != 'Z')
			throw new InvalidOperationException("login failed: " + messages[^1]);
	}
}
