using System.Net.Sockets;
using AuroraDsql.Signing;
using Npgsql;

namespace AuroraDsql.Local.Tests.Security;

/// <summary>TLS, startup answers and IAM authentication, with Npgsql and the raw protocol.</summary>
public sealed class ConnectionTests
{
	static LocalDsqlEndpoint Endpoint => EndpointFixture.Endpoint;

	[TestCase(SslNegotiation.Postgres)]
	[TestCase(SslNegotiation.Direct)]
	public async Task NpgsqlConnectsWithVerifyFullInBothNegotiationModes(SslNegotiation negotiation)
	{
		await using var connection = await EndpointFixture.OpenAsync(configure: b => b.SslNegotiation = negotiation);
		await using var command = new NpgsqlCommand("SELECT current_user, version(), current_setting('TimeZone'), current_setting('transaction_isolation')", connection);
		await using var reader = await command.ExecuteReaderAsync();
		(await reader.ReadAsync()).Should().BeTrue();
		reader.GetString(0).Should().Be("admin");
		reader.GetString(1).Should().Be("PostgreSQL 16");
		reader.GetString(2).Should().Be("UTC");
		reader.GetString(3).Should().Be("repeatable read");
		connection.PostgreSqlVersion.Major.Should().Be(16);
		connection.ServerVersion.Should().StartWith("16.");
	}

	[Test]
	public async Task ServerVersionParameterAndShowReport16()
	{
		var (client, messages) = await RawPgClient.ConnectAsync(Endpoint);
		await using var _ = client;
		client.Parameters["server_version"].Should().Be("16.15");
		client.Parameters["TimeZone"].Should().Be("UTC");
		messages.Should().Contain(m => m.Type == 'K');
		client.ProcessId.Should().BePositive();

		var setting = await client.QueryAsync("SELECT current_setting('server_version'), current_setting('server_version_num')::int");
		setting.Select(m => m.ToString()).Should().Contain("D(16.15,160015)");

		var show = await client.QueryAsync("SHOW server_version");
		show.Select(m => m.ToString()).Should().Equal("T", "D(16.15)", "C(SHOW)", "Z(I)");
		show[0].Columns.Should().Equal("server_version");
	}

	[Test]
	public async Task DirectTlsNegotiatesAlpnPostgreSql()
	{
		var (client, messages) = await RawPgClient.ConnectAsync(Endpoint, directTls: true);
		await using var _ = client;
		client.Ssl!.NegotiatedApplicationProtocol.ToString().Should().Be("postgresql");
		messages.Last().Type.Should().Be('Z');
	}

