using System.Buffers;
using System.Net.Sockets;
using Npgsql;

namespace AuroraDsql.Local.Tests.Security;

/// <summary>
/// What a client can make the endpoint hold: messages before login no longer than a token needs, messages after it no
/// longer than PostgreSQL allows, large buffers given back, sessions torn down from either side (a client that pipelines
/// and vanishes, or stops reading), a deadline for the whole login and a bound on connections logging in. An endpoint of
/// their own with short timeouts, so that the tests wait seconds, not minutes.
/// </summary>
[NonParallelizable]
public sealed class ResourceBoundTests
{
	LocalDsqlEndpoint _endpoint = null!;
	readonly StringWriter _log = new();

	[OneTimeSetUp]
	public async Task StartAsync() => _endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
	{
		WriteTimeout     = TimeSpan.FromSeconds(2),
		LoginTimeout     = TimeSpan.FromSeconds(2),
		MaxPendingLogins = 4,
		Log              = _log,
	});

	[OneTimeTearDown]
	public async Task StopAsync()
	{
		await _endpoint.DisposeAsync();
		_log.Dispose();
	}

	/// <summary>The backend sessions with this application_name (the endpoint's clients' sessions carry it).</summary>
	async Task<long> BackendSessionsAsync(string applicationName)
	{
		await using var backend = await EndpointFixture.OpenBackendAsync(_endpoint);
		return (long)(await EndpointFixture.ScalarAsync(backend, $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{applicationName}'"))!;
	}

	/// <summary>Polls <paramref name="condition"/> until it holds (true) or the safety limit passes (false: the test fails on it).</summary>
	static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
	{
		try
		{
			await Eventually.UntilAsync(condition, "a condition");
			return true;
		}
		catch (TimeoutException)
		{
			return false;
		}
	}

	/// <summary>A query with a large answer (10 MB) and a long text (256 KiB of comment).</summary>
	static byte[] PaddedQuery() =>
		RawPgClient.Build('Q', RawPgClient.CString("SELECT repeat('x', 1000000) FROM generate_series(1, 10) -- " + new string('p', 256 * 1024)));

	static async Task<RawPgClient> StartLoginAsync(LocalDsqlEndpoint endpoint)
	{
		var client = await RawPgClient.OpenSocketAsync(endpoint.Port);
		await client.StartTlsAsync(endpoint, direct: false);
		await client.SendStartupAsync("admin");
		var request = await client.ReadAsync();
		request.Type.Should().Be('R');
		return client;
	}

	[Test]
	public async Task APasswordMessageLongerThanATokenIsRefusedBeforeItIsBuffered()
	{
		var client = await StartLoginAsync(_endpoint);
		await using var _ = client;

		// A header claiming 1 GiB − 2 bytes (PostgreSQL's maximum), then some of it (in one write: all of it is read before
		// the answer, so the connection closes without a reset that could drop the answer).
		await client.SendAsync([(byte)'p', 0x3F, 0xFF, 0xFF, 0xFE, .. new byte[1024]]);

		var error = await client.ReadAsync().WithSafetyLimit("an answer");
		error.ToString().Should().Be("E(08P01: invalid message length 1073741822 for message type 'p')");
		(await client.IsClosedAsync(Eventually.SafetyLimit)).Should().BeTrue();
	}

	[Test]
	public async Task AClaimOfExactlyOneGibibyteIsAnInvalidLength()
	{
		var (client, _) = await RawPgClient.ConnectAsync(_endpoint);
		await using var __ = client;

		await client.SendAsync([(byte)'Q', 0x40, 0x00, 0x00, 0x00], new byte[1024]);
		var error = await client.ReadAsync().WithSafetyLimit("an answer");
		error.ToString().Should().Be("E(08P01: invalid message length 1073741824 for message type 'Q')");
		error.Fields['S'].Should().Be("FATAL");
	}

	[Test]
	public async Task AfterLoginMessagesAreHeldToPostgresLimits()
	{
		var (client, _) = await RawPgClient.ConnectAsync(_endpoint);
		await using var __ = client;

		// A Sync carries nothing: PostgreSQL allows such messages 10,000 bytes.
		await client.SendAsync(RawPgClient.Build('S', new byte[20_000]));
		var error = await client.ReadAsync().WithSafetyLimit("an answer");
		error.ToString().Should().Be("E(08P01: invalid message length 20004 for message type 'S')");
		(await client.IsClosedAsync(Eventually.SafetyLimit)).Should().BeTrue();
	}

	[Test]
	public async Task ABindWhoseParameterRunsPastTheMessageIsAProtocolViolation()
	{
		var (client, _) = await RawPgClient.ConnectAsync(_endpoint);
		await using var __ = client;

		await client.SendAsync(RawPgClient.Parse("CALL sys.wait_for_job($1)", "wait"), RawPgClient.Sync());
		await client.ReadUntilReadyAsync();

		// one text parameter that claims 1,000 bytes and has 3
		var bind = RawPgClient.Build('B', RawPgClient.CString(""), RawPgClient.CString("wait"), RawPgClient.BigEndian16(0), RawPgClient.BigEndian16(1),
			RawPgClient.BigEndian(1000), "abc"u8.ToArray(), RawPgClient.BigEndian16(0));
		await client.SendAsync(bind, RawPgClient.Execute(), RawPgClient.Sync());
		var messages = await client.ReadUntilReadyAsync().WithSafetyLimit("an answer");

		messages.Should().ContainSingle(m => m.Type == 'E').Which.Fields['C'].Should().Be("08P01");
		(await client.QueryAsync("SELECT 1")).Select(m => m.ToString()).Should().Equal("T", "D(1)", "C(SELECT 1)", "Z(I)");
	}

	[TestCase('C')]
	[TestCase('P')]
	[TestCase('B')]
	[TestCase('E')]
	public async Task AMessageWithoutTheFieldsItsTypeNeedsIsAProtocolViolation(char type)
	{
		var (client, _) = await RawPgClient.ConnectAsync(_endpoint);
		await using var __ = client;

		// A named statement makes the endpoint read Binds and Closes (it tracks prepared statements), a portal its Executes.
		await client.SendAsync(RawPgClient.Parse("SELECT 1", "named"), RawPgClient.Bind("p", "named"), RawPgClient.Sync());
		await client.ReadUntilReadyAsync();

		await client.SendAsync(RawPgClient.Build(type), RawPgClient.Sync());
		var messages = new List<RawPgClient.Message>();
		try
		{
			while (messages.Count == 0 || messages[^1].Type is not ('Z' or 'E'))
				messages.Add(await client.ReadAsync().WithSafetyLimit("an answer"));
		}
		catch (EndOfStreamException)
		{
		}

		var error = messages.Should().ContainSingle(m => m.Type == 'E').Which;
		error.Fields['C'].Should().Be("08P01");
	}

	[Test]
	public async Task APipeliningClientThatVanishesLeavesNoSession()
	{
		for (var round = 0; round < 3; round++)
		{
			var name = EndpointFixture.UniqueName("vanish");
			var client = await RawPgClient.OpenSocketAsync(_endpoint.Port);
			await client.StartTlsAsync(_endpoint, direct: false);
			await client.LoginAsync("admin", _endpoint.GenerateToken(), extra: ("application_name", name));

			// Queries whose answers fill every buffer on the way back, never read, and whose text fills every buffer on the way
			// there (so the endpoint ends up blocked writing to a backend that is blocked writing to it); then the client is
			// gone (reset).
			var query = PaddedQuery();
			for (var k = 0; k < 400; k++)
			{
				try
				{
					await client.SendAsync(query).WaitAsync(TimeSpan.FromSeconds(2));
				}
				catch (TimeoutException)
				{
					break; // the endpoint no longer reads: it is blocked writing to the backend
				}
			}

			client.Abort();
			await client.DisposeAsync();

			(await EventuallyAsync(async () => await BackendSessionsAsync(name) == 0))
				.Should().BeTrue("the backend session of a client that is gone ends");
		}

		(await EventuallyAsync(() => Task.FromResult(_endpoint.OpenConnections == 0))).Should().BeTrue();
	}

	[Test]
	public async Task AClientThatStopsReadingIsDisconnectedAfterTheWriteTimeout()
	{
		var name = EndpointFixture.UniqueName("stalled");
		var client = await RawPgClient.OpenSocketAsync(_endpoint.Port);
		await using var _ = client;
		await client.StartTlsAsync(_endpoint, direct: false);
		await client.LoginAsync("admin", _endpoint.GenerateToken(), extra: ("application_name", name));

		var query = PaddedQuery();
		for (var k = 0; k < 400; k++)
		{
			try
			{
				await client.SendAsync(query).WaitAsync(TimeSpan.FromSeconds(2));
			}
			catch (TimeoutException)
			{
				break;
			}
		}

		// The client stays connected and reads nothing: the endpoint's writes make no progress, so it ends the session.
		(await EventuallyAsync(async () => await BackendSessionsAsync(name) == 0)).Should().BeTrue();
	}

	[Test]
	public async Task AClientThatDripsBytesIsDisconnectedAtTheLoginDeadline()
	{
		var client = await RawPgClient.OpenSocketAsync(_endpoint.Port);
		await using var _ = client;
		await client.StartTlsAsync(_endpoint, direct: false);

		// A startup packet of 1,000 bytes, a byte at a time: each read gets something well within any per-read timeout.
		await client.SendAsync([0, 0, 0x03, 0xE8]);
		var closed = false;
		for (var k = 0; k < 100 && !closed; k++)
		{
			try
			{
				await client.SendAsync([0]);
				closed = await client.IsClosedAsync(TimeSpan.FromMilliseconds(200));
			}
			catch (IOException)
			{
				closed = true;
			}
		}

		closed.Should().BeTrue("a login has a deadline in all (2 s here), not only per read");
	}

	[Test]
	public async Task ConnectionsLoggingInAreBounded()
	{
		// An endpoint of its own, whose logins wait long: the connections below stay pending until the test closes them.
		await using var endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
		{
			LoginTimeout     = Eventually.SafetyLimit,
			MaxPendingLogins = 4,
		});
		var idle = new List<Socket>();
		try
		{
			for (var k = 0; k < 4; k++)
			{
				var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
				await socket.ConnectAsync("127.0.0.1", endpoint.Port);
				idle.Add(socket);
			}

			(await EventuallyAsync(() => Task.FromResult(endpoint.PendingLogins == 4))).Should().BeTrue();

			// One more: refused at once (DSQL's answer to too many new connections), without waiting for its login.
			var refused = await RawPgClient.OpenSocketAsync(endpoint.Port);
			await using (refused)
			{
				var answer = await refused.ReadAsync().WithSafetyLimit("an answer");
				answer.ToString().Should().Be("E(53400: Unable to accept connection, rate exceeded.)");
			}
		}
		finally
		{
			foreach (var socket in idle)
				socket.Dispose();
		}

		(await EventuallyAsync(() => Task.FromResult(endpoint.PendingLogins == 0))).Should().BeTrue();
		await using var connection = await EndpointFixture.OpenAsync(endpoint: endpoint);
		(await EndpointFixture.ScalarAsync(connection, "SELECT 1")).Should().Be(1);
	}

	[Test]
	public async Task WhatAClientSendsCannotForgeALogLine()
	{
		const string Forged = "12:34:56.789 session 42: role \"admin\" connected";
		var user = "evil\n" + Forged;
		var (client, messages) = await RawPgClient.ConnectAsync(_endpoint, user: user, password: "not-a-token");
		await using (client)
			messages.Last().Type.Should().Be('E');

		var log = _log.ToString();
		log.Split('\n').Should().NotContain(line => line.StartsWith(Forged, StringComparison.Ordinal));
		log.Should().Contain("refused login of role \"evil\\n12:34:56.789 session 42: role \\\"admin\\\" connected\"");
	}

	[Test]
	public void LargeBuffersAreNotKeptInTheSharedPool()
	{
		const int Large = 8 * 1024 * 1024;
		using (var buffer = new Local.Protocol.MessageBuffer())
		{
			var message = new byte[Large];
			message[0] = (byte)'d';
			System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), Large - 1);
			using var stream = new MemoryStream([.. message, (byte)'S', 0, 0, 0, 4]);
			while (!buffer.TryReadMessage(out _, out _))
				buffer.Fill(stream).Should().BeTrue();
			while (!buffer.TryReadMessage(out _, out _))
				buffer.Fill(stream).Should().BeTrue();
			buffer.Fill(stream).Should().BeFalse();
			buffer.Capacity.Should().BeLessThanOrEqualTo(64 * 1024, "back to a small buffer after the large message");
		}

		// Had the large buffer gone back to the shared pool, renting its size again (on this thread) would allocate nothing.
		var before = GC.GetAllocatedBytesForCurrentThread();
		var rented = ArrayPool<byte>.Shared.Rent(Large);
		(GC.GetAllocatedBytesForCurrentThread() - before).Should().BeGreaterThanOrEqualTo(Large);
		rented.Length.Should().BeGreaterThanOrEqualTo(Large);
	}

	[TestCase(1 << 30, (1L << 30) + 1)]
	[TestCase(1 << 30, long.MaxValue)]
	[TestCase(int.MaxValue / 2 + 1, long.MaxValue)]
	[TestCase(16 * 1024, long.MaxValue)]
	public void TheGrowthOfABufferNeverOverflows(int current, long limit)
	{
		var next = Local.Protocol.MessageBuffer.NextCapacity(current, limit);
		next.Should().BeGreaterThan(0);
		next.Should().BeLessThanOrEqualTo(Array.MaxLength);
		next.Should().BeGreaterThanOrEqualTo((int)Math.Min(limit, Math.Min(2L * current, Array.MaxLength)));
	}
}
