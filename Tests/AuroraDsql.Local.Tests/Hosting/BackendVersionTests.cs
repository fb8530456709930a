using AuroraDsql.Local.Backend;
using Npgsql;
using static AuroraDsql.Local.Tests.EndpointFixture;

namespace AuroraDsql.Local.Tests.Hosting;

/// <summary>
/// DSQL is PostgreSQL 16: the endpoint looks for PostgreSQL 16 server programs first, reports DSQL's version, answers
/// settings as 16 does, and says at start what differs when it has to run on another major version.
/// </summary>
public sealed class BackendVersionTests
{
	const string PostgreSql15 = "/usr/lib/postgresql/15/bin";

	[Test]
	public void TheSharedEndpointRunsOnPostgreSql16()
	{
		Endpoint.BackendServerVersion.Should().StartWith("16.", "PostgreSQL 16 is installed (bash Build/install-postgres16.sh) and found first");
		Endpoint.BackendCompatibilityWarning.Should().BeNull();
	}

	[Test]
	public async Task CurrentSettingOfTheVersionKeepsItsColumnName()
	{
		await using var connection = await OpenAsync();
		await using var command = new NpgsqlCommand(
			"SELECT current_setting('server_version'), pg_catalog.current_setting('server_version_num', true)::int AS num", connection);
		await using var reader = await command.ExecuteReaderAsync();
		(await reader.ReadAsync()).Should().BeTrue();
		reader.GetName(0).Should().Be("current_setting");
		reader.GetString(0).Should().Be("16.15");
		reader.GetName(1).Should().Be("num");
		reader.GetInt32(1).Should().Be(160015);
	}

	[TestCase("SHOW lc_collate", "lc_collate")]
	[TestCase("SHOW lc_ctype", "lc_ctype")]
	public async Task SettingsPostgreSql16RemovedAreUnknown(string sql, string name)
	{
		await using var connection = await OpenAsync();
		await using var command = new NpgsqlCommand(sql, connection);
		var error = (await FluentActions.Awaiting(() => command.ExecuteScalarAsync()).Should().ThrowAsync<PostgresException>()).Which;
		error.SqlState.Should().Be("42704");
		error.MessageText.Should().Be($"unrecognized configuration parameter \"{name}\"");
	}

	[Test]
	public async Task TheReportedVersionIsAnOption()
	{
		await using var endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
		{
			BackendConnectionString = Endpoint.BackendConnectionString,
			ServerVersion           = "16.13",
		});
		await using var connection = await OpenAsync(endpoint: endpoint);
		connection.ServerVersion.Should().Be("16.13");
		(await ScalarAsync(connection, "SHOW server_version_num")).Should().Be("160013");
		await FluentActions.Awaiting(() => LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { ServerVersion = "15.8" }))
			.Should().ThrowAsync<ArgumentException>().WithMessage("*PostgreSQL 16*");
	}

	[Test]
	public async Task OnPostgreSql15TheEndpointSaysWhatDiffersAndStillAnswersAs16()
	{
		if (PostgresBinaries.Probe(PostgreSql15) is not { MajorVersion: 15 })
			Assert.Ignore("PostgreSQL 15 is not installed in " + PostgreSql15);

		var log = new StringWriter();
		await using var endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { PostgresBinDirectory = PostgreSql15, Log = log });

		endpoint.BackendServerVersion.Should().StartWith("15.");
		endpoint.BackendCompatibilityWarning.Should().Contain("not 16 like DSQL").And.Contain("STORAGE").And.Contain("install-postgres16.sh");
		log.ToString().Should().Contain("warning: " + endpoint.BackendCompatibilityWarning);

		await using var connection = await OpenAsync(endpoint: endpoint);
		connection.ServerVersion.Should().Be("16.15");
		await using var command = new NpgsqlCommand("SHOW lc_collate", connection);
		(await FluentActions.Awaiting(() => command.ExecuteScalarAsync()).Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("42704");
	}

	[Test]
	public void TheSearchTakesPostgreSql16BeforeOtherVersions()
	{
		var root = Directory.CreateTempSubdirectory("pgbin-").FullName;
		try
		{
			var v15 = FakeInstallation(root, "15", "postgres (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)");
			var v16 = FakeInstallation(root, "16", "postgres (PostgreSQL) 16.14");
			var v17 = FakeInstallation(root, "17", "postgres (PostgreSQL) 17.2");
			var empty = Directory.CreateDirectory(Path.Combine(root, "empty")).FullName;

			PostgresBinaries.Choose([empty, v17, v15, v16]).Should().Be(new PostgresInstallation(v16, 16, "16.14"));
			PostgresBinaries.Choose([v17, v15]).Should().Be(new PostgresInstallation(v17, 17, "17.2"));
			PostgresBinaries.Choose([empty]).Should().BeNull();
			PostgresBinaries.Locate(v15).MajorVersion.Should().Be(15);
			FluentActions.Invoking(() => PostgresBinaries.Locate(empty)).Should().Throw<PostgresClusterException>()
				.WithMessage("*bash Build/install-postgres16.sh*AURORA_DSQL_PG_BIN*");
		}
		finally
		{
			Directory.Delete(root, recursive: true);
		}
	}

	[Test]
	public void TheInstallScriptsFoldersAreSearched()
	{
		PostgresBinaries.InstallDirectories().Should().Contain("/usr/local/lib/aurora-dsql-local/postgresql-16");
		PostgresBinaries.InstallDirectories().Should().Contain(d => d.EndsWith("/.cache/aurora-dsql-local/postgresql-16", StringComparison.Ordinal)
			|| d.EndsWith("/aurora-dsql-local/postgresql-16", StringComparison.Ordinal));
	}

	static string FakeInstallation(string root, string name, string versionLine)
	{
		var bin = Directory.CreateDirectory(Path.Combine(root, name, "bin")).FullName;
		foreach (var program in new[] { "initdb", "postgres" })
		{
			var path = Path.Combine(bin, program);
			File.WriteAllText(path, $"#!/bin/sh\necho '{versionLine}'\n");
			if (!OperatingSystem.IsWindows())
				File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
		}

		return bin;
	}
}
