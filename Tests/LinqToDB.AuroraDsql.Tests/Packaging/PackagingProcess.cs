using System.Diagnostics;
using System.Text;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Packaging;

/// <summary>Runs <c>dotnet</c> and packed tools for the packaging tests, and finds the repository and NuGet's folders.</summary>
static class PackagingProcess
{
	static readonly TimeSpan ProcessTimeout = TimeSpan.FromMinutes(5);

	/// <summary>Runs <paramref name="fileName"/> to its end; it must exit with 0. Returns standard output and error.</summary>
	public static async Task<string> RunAsync(string workingDirectory, string fileName, params string[] arguments)
	{
		var (exitCode, output) = await RunToEndAsync(workingDirectory, fileName, arguments);
		exitCode.Should().Be(0, $"'{Path.GetFileName(fileName)} {string.Join(' ', arguments)}' must succeed:\n{output}");
		return output;
	}

	/// <summary>Runs <paramref name="fileName"/> to its end; returns its exit code, standard output and error.</summary>
	public static async Task<(int ExitCode, string Output)> RunToEndAsync(string workingDirectory, string fileName, params string[] arguments)
	{
		using var process = Start(workingDirectory, fileName, arguments);
		var output = new StringBuilder();
		var stdout = process.StandardOutput.ReadToEndAsync();
		var stderr = process.StandardError.ReadToEndAsync();

		using var timeout = new CancellationTokenSource(ProcessTimeout);
		await process.WaitForExitAsync(timeout.Token);
		output.Append(await stdout).Append(await stderr);

		return (process.ExitCode, output.ToString());
	}

	/// <summary>Starts <paramref name="fileName"/> with standard output and error redirected.</summary>
	public static Process Start(string workingDirectory, string fileName, params string[] arguments)
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

		return Process.Start(startInfo)!;
	}

	public static string RepositoryRoot()
	{
		for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory != null; directory = directory.Parent)
			if (File.Exists(Path.Combine(directory.FullName, "LinqToDB.AuroraDsql.sln")))
				return directory.FullName;

		throw new InvalidOperationException("The repository root (LinqToDB.AuroraDsql.sln) was not found above the test directory.");
	}

	public static string GlobalPackagesFolder() =>
		Environment.GetEnvironmentVariable("NUGET_PACKAGES")
		?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

	public static void TryDelete(string directory)
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
