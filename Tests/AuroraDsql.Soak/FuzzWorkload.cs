using AuroraDsql.Local.Tests.Infrastructure;
using AuroraDsql.Local.Tests.Protocol;

namespace AuroraDsql.Soak;

/// <summary>A fuzzing client (<see cref="ProtocolFuzzer"/>): sessions of random protocol traffic, and malformed logins.</summary>
sealed class FuzzWorkload(SoakContext context)
{
	public const string ApplicationName = "soak-fuzz";

	long _sessions;
	long _logins;
	long _errors;
	long _internal;

	public long Sessions => Interlocked.Read(ref _sessions);

	public async Task RunAsync(CancellationToken stop)
	{
		var random = new Random(context.Seed + 200);
		while (!stop.IsCancellationRequested)
		{
			var client = await RawPgClient.OpenSocketAsync(context.Endpoint.Port);
			await using (client)
			{
				try
				{
					await client.StartTlsAsync(context.Endpoint, direct: random.Next(2) == 0);
					if (random.Next(4) == 0)
					{
						await client.SendAsync(ProtocolFuzzer.StartupPacket(random));
						if (random.Next(2) == 0)
							await client.SendAsync(ProtocolFuzzer.PasswordMessage(random, context.Endpoint));
						await client.IsClosedAsync(TimeSpan.FromSeconds(5));
						Interlocked.Increment(ref _logins);
						continue;
					}

					var login = await client.LoginAsync("admin", context.Endpoint.GenerateToken(), extra: ("application_name", ApplicationName));
					if (login[^1].Type != 'Z')
						throw new InvalidOperationException("login failed: " + login[^1]);
					Interlocked.Increment(ref _sessions);

					for (var batch = random.Next(1, 4); batch > 0; batch--)
					{
						await client.SendAsync(ProtocolFuzzer.Batch(random));
						var (errors, alive) = await ProtocolFuzzer.ReadAnswersAsync(client, TimeSpan.FromSeconds(5));
						Interlocked.Add(ref _errors, errors.Count);
						foreach (var error in errors.Where(ProtocolFuzzer.IsInternalError))
						{
							Interlocked.Increment(ref _internal);
							context.Unexpected.Enqueue("fuzz: " + error);
						}

						if (!alive)
							break;
					}
				}
				catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or InvalidOperationException or System.Net.Sockets.SocketException)
				{
					// the endpoint closed the connection: an allowed answer to nonsense
				}
				catch (Exception ex)
				{
					context.Fail("fuzz", ex);
				}
			}
		}
	}

	public List<string> Check() =>
		[$"{(Interlocked.Read(ref _internal) == 0 ? "ok  " : "FAIL")} fuzzing: {Sessions:N0} sessions and {Interlocked.Read(ref _logins):N0} malformed logins, " +
			$"{Interlocked.Read(ref _errors):N0} protocol errors answered, internal errors: {Interlocked.Read(ref _internal)}"];
}
