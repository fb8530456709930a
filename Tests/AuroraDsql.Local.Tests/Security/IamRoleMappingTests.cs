using AuroraDsql.Local.Security;

using Npgsql;

namespace AuroraDsql.Local.Tests.Security;

/// <summary>
/// DSQL's mapping of IAM identities to custom roles through real Npgsql: <c>AWS IAM GRANT role TO 'arn'</c>,
/// <c>AWS IAM REVOKE role FROM 'arn'</c>, the view <c>sys.iam_pg_role_mappings</c>, and the login rule that a DbConnect
/// token logs in as a custom role only when the identity that signed it is mapped to the role.
/// </summary>
public sealed class IamRoleMappingTests
{
	static LocalDsqlEndpoint Endpoint => EndpointFixture.Endpoint;

	static string Arn => Endpoint.IdentityArn;

	static async Task<string> CreateRoleAsync(NpgsqlConnection admin)
	{
		var role = EndpointFixture.UniqueName("mapped");
		await EndpointFixture.ExecuteAsync(admin, $"CREATE ROLE {role} WITH LOGIN");
		return role;
	}

	static async Task<PostgresException> FailsAsync(NpgsqlConnection connection, string sql)
	{
		var act = () => EndpointFixture.ExecuteAsync(connection, sql);
		return (await act.Should().ThrowAsync<PostgresException>()).Which;
	}

	static async Task<PostgresException> LoginFailsAsync(string role)
	{
		var act = () => EndpointFixture.OpenAsync(role, configure: b => b.IncludeErrorDetail = true);
		return (await act.Should().ThrowAsync<PostgresException>()).Which;
	}

	[Test]
	public void TheLocalCredentialsComeFromADocumentedLocalIdentity()
	{
		LocalDsqlCredential.Default.IdentityArn.Should().Be("arn:aws:iam::111122223333:user/aurora-dsql-local");
		Endpoint.IdentityArn.Should().Be(LocalDsqlCredential.DefaultIdentityArn);
		(LocalDsqlCredential.Default with { IdentityArn = "arn:aws:iam::123456789012:role/app" }).ToString()
			.Should().Contain("arn:aws:iam::123456789012:role/app").And.NotContain(LocalDsqlCredential.DefaultSecretAccessKey);
	}

	[Test]
	public void TheVerifierReportsTheIdentityOfTheCredentialThatSignedTheToken()
	{
		var credential = new LocalDsqlCredential("AKIDLOCALTEST", "secret-key-for-test") { IdentityArn = "arn:aws:iam::123456789012:role/app" };
		var verifier = new IamTokenVerifier([LocalDsqlCredential.Default, credential], "us-east-1", TimeSpan.FromMinutes(5));
		var token = AuroraDsql.Signing.SigV4QuerySigner.CreateToken("localhost", "us-east-1", "DbConnect", credential.AccessKeyId, credential.SecretAccessKey,
			null, DateTimeOffset.UtcNow, 900);

		var verification = verifier.Verify(token, "app", ["localhost"]);

		verification.Succeeded.Should().BeTrue();
		verification.IdentityArn.Should().Be("arn:aws:iam::123456789012:role/app");
	}

	[Test]
	public async Task AnUnmappedCustomRoleIsRefusedAtLoginWithoutTheToken()
	{
		await using var admin = await EndpointFixture.OpenAsync();
		var role = await CreateRoleAsync(admin);

		var error = await LoginFailsAsync(role);

		error.SqlState.Should().Be("28P01");
		error.Severity.Should().Be("FATAL");
		error.MessageText.Should().Be($"IAM authentication failed for user \"{role}\"");
		error.Detail.Should().Be($"IAM identity \"{Arn}\" is not mapped to role \"{role}\".");
		error.Hint.Should().Be($"As admin: AWS IAM GRANT \"{role}\" TO '{Arn}';");
		error.ToString().Should().NotContainAny("X-Amz-Signature", "X-Amz-Credential", Endpoint.SecretAccessKey);
	}

