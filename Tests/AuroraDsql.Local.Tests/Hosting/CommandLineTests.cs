using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace AuroraDsql.Local.Tests.Hosting;

/// <summary>The command-line program: help, ready line, a working endpoint, clean stop on SIGTERM; kept data.</summary>
public sealed partial class CommandLineTests
{
	static readonly string Program = Path.Combine(AppContext.BaseDirectory, "aurora-dsql-local.dll");

	[GeneratedRegex(@"^Aurora DSQL local endpoint ready: host=127\.0\.0\.1 port=(\d+) region=(\S+) ca=(\S+)$")]
	private static partial Regex ReadyLine();

	static Process Start(params string[] arguments)
	{
		var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
		start.ArgumentList.Add(Program);
		foreach (var argument in arguments)
			start.ArgumentList.Add(argument);
		return Process.Start(start)!;
	}

	[Test]
	public async Task HelpListsEveryOption()
	{
		using var process = Start("--help");
		var output = await process.StandardOutput.ReadToEndAsync();
		await process.WaitForExitAsync();
		foreach (var option in new[] { "--port", "--data-dir", "--host-name", "--region", "--access-key-id", "--secret-access-key", "--session-token",
			"--max-connection-duration", "--token-clock-skew", "--backend-connection-string", "--pg-bin", "--cert-dir", "--job-completion-delay",
			"--rules-as-of", "--max-rows-per-transaction", "--max-bytes-per-transaction", "--max-transaction-age", "--lock-timeout", "--conflicts-at-statement", "--allow-fault-injection", "--verbose", "token" })
			output.Should().Contain(option);
	}

	[Test]
	public async Task AMalformedRuleSetDateIsRefused()
	{
		using var process = Start("--rules-as-of", "26-08-2026");
		var error = await process.StandardError.ReadToEndAsync();
		await process.WaitForExitAsync();
		process.ExitCode.Should().Be(2);
		error.Should().Contain("--rules-as-of");
	}

	[Test]
	public async Task ProgramPrintsTheReadyLineServesAndStopsCleanly()
	{
		using var process = Start("--port", "0", "--region", "eu-central-1", "--max-connection-duration", "120");
		try
		{
			var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
			var match = ReadyLine().Match(line ?? "");
			match.Success.Should().BeTrue(line);
			match.Groups[2].Value.Should().Be("eu-central-1");
			var port = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
			var ca = match.Groups[3].Value;
			File.Exists(ca).Should().BeTrue();

			var next = await process.StandardOutput.ReadLineAsync();
			next.Should().Contain("admin");
			(await process.StandardOutput.ReadLineAsync()).Should().Contain(LocalDsqlCredential.DefaultAccessKeyId);

			// a token from the program's own token command
			using var tokenProcess = Start("token", "--region", "eu-central-1");
			var token = (await tokenProcess.StandardOutput.ReadToEndAsync()).Trim();
			await tokenProcess.WaitForExitAsync();
			token.Should().StartWith("localhost/?");

			var builder = new NpgsqlConnectionStringBuilder
			{
				Host = "localhost", Port = port, Username = "admin", Database = "postgres", Password = token,
				SslMode = SslMode.VerifyFull, RootCertificate = ca, Pooling = false,
			};
			await using (var connection = new NpgsqlConnection(builder.ConnectionString))
			{
				await connection.OpenAsync();
				await using var command = new NpgsqlCommand("SELECT version()", connection);
				(await command.ExecuteScalarAsync()).Should().Be("PostgreSQL 16");
			}

			using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
				await kill.WaitForExitAsync();

			using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
			await process.WaitForExitAsync(timeout.Token);
			process.ExitCode.Should().Be(0);
			File.Exists(ca).Should().BeFalse("the temporary certificate directory is deleted on exit");
		}
		finally
		{
			if (!process.HasExited)
				process.Kill(entireProcessTree: true);
		}
	}

	[Test]
	public async Task DataDirectoryAndCertificateDirectoryAreKeptBetweenRuns()
	{
		var root = Path.Combine(Path.GetTempPath(), EndpointFixture.UniqueName("kept"));
		var options = new LocalDsqlEndpointOptions { DataDirectory = Path.Combine(root, "data"), CertificateDirectory = Path.Combine(root, "certs") };

		try
		{
			string firstCa;
			await using (var endpoint = await LocalDsqlEndpoint.StartAsync(options))
			{
				firstCa = await File.ReadAllTextAsync(endpoint.CaCertificatePath);
				await using var connection = await EndpointFixture.OpenAsync(endpoint: endpoint);
				// one transaction each: DSQL does not mix DDL and DML
				await using var create = new NpgsqlCommand("CREATE TABLE kept (a int)", connection);
				await create.ExecuteNonQueryAsync();
				await using var command = new NpgsqlCommand("INSERT INTO kept VALUES (7)", connection);
				await command.ExecuteNonQueryAsync();
			}

			await using (var endpoint = await LocalDsqlEndpoint.StartAsync(options))
			{
				(await File.ReadAllTextAsync(endpoint.CaCertificatePath)).Should().Be(firstCa);
				await using var connection = await EndpointFixture.OpenAsync(endpoint: endpoint);
				await using var command = new NpgsqlCommand("SELECT a FROM kept", connection);
				(await command.ExecuteScalarAsync()).Should().Be(7);
			}
		}
		finally
		{
			NpgsqlConnection.ClearAllPools();
			Directory.Delete(root, recursive: true);
		}
	}
}
