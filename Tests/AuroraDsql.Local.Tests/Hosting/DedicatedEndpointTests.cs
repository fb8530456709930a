using System.Net.Sockets;
using Npgsql;

namespace AuroraDsql.Local.Tests.Hosting;

/// <summary>Behaviour that needs an endpoint with other options: short maximum connection duration, no token clock
/// skew, delayed jobs, an external backend, shutdown.</summary>
public sealed class DedicatedEndpointTests
{
	[Test]
	public async Task SessionOutlivesItsTokenAndIsEndedAtTheMaximumDuration()
	{
		// the endpoint's clock (token expiry, connection duration) moves only when the test advances it
		var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
		await using var endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
		{
			MaxConnectionDuration = TimeSpan.FromSeconds(6),
			TokenClockSkew = TimeSpan.Zero,
			TimeProvider = clock,
		});

		var token = endpoint.GenerateToken(expiresIn: TimeSpan.FromSeconds(2));
		var (client, messages) = await RawPgClient.ConnectAsync(endpoint, password: token);
		await using var __ = client;
		messages.Last().Type.Should().Be('Z');

		clock.Advance(TimeSpan.FromSeconds(3));

		// the open session goes on after its token expired …
		(await client.QueryAsync("SELECT 1")).Select(m => m.ToString()).Should().Equal("T", "D(1)", "C(SELECT 1)", "Z(I)");

		// … but the token no longer opens sessions
		var (late, refused) = await RawPgClient.ConnectAsync(endpoint, password: token);
		await using (late)
			refused.Last().Fields['M'].Should().Be("IAM authentication failed for user \"admin\"");

		// at the limit the server sends a FATAL error and closes (the clock moves in small steps: the session's duration
		// counts from when it began relaying, just after its login was answered)
		var ending = client.ReadAsync();
		await Eventually.UntilAsync(() =>
		{
			clock.Advance(TimeSpan.FromMilliseconds(100));
			return ending.IsCompleted;
		}, "the FATAL error at the maximum connection duration");
		var end = await ending;
		end.Type.Should().Be('E');
		end.Fields['S'].Should().Be("FATAL");
		end.Fields['C'].Should().Be("57P01");
		end.Fields['M'].Should().Contain("maximum connection duration");
		(await client.IsClosedAsync(Eventually.SafetyLimit)).Should().BeTrue();