	[Test]
	public async Task AMappedCustomRoleLogsInAndTheViewListsTheMapping()
	{
		await using var admin = await EndpointFixture.OpenAsync();
		var role = await CreateRoleAsync(admin);

		(await EndpointFixture.ExecuteAsync(admin, $"AWS IAM GRANT {role} TO '{Arn}'")).Should().Be(-1);

		await using (var command = new NpgsqlCommand(
			"SELECT arn, pg_role_name::text, pg_role_oid = (SELECT oid FROM pg_roles WHERE rolname = @role), grantor_pg_role_name::text, " +
			"grantor_pg_role_oid = (SELECT oid FROM pg_roles WHERE rolname = 'admin'), iam_oid IS NOT NULL FROM sys.iam_pg_role_mappings WHERE pg_role_name = @role", admin))
		{
			command.Parameters.AddWithValue("role", role);
			await using var reader = await command.ExecuteReaderAsync();
			(await reader.ReadAsync()).Should().BeTrue();
			reader.GetString(0).Should().Be(Arn);
			reader.GetString(1).Should().Be(role);
			reader.GetBoolean(2).Should().BeTrue();
			reader.GetString(3).Should().Be("admin");
			reader.GetBoolean(4).Should().BeTrue();
			reader.GetBoolean(5).Should().BeTrue();
			(await reader.ReadAsync()).Should().BeFalse();
		}

		// Granting again changes nothing.
		await EndpointFixture.ExecuteAsync(admin, $"AWS IAM GRANT {role} TO '{Arn}'");
		(await EndpointFixture.ScalarAsync(admin, $"SELECT count(*) FROM sys.iam_pg_role_mappings WHERE pg_role_name = '{role}'")).Should().Be(1L);

		await using var connection = await EndpointFixture.OpenAsync(role);
		(await EndpointFixture.ScalarAsync(connection, "SELECT current_user")).Should().Be(role);
		(await EndpointFixture.ScalarAsync(connection, $"SELECT count(*) FROM sys.iam_pg_role_mappings WHERE pg_role_name = '{role}'")).Should().Be(1L);
	}

	[Test]
	public async Task ARevokeRefusesNewConnectionsAndLeavesOpenOnesAlone()
	{
		await using var admin = await EndpointFixture.OpenAsync();
		var role = await CreateRoleAsync(admin);
		await EndpointFixture.ExecuteAsync(admin, $"AWS IAM GRANT {role} TO '{Arn}'");
		await using var open = await EndpointFixture.OpenAsync(role);

		await EndpointFixture.ExecuteAsync(admin, $"AWS IAM REVOKE {role} FROM '{Arn}'");

		(await EndpointFixture.ScalarAsync(admin, $"SELECT count(*) FROM sys.iam_pg_role_mappings WHERE pg_role_name = '{role}'")).Should().Be(0L);
		(await LoginFailsAsync(role)).SqlState.Should().Be("28P01");
		(await EndpointFixture.ScalarAsync(open, "SELECT current_user")).Should().Be(role, "the token only authenticates the connect");

		var again = await FailsAsync(admin, $"AWS IAM REVOKE {role} FROM '{Arn}'");
		again.SqlState.Should().Be("42704");
		again.MessageText.Should().Be($"IAM identity \"{Arn}\" is not mapped to role \"{role}\"");
	}

	[Test]
	public async Task MappingsAreChangedOnlyByAdmin()
	{
		await using var admin = await EndpointFixture.OpenAsync();
		var role = await CreateRoleAsync(admin);
		await EndpointFixture.ExecuteAsync(admin, $"GRANT admin TO {role}");
		await EndpointFixture.ExecuteAsync(admin, $"AWS IAM GRANT {role} TO '{Arn}'");
		await using var connection = await EndpointFixture.OpenAsync(role);

		foreach (var sql in new[]
		{
			$"AWS IAM GRANT {role} TO 'arn:aws:iam::123456789012:role/other'",
			$"AWS IAM REVOKE {role} FROM '{Arn}'",
			$"CALL sys.aws_iam_grant('{role}', 'arn:aws:iam::123456789012:role/other')",
		})
		{
			var error = await FailsAsync(connection, sql);
			error.SqlState.Should().Be("42501", sql);
			error.MessageText.Should().Be("permission denied to change IAM role mappings", sql);
		}

		// The view is read-only; what stands behind it is not readable.
		(await FailsAsync(admin, $"DELETE FROM sys.iam_pg_role_mappings WHERE pg_role_name = '{role}'")).SqlState.Should().Be("55000");
		(await FailsAsync(admin, "INSERT INTO sys.iam_pg_role_mappings (arn) VALUES ('x')")).SqlState.Should().Be("55000");
		(await FailsAsync(admin, "SELECT * FROM sys.iam_role_mapping_store")).SqlState.Should().Be("42501");

		(await EndpointFixture.ScalarAsync(admin, $"SELECT count(*) FROM sys.iam_pg_role_mappings WHERE pg_role_name = '{role}'")).Should().Be(1L);
	}

