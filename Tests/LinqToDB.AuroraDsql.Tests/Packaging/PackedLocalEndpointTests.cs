using System.Data;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

using Npgsql;

using static LinqToDB.DataProvider.AuroraDsql.Tests.Packaging.PackagingProcess;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Packaging;

/// <summary>
/// The local endpoint's two packages work outside the solution: the library (AuroraDsql.Local), the tool
/// (AuroraDsql.Local.Tool, command <c>aurora-dsql-local</c>) and the provider are packed with a unique version into a
/// throwaway feed. A fresh console project references the library and the provider as packages, starts the endpoint in
/// process and names the provider only by <c>UseConnectionString("AuroraDSQL", …)</c> (which works through the package's
/// registration of the name, and fails with it turned off); the installed tool prints help and a
/// ready line in the words of its command, and its <c>--allow-fault-injection</c> makes a COMMIT fail from plain SQL.
/// </summary>
[Category("Packaging")]
[NonParallelizable]
public sealed partial class PackedLocalEndpointTests
{
	const string FreshProject = """
		<Project Sdk="Microsoft.NET.Sdk">
		  <PropertyGroup>
		    <OutputType>Exe</OutputType>
		    <TargetFramework>net10.0</TargetFramework>
		    <Nullable>enable</Nullable>
		    <ImplicitUsings>enable</ImplicitUsings>
		    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
		  </PropertyGroup>
		  <ItemGroup>
		    <PackageReference Include="AuroraDsql.Local" Version="$(PackedVersion)" />
		    <PackageReference Include="LinqToDB.AuroraDsql" Version="$(PackedVersion)" />
		  </ItemGroup>
		</Project>
		""";

	// No type of the provider is named: only linq2db's and the endpoint library's.
	const string FreshProgram = """
		using AuroraDsql.Local;
		using LinqToDB;
		using LinqToDB.Data;
		using Npgsql;

		await using var endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { AllowFaultInjection = true });

		await using var db = new DataConnection(new DataOptions().UseConnectionString("AuroraDSQL", endpoint.CreateConnectionString()));
		Console.WriteLine("provider: " + db.DataProvider.Name);
		Console.WriteLine("user: " + await db.ExecuteAsync<string>("SELECT current_user"));

		await db.ExecuteAsync("SELECT aurora_dsql_local.fail_next_commits(1)");
		await db.BeginTransactionAsync();
		await db.ExecuteAsync("SELECT 1");
		try
		{
			await db.CommitTransactionAsync();
			Console.WriteLine("commit: succeeded");
		}
		catch (PostgresException ex)
		{
			Console.WriteLine("commit: " + ex.SqlState);
		}
		""";

	[GeneratedRegex(@"^Aurora DSQL local endpoint ready: host=127\.0\.0\.1 port=(\d+) region=(\S+) ca=(\S+)$")]
	private static partial Regex ReadyLine();

