using System.Text;

namespace AuroraDsql.Local.Tests;

/// <summary>
/// Fuzzing of the wire protocol with a fixed seed (so a failure can be replayed): malformed startup packets and password
/// messages before login; after login, batches of random, mutated and truncated messages of every type between valid
/// ones. Whatever a client sends, the endpoint answers with PostgreSQL's errors (or closes the connection with FATAL
/// 08P01), never with an internal error; it keeps serving other clients; and once the clients are gone it holds no
/// connection and no backend session.
/// </summary>
[NonParallelizable]
public sealed class ProtocolFuzzTests
{
	const int Seed = 20261207;
	const string ApplicationName = "protocol-fuzz";

	LocalDsqlEndpoint _endpoint = null!;
	readonly StringWriter _log = new();

	[OneTimeSetUp]
	public async Task StartAsync() => _endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
	{
		Log          = _log,
		LoginTimeout = TimeSpan.FromSeconds(3),
		WriteTimeout = TimeSpan.FromSeconds(5),
	});

	[OneTimeTearDown]
	public async Task StopAsync()
	{
		await _endpoint.DisposeAsync();
		_log.Dispose();
	}

	static readonly string[] Fragments =
	[
		"SELECT 1", "SELECT $1::int", "BEGIN", "COMMIT", "ROLLBACK", "TRUNCATE t", "SET client_encoding = 'SJIS'", "SELECT set_config('a.b', 'c', false)",
		"CREATE INDEX ASYNC ON t (a)", "CALL sys.wait_for_job('x')", "CALL sys.wait_for_job($1)", "SHOW server_version", "SELECT version()",
		"COPY t FROM STDIN", "COPY (SELECT 1) TO STDOUT", "'", "\"", "$$", "$a$", "E'\\", "/*", "--", ";", ";;", "U&'\\0041'", "\0", "SELECT 'é'",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'TRUNCATE t'", "GRANT pg_execute_server_program TO admin", "DO $$ BEGIN END $$",
		"SELECT pg_sleep(0)", "SELECT repeat('x', 100000)", "DISCARD ALL", "PREPARE p AS SELECT 1", "EXECUTE p", "DEALLOCATE p", "LISTEN c",
	];

	static readonly char[] MessageTypes = ['Q', 'P', 'B', 'D', 'E', 'C', 'S', 'H', 'F', 'd', 'c', 'f', 'p', 'X', 'Z', '\0', '\u00ff', 'A'];

	static byte[] RandomBytes(Random random, int max)
	{
		var bytes = new byte[random.Next(max + 1)];
		random.NextBytes(bytes);
		return bytes;
	}

	static string RandomSql(Random random)
	{
		var sql = new StringBuilder();
		for (var k = random.Next(1, 4); k > 0; k--)
			sql.Append(Fragments[random.Next(Fragments.Length)]).Append(random.Next(3) == 0 ? "; " : " ");
		return sql.ToString();
	}

	/// <summary>A message body of the type: well formed, with random values, or plain random bytes.</summary>
	static byte[] Body(Random random, char type)
	{
		if (random.Next(4) == 0)
			return RandomBytes(random, 64);

		return type switch
		{
			'Q' => RawPgClient.CString(RandomSql(random)),
			// (one statement half of the time: statements the endpoint plans for, such as CALL sys.wait_for_job($1), are parsed
			// again at their Bind)
			'P' => [.. RawPgClient.CString(random.Next(2) == 0 ? "" : "s" + random.Next(3)),
				.. RawPgClient.CString(random.Next(2) == 0 ? Fragments[random.Next(Fragments.Length)] : RandomSql(random)),
				.. RawPgClient.BigEndian16((short)random.Next(-1, 3)), .. RandomBytes(random, 8)],
			'B' => [.. RawPgClient.CString(""), .. RawPgClient.CString(random.Next(2) == 0 ? "" : "s" + random.Next(3)),
				.. RawPgClient.BigEndian16((short)random.Next(-1, 3)), .. RawPgClient.BigEndian16((short)random.Next(-1, 3)),
				.. RawPgClient.BigEndian(random.Next(-2, 2000)), .. RandomBytes(random, 16), .. RawPgClient.BigEndian16((short)random.Next(-1, 2))],
			'D' or 'C' => [(byte)(random.Next(3) switch { 0 => 'S', 1 => 'P', _ => random.Next(256) }), .. RawPgClient.CString("s" + random.Next(3))],
			'E' => [.. RawPgClient.CString(random.Next(2) == 0 ? "" : "p"), .. RawPgClient.BigEndian(random.Next(-1, 3))],
			'd' => RandomBytes(random, 200),
			'f' => RawPgClient.CString("fuzz"),
			_ => random.Next(2) == 0 ? [] : RandomBytes(random, 16),
		};
	}

	/// <summary>One message, its length field sometimes off by a little (shorter: the rest reads as the next message).</summary>
	static byte[] Message(Random random, char type, byte[] body)
	{
		var message = RawPgClient.Build(type, body);
		if (random.Next(12) == 0 && body.Length > 0)
			System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + random.Next(body.Length));
		return message;
	}

	[Test]
	public async Task RandomMessagesAfterLoginGetProtocolAnswersAndLeaveNothingBehind()
	{
		var random = new Random(Seed);
		var sessions = 0;

		for (var round = 0; round < 120; round++)
		{
			var client = await RawPgClient.OpenSocketAsync(_endpoint.Port);
			await using var _ = client;
			await client.StartTlsAsync(_endpoint, direct: false);
			var login = await client.LoginAsync("admin", _endpoint.GenerateToken(), extra: ("application_name", ApplicationName));
			login.Last().Type.Should().Be('Z');
			sessions++;

			var batch = new List<byte>();
			if (random.Next(3) == 0)
			{
				// A well-formed extended-protocol flow whose Bind lies about a parameter's length.
				var name = "s" + random.Next(3);
				var sql = random.Next(2) == 0 ? "CALL sys.wait_for_job($1)" : "SELECT $1::text";
				var data = RandomBytes(random, 20);
				batch.AddRange(RawPgClient.Parse(sql, name));
				batch.AddRange(RawPgClient.Build('B', RawPgClient.CString(""), RawPgClient.CString(name), RawPgClient.BigEndian16(0), RawPgClient.BigEndian16(1),
					RawPgClient.BigEndian(random.Next(-1, 100)), data, RawPgClient.BigEndian16(0)));
				batch.AddRange(RawPgClient.Execute());
			}

			for (var k = random.Next(1, 12); k > 0; k--)
			{
				var type = random.Next(3) == 0 ? MessageTypes[random.Next(MessageTypes.Length)] : "QPBEDSCH"[random.Next(8)];
				if (type == 'X')
					continue;
				batch.AddRange(Message(random, type, Body(random, type)));
			}

			// Then a Sync and a probe: a session that survived answers it.
			batch.AddRange(RawPgClient.Sync());
			batch.AddRange(RawPgClient.Build('Q', RawPgClient.CString("SELECT 'alive'")));
			try
			{
				await client.SendAsync([.. batch]);
				await ReadUntilProbeOrCloseAsync(client);
			}
			catch (IOException)
			{
				// the endpoint (or the backend) closed the connection: allowed, after a FATAL error
			}
		}

		sessions.Should().Be(120);
		await AssertHealthyAndEmptyAsync();
	}

	[Test]
	public async Task RandomStartupAndPasswordMessagesAreRefusedCleanly()
	{
		var random = new Random(Seed + 1);

		for (var round = 0; round < 60; round++)
		{
			var client = await RawPgClient.OpenSocketAsync(_endpoint.Port);
			await using var _ = client;
			try
			{
				await client.StartTlsAsync(_endpoint, direct: random.Next(2) == 0);

				var startup = new List<byte>();
				startup.AddRange(RawPgClient.BigEndian(random.Next(4) == 0 ? random.Next(0x30000) : 196608));
				for (var k = random.Next(0, 4); k > 0; k--)
				{
					var name = random.Next(3) switch { 0 => "user", 1 => "database", _ => Encoding.ASCII.GetString(RandomBytes(random, 8)).Replace('\0', 'x') };
					startup.AddRange(RawPgClient.CString(name));
					startup.AddRange(RawPgClient.CString(random.Next(2) == 0 ? "admin" : Encoding.UTF8.GetString(RandomBytes(random, 12)).Replace('\0', 'y')));
				}

				if (random.Next(5) != 0)
					startup.Add(0);
				var length = random.Next(6) == 0 ? random.Next(-10, 20_000) : startup.Count + 4;
				await client.SendAsync([.. RawPgClient.BigEndian(length), .. startup]);

				if (random.Next(2) == 0)
				{
					var type = random.Next(3) == 0 ? MessageTypes[random.Next(MessageTypes.Length)] : 'p';
					var body = random.Next(3) == 0 ? RawPgClient.CString(_endpoint.GenerateToken()) : RandomBytes(random, 300);
					await client.SendAsync(Message(random, type, body));
				}

				// Whatever came back, the connection ends (or is waiting for more): the login deadline bounds it.
				await client.IsClosedAsync(TimeSpan.FromSeconds(10));
			}
			catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or InvalidOperationException)
			{
				// closed during negotiation: allowed
			}
		}

		await AssertHealthyAndEmptyAsync();
	}

	static async Task ReadUntilProbeOrCloseAsync(RawPgClient client)
	{
		using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
		while (true)
		{
			RawPgClient.Message message;
			try
			{
				message = await client.ReadAsync().WaitAsync(timeout.Token);
			}
			catch (OperationCanceledException)
			{
				return; // a length field that claimed more than was sent is still waiting for bytes: the client gives up
			}
			catch (EndOfStreamException)
			{
				return;
			}

			if (message.Type == 'E')
			{
				// PostgreSQL's errors (and the endpoint's DSQL ones), never the endpoint's own failure.
				message.Fields.GetValueOrDefault('M').Should().NotBe("internal error in the local DSQL endpoint");
				if (message.Fields.GetValueOrDefault('S') == "FATAL")
					return;
			}

			if (message.Type == 'D' && message.Values is ["alive"])
				return;
		}
	}

	async Task AssertHealthyAndEmptyAsync()
	{
		// Still serving.
		await using (var connection = await EndpointFixture.OpenAsync(endpoint: _endpoint))
			(await EndpointFixture.ScalarAsync(connection, "SELECT 'still here'")).Should().Be("still here");

		// Nothing left behind: no connection, no backend session of the fuzzing clients.
		var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
		long backendSessions;
		while (true)
		{
			await using (var backend = await EndpointFixture.OpenBackendAsync(_endpoint))
				backendSessions = (long)(await EndpointFixture.ScalarAsync(backend, $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{ApplicationName}'"))!;
			if ((backendSessions == 0 && _endpoint.OpenConnections == 0) || DateTime.UtcNow > deadline)
				break;
			await Task.Delay(100);
		}

		backendSessions.Should().Be(0);
		_endpoint.OpenConnections.Should().Be(0);
		_log.ToString().Should().NotContain("internal error");
	}
}
