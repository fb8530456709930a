namespace AuroraDsql.Local.Tests.Protocol;

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

			try
			{
				await client.SendAsync(ProtocolFuzzer.Batch(random));
				var (errors, _) = await ProtocolFuzzer.ReadAnswersAsync(client, TimeSpan.FromSeconds(10));

				// PostgreSQL's errors (and the endpoint's DSQL ones), never the endpoint's own failure.
				errors.Should().NotContain(e => ProtocolFuzzer.IsInternalError(e));
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

				await client.SendAsync(ProtocolFuzzer.StartupPacket(random));
				if (random.Next(2) == 0)
					await client.SendAsync(ProtocolFuzzer.PasswordMessage(random, _endpoint));

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

	async Task AssertHealthyAndEmptyAsync()
	{
		// Still serving.
		await using (var connection = await EndpointFixture.OpenAsync(endpoint: _endpoint))
			(await EndpointFixture.ScalarAsync(connection, "SELECT 'still here'")).Should().Be("still here");

		// Nothing left behind: no connection, no backend session of the fuzzing clients.
		long backendSessions = -1;
		await Eventually.UntilAsync(async () =>
		{
			await using (var backend = await EndpointFixture.OpenBackendAsync(_endpoint))
				backendSessions = (long)(await EndpointFixture.ScalarAsync(backend, $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{ApplicationName}'"))!;
			return backendSessions == 0 && _endpoint.OpenConnections == 0;
		}, "the fuzzing clients' connections and backend sessions to end");

		backendSessions.Should().Be(0);
		_endpoint.OpenConnections.Should().Be(0);
		_log.ToString().Should().NotContain("internal error");
	}
}
