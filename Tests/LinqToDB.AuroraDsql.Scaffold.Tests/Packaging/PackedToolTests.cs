using System.Diagnostics;
using System.Text;

namespace LinqToDB.AuroraDsql.Scaffold.Tests.Packaging;

/// <summary>
/// The packed .NET tool runs T4 templates: the tool is packed with a unique version into a throwaway feed, installed into a tool
/// folder, and runs <c>linq2db-dsql template</c> and <c>scaffold --customize</c> against the test database; the output is the
/// Pascal golden model. Templates are compiled by the Roslyn inside the tool, so this proves nothing else is needed.
/// </summary>
[Category("Packaging")]
[NonParallelizable]
public sealed class PackedToolTests
{
	static readonly TimeSpan ProcessTimeout = TimeSpan.FromMinutes(5);

	[Test]
	public async Task TheInstalledToolRunsTheStarterTemplate()
	{
		var root    = RepositoryRoot();
		var work    = Directory.CreateTempSubdirectory("linq2db-dsql-tool-").FullName;
		var version = "0.1.0-test" + Guid.NewGuid().ToString("N")[..8];
		var feed    = Path.Combine(work, "feed");
		var tools   = Path.Combine(work, "tools");

		try
		{
			await RunAsync(root, null, "dotnet", "pack", "Source/LinqToDB.AuroraDsql.Scaffold/LinqToDB.AuroraDsql.Scaffold.csproj", "-c", "Release",
				"-o", feed, $"-p:Version={version}", "-p:ContinuousIntegrationBuild=true",
				// a build folder of its own: the provider's packaging test builds the same projects in Release at the same time
				"--artifacts-path", Path.Combine(work, "artifacts"));

			await RunAsync(work, null, "dotnet", "tool", "install", "LinqToDB.AuroraDsql.Scaffold", "--tool-path", tools, "--add-source", feed, "--version", version);

			var tool = Path.Combine(tools, OperatingSystem.IsWindows() ? "linq2db-dsql.exe" : "linq2db-dsql");

			var written = await RunAsync(work, null, tool, "template", "--output", Path.Combine(work, "Custom.tt"));
			written.Should().Contain("Wrote ");

			var output = await RunAsync(work, TestDatabase.ConnectionString, tool, ["scaffold", "--customize", "Custom.tt", "--output", "model", .. Cases.PascalArguments]);

			output.Should().Contain("Running the template").And.Contain("Done: 14 created").And.NotContain(TestDatabase.Password);
			GoldenFiles.AssertMatches("Pascal", Path.Combine(work, "model"));
		}
		finally
		{
			TryDelete(work);
			TryDelete(Path.Combine(GlobalPackagesFolder(), "linqtodb.auroradsql.scaffold", version));
		}
	}

	static async Task<string> RunAsync(string workingDirectory, string? connectionString, string fileName, params string[] arguments)
	{
		var startInfo = new ProcessStartInfo(fileName)
		{
			WorkingDirectory       = workingDirectory,
			RedirectStandardOutput = true,
			RedirectStandardError  = true,
			UseShellExecute        = false,
		};

		foreach (var argument in arguments)
			startInfo.ArgumentList.Add(argument);

		startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
		startInfo.Environment["MSBUILDDISABLENODEREUSE"]     = "1";
		startInfo.Environment.Remove(ConnectionSettings.ConnectionStringVariable);
		if (connectionString != null)
			startInfo.Environment[ConnectionSettings.ConnectionStringVariable] = connectionString;

		using var process = Process.Start(startInfo)!;
		var output = new StringBuilder();
		var stdout = process.StandardOutput.ReadToEndAsync();
		var stderr = process.StandardError.ReadToEndAsync();

		using var timeout = new CancellationTokenSource(ProcessTimeout);
		await process.WaitForExitAsync(timeout.Token);
		output.Append(await stdout).Append(await stderr);

		process.ExitCode.Should().Be(0, $"'{Path.GetFileName(fileName)} {string.Join(' ', arguments)}' must succeed:\n{output}");
		return output.ToString();
	}

	static string RepositoryRoot()
	{
		for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory != null; directory = directory.Parent)
			if (File.Exists(Path.Combine(directory.FullName, "LinqToDB.AuroraDsql.sln")))
				return directory.FullName;

		throw new InvalidOperationException("The repository root (LinqToDB.AuroraDsql.sln) was not found above the test directory.");
	}

	static string GlobalPackagesFolder() =>
		Environment.GetEnvironmentVariable("NUGET_PACKAGES")
		?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

	static void TryDelete(string directory)
	{
		try
		{
			if (Directory.Exists(directory))
				Directory.Delete(directory, recursive: true);
		}
		catch (IOException)
		{
			// best effort
		}
	}
}
