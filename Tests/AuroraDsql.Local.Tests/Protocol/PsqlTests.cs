using System.Diagnostics;

namespace AuroraDsql.Local.Tests.Protocol;

/// <summary>The psql program against the endpoint (verify-full with the written CA, token as PGPASSWORD).</summary>
public sealed class PsqlTests
{
	static LocalDsqlEndpoint Endpoint => EndpointFixture.Endpoint;

	static string? FindPsql()
	{
		var fromEnvironment = Environment.GetEnvironmentVariable("AURORA_DSQL_PG_BIN");
		var candidates = new List<string>();
		if (!string.IsNullOrEmpty(fromEnvironment))
			candidates.Add(Path.Combine(fromEnvironment, "psql"));
		if (Directory.Exists("/usr/lib/postgresql"))
			candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin", "psql")));
		candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "psql")));
		return candidates.FirstOrDefault(File.Exists);
	}

	static async Task<(int ExitCode, string Output, string Error)> RunPsqlAsync(string sslMode, string? password, string? stdin, params string[] arguments)
	{
		var psql = FindPsql();
		if (psql is null)
			Assert.Ignore("psql is not installed");

		var start = new ProcessStartInfo(psql!)
		{
			RedirectStandardOutput = true,
			RedirectStandardError = true,
			RedirectStandardInput = true,
			UseShellExecute = false,
		};
		start.ArgumentList.Add($"host=localhost port={Endpoint.Port} dbname=postgres user=admin sslmode={sslMode} sslrootcert={Endpoint.CaCertificatePath}");
		start.ArgumentList.Add("--no-psqlrc");
		start.ArgumentList.Add("-v");
		start.ArgumentList.Add("ON_ERROR_STOP=1");
		foreach (var argument in arguments)
			start.ArgumentList.Add(argument);
		start.Environment["PGPASSWORD"] = password ?? Endpoint.GenerateToken();
		start.Environment["PGCONNECT_TIMEOUT"] = "10";

		using var process = Process.Start(start)!;
		if (stdin != null)
			await process.StandardInput.WriteAsync(stdin);
		process.StandardInput.Close();
		var output = process.StandardOutput.ReadToEndAsync();
		var error = process.StandardError.ReadToEndAsync();
		using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
		await process.WaitForExitAsync(timeout.Token);
		return (process.ExitCode, await output, await error);
	}

	[Test]
	public async Task PsqlRunsQueriesWithVerifyFull()
	{
		var (exitCode, output, error) = await RunPsqlAsync("verify-full", null, null, "-At", "-c", "SELECT version()", "-c", "SHOW server_version", "-c", "SELECT current_user");
		error.Should().BeEmpty();
		exitCode.Should().Be(0);
		output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal("PostgreSQL 16", "16.15", "admin");
	}

	[Test]
	public async Task PsqlCopiesBothWaysAndBuildsIndexes()
	{
		var table = EndpointFixture.UniqueName("psql");
		var script =
			$"CREATE TABLE {table} (id int PRIMARY KEY, name text);\n" +
			$"\\copy {table} FROM STDIN\n1\tone\n2\ttwo\n3\tthree\n\\.\n" +
			$"CREATE INDEX ASYNC {table}_name ON {table} (name) \\gset job_\n" +
			"CALL sys.wait_for_job(:'job_job_id');\n" +
			$"\\copy (SELECT id, name FROM {table} ORDER BY id) TO STDOUT\n";
		var (exitCode, output, error) = await RunPsqlAsync("verify-full", null, script, "-At", "-q");
		error.Should().BeEmpty();
		exitCode.Should().Be(0);
		output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal("t", "1\tone", "2\ttwo", "3\tthree");
	}

	[Test]
	public async Task PsqlWithoutTlsIsRefused()
	{
		var (exitCode, _, error) = await RunPsqlAsync("disable", null, null, "-c", "SELECT 1");
		exitCode.Should().NotBe(0);
		error.Should().Contain("TLS is required");
	}

	[Test]
	public async Task PsqlWithAWrongTokenIsRefused()
	{
		var (exitCode, _, error) = await RunPsqlAsync("verify-full", "localhost/?Action=DbConnectAdmin", null, "-c", "SELECT 1");
		exitCode.Should().NotBe(0);
		error.Should().Contain("IAM authentication failed for user \"admin\"");
	}
}