	[Test]
	public async Task PlaintextStartupIsRefused()
	{
		await using var client = await RawPgClient.OpenSocketAsync(Endpoint.Port);
		await client.SendStartupAsync("admin");
		var error = await client.ReadAsync();
		error.Type.Should().Be('E');
		error.Fields['S'].Should().Be("FATAL");
		error.Fields['C'].Should().Be("28000");
		error.Fields['M'].Should().Contain("TLS");
		(await client.IsClosedAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();
	}

	[Test]
	public async Task NpgsqlWithoutTlsIsRefused()
	{
		var builder = new NpgsqlConnectionStringBuilder(Endpoint.CreateConnectionString()) { SslMode = SslMode.Disable, Pooling = false };
		await using var connection = new NpgsqlConnection(builder.ConnectionString);
		var act = () => connection.OpenAsync();
		(await act.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("28000");
	}

	[Test]
	public async Task GssencRequestIsDeclinedThenTlsWorks()
	{
		await using var client = await RawPgClient.OpenSocketAsync(Endpoint.Port);
		await client.SendAsync(RawPgClient.GssEncRequest());
		(await client.ReadByteAsync()).Should().Be('N');
		await client.StartTlsAsync(Endpoint, direct: false);
		var messages = await client.LoginAsync("admin", Endpoint.GenerateToken());
		messages.Last().Type.Should().Be('Z');
	}

	[Test]
	public async Task NewerProtocolMinorVersionsAreNegotiatedDown()
	{
		await using var client = await RawPgClient.OpenSocketAsync(Endpoint.Port);
		await client.StartTlsAsync(Endpoint, direct: false);
		var messages = await client.LoginAsync("admin", Endpoint.GenerateToken(), 196610, ("_pq_.test_option", "x"));
		messages[0].Type.Should().Be('v');
		messages[0].Int32At(0).Should().Be(0);
		messages[0].Int32At(4).Should().Be(1);
		messages.Last().Type.Should().Be('Z');
	}

	[Test]
	public async Task WrongTokenIsRefusedWithDsqlMessage()
	{
		var (client, messages) = await RawPgClient.ConnectAsync(Endpoint, password: "not-a-token");
		await using var _ = client;
		var error = messages.Last();
		error.Type.Should().Be('E');
		error.Fields['C'].Should().Be("28P01");
		error.Fields['M'].Should().Be("IAM authentication failed for user \"admin\"");
		error.Fields['M'].Should().NotContain("not-a-token");
	}

	[Test]
	public async Task TokenSignedWithAnotherSecretIsRefused()
	{
		var token = SigV4QuerySigner.CreateToken("localhost", "us-east-1", "DbConnectAdmin", Endpoint.AccessKeyId, "wrong-secret", null, DateTimeOffset.UtcNow, 900);
		await AssertRefusedAsync(token, "admin", "28P01", "IAM authentication failed for user \"admin\"");
	}

	[Test]
	public async Task ExpiredTokenIsRefused()
	{
		var token = SigV4QuerySigner.CreateToken("localhost", "us-east-1", "DbConnectAdmin", Endpoint.AccessKeyId, Endpoint.SecretAccessKey, null,
			DateTimeOffset.UtcNow.AddHours(-1), 900);
		await AssertRefusedAsync(token, "admin", "28P01", "IAM authentication failed for user \"admin\"");
	}

	[Test]
	public async Task TokenForAnotherRegionOrHostIsRefused()
	{
		var otherRegion = SigV4QuerySigner.CreateToken("localhost", "eu-west-1", "DbConnectAdmin", Endpoint.AccessKeyId, Endpoint.SecretAccessKey, null, DateTimeOffset.UtcNow, 900);
		await AssertRefusedAsync(otherRegion, "admin", "28P01", "IAM authentication failed for user \"admin\"");

		var otherHost = SigV4QuerySigner.CreateToken("abc.dsql.us-east-1.on.aws", "us-east-1", "DbConnectAdmin", Endpoint.AccessKeyId, Endpoint.SecretAccessKey, null, DateTimeOffset.UtcNow, 900);
		await AssertRefusedAsync(otherHost, "admin", "28P01", "IAM authentication failed for user \"admin\"");
	}

	[Test]
	public async Task TokensForLoopbackNamesAreAccepted()
	{
		foreach (var host in new[] { "localhost", "127.0.0.1" })
		{
			var token = SigV4QuerySigner.CreateToken(host, "us-east-1", "DbConnectAdmin", Endpoint.AccessKeyId, Endpoint.SecretAccessKey, null, DateTimeOffset.UtcNow, 900);
			var (client, messages) = await RawPgClient.ConnectAsync(Endpoint, password: token);
			await using var _ = client;
			messages.Last().Type.Should().Be('Z', host);
		}
	}

	[Test]
	public async Task RoleActionMismatchIsRefused()
	{
		var role = EndpointFixture.UniqueName("reader");
		await using (var admin = await EndpointFixture.OpenAsync())
		{
			await using (var create = new NpgsqlCommand($"CREATE ROLE {role} LOGIN", admin))
				await create.ExecuteNonQueryAsync();
			await TestEndpoint.GrantIdentityAsync(admin, role);
		}

		// admin signed for DbConnect
		var adminWithConnect = SigV4QuerySigner.CreateToken("localhost", "us-east-1", "DbConnect", Endpoint.AccessKeyId, Endpoint.SecretAccessKey, null, DateTimeOffset.UtcNow, 900);
		await AssertRefusedAsync(adminWithConnect, "admin", "28000", "Wrong user to action mapping. user: admin, action: DbConnect");

		// another role signed for DbConnectAdmin
		await AssertRefusedAsync(Endpoint.GenerateToken("admin"), role, "28000", $"Wrong user to action mapping. user: {role}, action: DbConnectAdmin");

		// the right pairing works
		await using var connection = await EndpointFixture.OpenAsync(role);
		await using var command = new NpgsqlCommand("SELECT current_user", connection);
		(await command.ExecuteScalarAsync()).Should().Be(role);
	}

	[Test]
	public async Task UnknownRoleWithValidTokenGetsTheBackendError()
	{
		var (client, messages) = await RawPgClient.ConnectAsync(Endpoint, user: "nobody_here");
		await using var _ = client;
		messages.Last().Fields['C'].Should().Be("28000");
		messages.Last().Fields['M'].Should().Contain("nobody_here");
	}

	[Test]
	public async Task ManyConcurrentConnections()
	{
		const int count = 200;
		var connections = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
		{
			var connection = await EndpointFixture.OpenAsync();
			return connection;
		}));

		try
		{
			var results = await Task.WhenAll(connections.Select(async (c, i) =>
			{
				await using var command = new NpgsqlCommand("SELECT @i::int + 1", c);
				command.Parameters.AddWithValue("i", i);
				return (int)(await command.ExecuteScalarAsync())!;
			}));
			results.Should().Equal(Enumerable.Range(1, count));
		}
		finally
		{
			foreach (var connection in connections)
				await connection.DisposeAsync();
		}
	}

	[Test]
	public async Task EndpointListensOnLoopbackOnly()
	{
		Endpoint.Host.Should().Be("127.0.0.1");
		var addresses = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
			.SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)
			.Where(a => a.AddressFamily == AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a)).ToList();

		foreach (var address in addresses)
		{
			using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
			var act = () => socket.ConnectAsync(address, Endpoint.Port);
			await act.Should().ThrowAsync<SocketException>();
		}
	}

	static async Task AssertRefusedAsync(string token, string role, string sqlState, string message)
	{
		var builder = new NpgsqlConnectionStringBuilder(Endpoint.CreateConnectionString(role)) { Password = token, Pooling = false };
		await using var connection = new NpgsqlConnection(builder.ConnectionString);
		var act = () => connection.OpenAsync();
		var error = (await act.Should().ThrowAsync<PostgresException>()).Which;
		error.SqlState.Should().Be(sqlState);
		error.MessageText.Should().Be(message);
		error.Severity.Should().Be("FATAL");
	}
}