	[TestCase("AWS IAM GRANT {0} TO 'arn:aws:iam::1234:role/short-account'", "22023", "invalid IAM ARN: \"arn:aws:iam::1234:role/short-account\"")]
	[TestCase("AWS IAM GRANT {0} TO 'arn:aws:s3:::bucket'", "22023", "invalid IAM ARN: \"arn:aws:s3:::bucket\"")]
	[TestCase("AWS IAM GRANT {0} TO ''", "22023", "invalid IAM ARN: \"\"")]
	[TestCase("AWS IAM GRANT no_such_role_x TO 'arn:aws:iam::111122223333:role/example'", "42704", "role \"no_such_role_x\" does not exist")]
	[TestCase("AWS IAM GRANT admin TO 'arn:aws:iam::111122223333:role/example'", "42501", "permission denied to map IAM identities to role \"admin\"")]
	[TestCase("AWS IAM GRANT {0} 'arn:aws:iam::111122223333:role/example'", "42601", "syntax error at or near \"'arn:aws:iam::111122223333:role/example'\"")]
	[TestCase("AWS IAM GRANT {0} TO", "42601", "syntax error at end of input")]
	[TestCase("AWS IAM ALTER {0}", "42601", "syntax error at or near \"ALTER\"")]
	public async Task BadMappingStatementsAreRefusedWithAClearError(string template, string sqlState, string message)
	{
		await using var admin = await EndpointFixture.OpenAsync();
		var role = await CreateRoleAsync(admin);
		var sql = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, role);

		var error = await FailsAsync(admin, sql);

		error.SqlState.Should().Be(sqlState);
		error.MessageText.Should().Be(message);
		(await EndpointFixture.ScalarAsync(admin, $"SELECT count(*) FROM sys.iam_pg_role_mappings WHERE pg_role_name = '{role}'")).Should().Be(0L);
	}

	[Test]
	public async Task AnArnWithAPathAndAQuotedRoleNameAreAccepted()
	{
		await using var admin = await EndpointFixture.OpenAsync();
		var role = EndpointFixture.UniqueName("Quoted");
		await EndpointFixture.ExecuteAsync(admin, $"CREATE ROLE \"{role}\" WITH LOGIN");

		await EndpointFixture.ExecuteAsync(admin, $"AWS IAM GRANT \"{role}\" TO 'arn:aws-us-gov:iam::123456789012:role/service/app-role'");

		(await EndpointFixture.ScalarAsync(admin, $"SELECT arn FROM sys.iam_pg_role_mappings WHERE pg_role_name = '{role}'"))
			.Should().Be("arn:aws-us-gov:iam::123456789012:role/service/app-role");
	}

	[Test]
	public async Task DroppingARoleDropsItsMappings()
	{
		await using var admin = await EndpointFixture.OpenAsync();
		var role = await CreateRoleAsync(admin);
		await EndpointFixture.ExecuteAsync(admin, $"AWS IAM GRANT {role} TO '{Arn}'");

		await EndpointFixture.ExecuteAsync(admin, $"DROP ROLE {role}");
		await using var backend = await EndpointFixture.OpenBackendAsync();
		(await EndpointFixture.ScalarAsync(backend, $"SELECT count(*) FROM sys.iam_role_mapping_store WHERE arn = '{Arn}' AND pg_role_oid NOT IN (SELECT oid FROM pg_roles)"))
			.Should().Be(0L);

		await EndpointFixture.ExecuteAsync(admin, $"CREATE ROLE {role} WITH LOGIN");
		(await LoginFailsAsync(role)).SqlState.Should().Be("28P01", "a role of the same name is a new role, without the old one's mappings");
	}

	[Test]
	public async Task AdminNeedsNoMapping()
	{
		await using var connection = await EndpointFixture.OpenAsync();
		(await EndpointFixture.ScalarAsync(connection, "SELECT count(*) FROM sys.iam_pg_role_mappings WHERE pg_role_name = 'admin'")).Should().Be(0L);
		(await EndpointFixture.ScalarAsync(connection, "SELECT current_user")).Should().Be("admin");
	}
}
