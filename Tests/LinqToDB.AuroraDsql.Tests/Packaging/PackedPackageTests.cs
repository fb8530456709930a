using System.Diagnostics;
using System.Text;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Packaging;

/// <summary>
/// The packed LinqToDB.AuroraDsql package works: it is packed with a unique version into a throwaway feed, the pet clinic
/// example is built against that package instead of the source, and the example runs end to end.
/// </summary>
[Category("Packaging")]
public sealed class PackedPackageTests
{
	static readonly TimeSpan ProcessTimeout = TimeSpan.FromMinutes(5);

	[Test]
	public async Task TheExampleRunsAgainstThePackedProvider()
	{
		var root    = RepositoryRoot();
		var work    = Directory.CreateTempSubdirectory("auroradsql-pack-").FullName;
		var version = "0.1.0-test" + Guid.NewGuid().ToString("N")[..8];
		var feed    = Path.Combine(work, "feed");

		try
		{
			await RunAsync(root, "dotnet", "pack", "Source/LinqToDB.AuroraDsql/LinqToDB.AuroraDsql.csproj", "-c", "Release",
				"-o", feed, $"-p:Version={version}", "-p:ContinuousIntegrationBuild=true");

			var package = Path.Combine(feed, $"LinqToDB.AuroraDsql.{version}.nupkg");
			File.Exists(package).Should().BeTrue();

			using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
			{
				zip.Entries.Select(e => e.FullName).Should().Contain(
				[
					"lib/net8.0/LinqToDB.AuroraDsql.dll", "lib/net8.0/LinqToDB.AuroraDsql.xml",
					"lib/net10.0/LinqToDB.AuroraDsql.dll", "lib/net10.0/LinqToDB.AuroraDsql.xml",
					"README.md", "LICENSE",
				]);
			}

			var artifacts = Path.Combine(work, "artifacts");
			await RunAsync(root, "dotnet", "build", "Examples/PetClinic/PetClinic.csproj", "-c", "Release", "--artifacts-path", artifacts,
				"-p:UsePackedProvider=true", $"-p:PackedProviderVersion={version}", $"-p:RestoreAdditionalProjectSources={feed}");

			var assets = await File.ReadAllTextAsync(Directory.GetFiles(artifacts, "project.assets.json", SearchOption.AllDirectories)
				.Single(f => f.Contains("PetClinic", StringComparison.Ordinal)));
			assets.Should().Contain($"\"LinqToDB.AuroraDsql/{version}\"", "the example must use the package, not the project");

			var example = Directory.GetFiles(artifacts, "PetClinic.dll", SearchOption.AllDirectories).Single(f => f.Contains("bin", StringComparison.Ordinal));
			var output  = await RunAsync(root, "dotnet", example);

			output.Should().Contain("Done: every check passed.");
		}
		finally
		{
			TryDelete(work);
			TryDelete(Path.Combine(GlobalPackagesFolder(), "linqtodb.auroradsql", version));
		}
	}

	static async Task<string> RunAsync(string workingDirectory, string fileName, params string[] arguments)
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

		startInfo.Environment.Remove("DSQL_ENDPOINT");
		startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
		startInfo.Environment["MSBUILDDISABLENODEREUSE"]     = "1";

		using var process = Process.Start(startInfo)!;
		var output = new StringBuilder();
		var stdout = process.StandardOutput.ReadToEndAsync();
		var stderr = process.StandardError.ReadToEndAsync();

		using var timeout = new CancellationTokenSource(ProcessTimeout);
		await process.WaitForExitAsync(timeout.Token);
		output.Append(await stdout).Append(await stderr);

		process.ExitCode.Should().Be(0, $"'{fileName} {string.Join(' ', arguments)}' must succeed:\n{output}");
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