	[Test]
	public async Task TheLibraryAndTheToolWorkFromAFreshProject()
	{
		var root      = RepositoryRoot();
		var work      = Directory.CreateTempSubdirectory("auroradsql-local-pack-").FullName;
		var version   = "0.1.0-test" + Guid.NewGuid().ToString("N")[..8];
		var feed      = Path.Combine(work, "feed");
		var artifacts = Path.Combine(work, "artifacts");   // a build folder of its own: other packaging tests build in Release too

		try
		{
			foreach (var project in new[] { "Source/AuroraDsql.Local/AuroraDsql.Local.csproj", "Source/AuroraDsql.Local.Tool/AuroraDsql.Local.Tool.csproj", "Source/LinqToDB.AuroraDsql/LinqToDB.AuroraDsql.csproj" })
				await RunAsync(root, "dotnet", "pack", project, "-c", "Release", "-o", feed, $"-p:Version={version}", "-p:ContinuousIntegrationBuild=true", "--artifacts-path", artifacts);

			// the library and the provider, as packages of a project outside the solution
			var fresh = Path.Combine(work, "fresh");
			Directory.CreateDirectory(fresh);
			await File.WriteAllTextAsync(Path.Combine(fresh, "Fresh.csproj"), FreshProject.Replace("$(PackedVersion)", version, StringComparison.Ordinal));
			await File.WriteAllTextAsync(Path.Combine(fresh, "Program.cs"), FreshProgram);

			await RunAsync(fresh, "dotnet", "build", "-c", "Release", "-o", Path.Combine(fresh, "out"), $"-p:RestoreAdditionalProjectSources={feed}");
			var output = await RunAsync(fresh, "dotnet", Path.Combine(fresh, "out", "Fresh.dll"));

			output.Should().Contain("provider: AuroraDSQL").And.Contain("user: admin").And.Contain("commit: 40001");

			// the same program without the package's registration of the name: linq2db does not know it
			await RunAsync(fresh, "dotnet", "build", "-c", "Release", "-o", Path.Combine(fresh, "out-unregistered"), $"-p:RestoreAdditionalProjectSources={feed}",
				"-p:AuroraDsqlRegisterProvider=false", "--artifacts-path", Path.Combine(fresh, "artifacts-unregistered"));
			var (exitCode, unregistered) = await RunToEndAsync(fresh, "dotnet", Path.Combine(fresh, "out-unregistered", "Fresh.dll"));
			exitCode.Should().NotBe(0);
			unregistered.Should().Contain("AuroraDSQL").And.NotContain("user: admin");

			// the tool, installed as users install it
			var tools = Path.Combine(work, "tools");
			await RunAsync(work, "dotnet", "tool", "install", "AuroraDsql.Local.Tool", "--tool-path", tools, "--add-source", feed, "--version", version);
			var tool = Path.Combine(tools, OperatingSystem.IsWindows() ? "aurora-dsql-local.exe" : "aurora-dsql-local");

			var help = await RunAsync(work, tool, "--help");
			help.Should().Contain("aurora-dsql-local [command] [options]").And.Contain("--allow-fault-injection").And.NotContain("dotnet run");

			await ToolInjectsCommitFailuresAsync(work, tool);
		}
		finally
		{
			TryDelete(work);
			foreach (var package in new[] { "auroradsql.local", "auroradsql.local.tool", "linqtodb.auroradsql" })
				TryDelete(Path.Combine(GlobalPackagesFolder(), package, version));
		}
	}

	static async Task ToolInjectsCommitFailuresAsync(string work, string tool)
	{
		using var process = Start(work, tool, "--port", "0", "--allow-fault-injection");
		try
		{
			var ready = await process.StandardOutput.ReadLineAsync();
			var match = ReadyLine().Match(ready ?? "");
			match.Success.Should().BeTrue($"the first line is the ready line, got: {ready}\n{await ReadRestAsync(process)}");

			var lines = new List<string>();
			for (var line = await process.StandardOutput.ReadLineAsync(); line != null && !line.Contains("Ctrl+C", StringComparison.Ordinal); line = await process.StandardOutput.ReadLineAsync())
				lines.Add(line);
			lines.Should().Contain(l => l.Contains("PGPASSWORD=\"$(aurora-dsql-local token)\"", StringComparison.Ordinal), "the ready text names the installed command");
			lines.Should().Contain(l => l.Contains("Fault injection on (not DSQL)", StringComparison.Ordinal));

			var token = (await RunAsync(work, tool, "token")).Trim();

			var builder = new NpgsqlConnectionStringBuilder
			{
				Host = "localhost", Port = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), Username = "admin", Database = "postgres",
				Password = token, SslMode = SslMode.VerifyFull, RootCertificate = match.Groups[3].Value, Pooling = false,
			};

			await using (var connection = new NpgsqlConnection(builder.ConnectionString))
			{
				await connection.OpenAsync();
				await using (var inject = new NpgsqlCommand("SELECT aurora_dsql_local.fail_next_commits(1)", connection))
					await inject.ExecuteNonQueryAsync();

				await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
				await using (var select = new NpgsqlCommand("SELECT 1", connection, transaction))
					await select.ExecuteScalarAsync();

				(await FluentActions.Awaiting(() => transaction.CommitAsync()).Should().ThrowAsync<PostgresException>())
					.Which.SqlState.Should().Be("40001");
			}

			// SIGTERM: the endpoint stops its PostgreSQL cluster and deletes its temporary directories
			using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
				await kill.WaitForExitAsync();

			using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
			await process.WaitForExitAsync(timeout.Token);
			process.ExitCode.Should().Be(0);
		}
		finally
		{
			if (!process.HasExited)
				process.Kill(entireProcessTree: true);
		}
	}

	static async Task<string> ReadRestAsync(Process process)
	{
		if (!process.HasExited)
			return "";
		return await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
	}
}