		// Npgsql sees the same error on its next command
		await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(endpoint.CreateConnectionString()) { Pooling = false }.ConnectionString);
		await connection.OpenAsync();
		await Eventually.UntilAsync(() =>
		{
			clock.Advance(TimeSpan.FromMilliseconds(100));
			return endpoint.OpenConnections == 0;
		}, "the endpoint to end the session at its maximum duration");
		var act = () => new NpgsqlCommand("SELECT 1", connection).ExecuteScalarAsync();
		var error = (await act.Should().ThrowAsync<NpgsqlException>()).Which;
		if (error is PostgresException postgres)
			postgres.SqlState.Should().Be("57P01");
		connection.State.Should().NotBe(System.Data.ConnectionState.Open);
	}

	[Test]
	public async Task DelayedJobsShowSubmittedAndProcessingAndEndTheEndpointCleanly()
	{
		// the job's phases (3 s submitted, 3 s processing) pass only when the test advances the endpoint's clock
		var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
		var endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { JobCompletionDelay = TimeSpan.FromSeconds(6), TimeProvider = clock });
		var caDirectory = Path.GetDirectoryName(endpoint.CaCertificatePath)!;
		RawPgClient? idle = null;

		try
		{
			await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(endpoint.CreateConnectionString()) { Pooling = false }.ConnectionString);
			await connection.OpenAsync();
			await using (var create = new NpgsqlCommand("CREATE TABLE t (a int)", connection))
				await create.ExecuteNonQueryAsync();
			await using (var fill = new NpgsqlCommand("INSERT INTO t VALUES (1), (2)", connection))
				await fill.ExecuteNonQueryAsync();

			string jobId;
			await using (var submit = new NpgsqlCommand("CREATE INDEX ASYNC t_a ON t (a)", connection))
				jobId = (string)(await submit.ExecuteScalarAsync())!;

			async Task<(string Status, bool? Valid)> StateAsync()
			{
				await using var command = new NpgsqlCommand(
					"SELECT j.status, (SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('t_a')) FROM sys.jobs j WHERE job_id = @id", connection);
				command.Parameters.AddWithValue("id", jobId);
				await using var reader = await command.ExecuteReaderAsync();
				await reader.ReadAsync();
				return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetBoolean(1));
			}

			(await StateAsync()).Should().Be(("submitted", false));

			// the clock moves in small steps (the worker may not have begun the job's first phase yet) until the status changes
			var state = await StateAsync();
			await Eventually.UntilAsync(async () =>
			{
				clock.Advance(TimeSpan.FromMilliseconds(100));
				state = await StateAsync();
				return state.Status != "submitted";
			}, "the job to leave status submitted");

			state.Should().Be(("processing", false));

			// the table stays usable while the index is built
			await using (var insert = new NpgsqlCommand("INSERT INTO t VALUES (3)", connection))
				(await insert.ExecuteNonQueryAsync()).Should().Be(1);

			// a wait can be cancelled, in both protocols
			await using (var other = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(endpoint.CreateConnectionString()) { Pooling = false }.ConnectionString))
			{
				await other.OpenAsync();
				await using var wait = new NpgsqlCommand("CALL sys.wait_for_job(@id)", other);
				wait.Parameters.AddWithValue("id", jobId);
				var waiting = wait.ExecuteScalarAsync();
				await Eventually.UntilAsync(() => endpoint.JobWaiters > 0, "the CALL to wait for the job");
				wait.Cancel();
				var cancelled = async () => await waiting;
				(await cancelled.Should().ThrowAsync<OperationCanceledException>()).WithInnerException<PostgresException>().Which.SqlState.Should().Be("57014");

				var (raw, _) = await RawPgClient.ConnectAsync(endpoint);
				await using (raw)
				{
					await raw.SendAsync(RawPgClient.Build('Q', RawPgClient.CString($"CALL sys.wait_for_job('{jobId}')")));
					await Eventually.UntilAsync(() => endpoint.JobWaiters > 0, "the CALL to wait for the job");
					await using (var cancel = await RawPgClient.OpenSocketAsync(endpoint.Port))
						await cancel.SendAsync(RawPgClient.CancelRequest(raw.ProcessId, raw.SecretKey));
					(await raw.ReadUntilReadyAsync()).Select(m => m.ToString()).Should().Equal("E(57014: canceling statement due to user request)", "Z(I)");
				}
			}

			await using (var wait = new NpgsqlCommand("CALL sys.wait_for_job(@id)", connection))
			{
				wait.Parameters.AddWithValue("id", jobId);
				var completing = wait.ExecuteScalarAsync();
				await Eventually.UntilAsync(() =>
				{
					clock.Advance(TimeSpan.FromMilliseconds(100));
					return completing.IsCompleted;
				}, "the job to complete");
				(await completing).Should().Be(true);
			}

			(await StateAsync()).Should().Be(("completed", true));

			(idle, _) = await RawPgClient.ConnectAsync(endpoint);
		}
		finally
		{
			await endpoint.DisposeAsync();
		}

		// shutdown: open sessions get 57P01, the port is closed, temporary files are gone
		var goodbye = await idle!.ReadAsync().WithSafetyLimit("the goodbye at shutdown");
		goodbye.Fields['C'].Should().Be("57P01");
		await idle.DisposeAsync();

		Directory.Exists(caDirectory).Should().BeFalse();
		using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
		var connect = () => socket.ConnectAsync("127.0.0.1", endpoint.Port);
		await connect.Should().ThrowAsync<SocketException>();
	}

	[Test]
	public async Task ExternalBackendWithScramAuthentication()
	{
		// An "existing server" reached over TCP with a password (SCRAM-SHA-256); a second endpoint shares it over its Unix
		// socket. (The endpoint's own clusters listen on their Unix socket only.)
		await using var cluster = await Backend.PostgresCluster.StartAsync(new Backend.PostgresClusterOptions
		{
			Settings = new Dictionary<string, string> { ["listen_addresses"] = "127.0.0.1" },
		});
		var password = "pw-" + Guid.NewGuid().ToString("N");
		await using (var backend = new NpgsqlConnection(cluster.SuperUserConnectionString))
		{
			await backend.OpenAsync();
			await using var command = new NpgsqlCommand($"ALTER ROLE postgres PASSWORD '{password}'", backend);
			await command.ExecuteNonQueryAsync();
		}

		var backendPort = cluster.Port;
		await using var shared = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
		{
			BackendConnectionString = $"Host={cluster.SocketDirectory};Port={cluster.Port};Username=postgres;Database=postgres",
		});

		var role = EndpointFixture.UniqueName("ext");
		await using (var admin = await EndpointFixture.OpenAsync(endpoint: shared))
		{
			await using (var create = new NpgsqlCommand($"CREATE ROLE {role} LOGIN", admin))
				await create.ExecuteNonQueryAsync();
			await TestEndpoint.GrantIdentityAsync(admin, role);
		}

		await using var endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
		{
			BackendConnectionString = $"Host=127.0.0.1;Port={backendPort};Username=postgres;Password={password};Database=postgres",
			HostName = "cluster.dsql.local",
			JobCompletionDelay = TimeSpan.FromSeconds(1.5),
		});

		endpoint.BackendConnectionString.Should().Contain("127.0.0.1");

		await using (var connection = await EndpointFixture.OpenAsync(endpoint: endpoint))
		await using (var command = new NpgsqlCommand("SELECT current_user || ' ' || session_user || ' ' || version()", connection))
			(await command.ExecuteScalarAsync()).Should().Be("admin admin PostgreSQL 16");

		await using (var connection = await EndpointFixture.OpenAsync(role, endpoint))
		await using (var command = new NpgsqlCommand("SELECT current_user", connection))
			(await command.ExecuteScalarAsync()).Should().Be(role);

		// async jobs run there too, as the submitting role, and exactly once although two endpoints share the backend:
		// the shared endpoint sees the submitted job as well, leaves it to its owner and follows it for its own waiters.
		await using (var connection = await EndpointFixture.OpenAsync(endpoint: endpoint))
		await using (var viaShared = await EndpointFixture.OpenAsync(endpoint: shared))
		{
			var table = EndpointFixture.UniqueName("ext_jobs");
			await using (var create = new NpgsqlCommand($"CREATE TABLE {table} (a int)", connection))
				await create.ExecuteNonQueryAsync();
			await using var submit = new NpgsqlCommand($"CREATE INDEX ASYNC ON {table} (a)", connection);
			var jobId = (string)(await submit.ExecuteScalarAsync())!;
			await using var wait = new NpgsqlCommand("CALL sys.wait_for_job(@id)", viaShared);
			wait.Parameters.AddWithValue("id", jobId);
			(await wait.ExecuteScalarAsync()).Should().Be(true);
			await using var details = new NpgsqlCommand("SELECT status || coalesce(details, '') FROM sys.jobs WHERE job_id = @id", connection);
			details.Parameters.AddWithValue("id", jobId);
			(await details.ExecuteScalarAsync()).Should().Be("completed");
			await using var owner = new NpgsqlCommand($"SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = '{table}_a_idx'", connection);
			(await owner.ExecuteScalarAsync()).Should().Be("admin");
		}

		var (client, messages) = await RawPgClient.ConnectAsync(endpoint, user: "no_such_role_x", password: endpoint.GenerateToken("no_such_role_x"));
		await using (client)
			messages.Last().Fields['C'].Should().Be("28000");
	}

	[Test]
	public async Task ConfiguredCredentialsAndHostNameAreUsed()
	{
		await using var endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
		{
			HostName = "abcdefghijklmnopqrstuvwxyz.dsql.eu-west-1.on.aws",
			Region = "eu-west-1",
			Credentials = [new LocalDsqlCredential("AKIDLOCALTEST", "local/secret+key")],
			CertificateDirectory = Path.Combine(Path.GetTempPath(), EndpointFixture.UniqueName("certs")),
		});

		try
		{
			endpoint.AccessKeyId.Should().Be("AKIDLOCALTEST");
			File.ReadAllText(endpoint.CaCertificatePath).Should().StartWith("-----BEGIN CERTIFICATE-----");

			// connect by the configured name (SNI and certificate SAN), token signed for it
			var builder = new NpgsqlConnectionStringBuilder(endpoint.CreateConnectionString())
			{
				Pooling = false,
				Host = "127.0.0.1",
			};
			await using var connection = new NpgsqlConnection(builder.ConnectionString);
			await connection.OpenAsync();
			await using var command = new NpgsqlCommand("SELECT 1", connection);
			(await command.ExecuteScalarAsync()).Should().Be(1);

			var (client, messages) = await RawPgClient.ConnectAsync(endpoint, sni: "abcdefghijklmnopqrstuvwxyz.dsql.eu-west-1.on.aws");
			await using (client)
				messages.Last().Type.Should().Be('Z');
		}
		finally
		{
			Directory.Delete(Path.GetDirectoryName(endpoint.CaCertificatePath)!, recursive: true);
		}
	}
}
