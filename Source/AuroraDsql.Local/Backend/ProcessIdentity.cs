using System.Diagnostics;
using System.Text;

namespace AuroraDsql.Local.Backend;

/// <summary>Runs PostgreSQL programs as a non-root user when this process is root (PostgreSQL refuses to run as root).</summary>
static class ProcessIdentity
{
	public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess;

	public static string DefaultServerUser()
	{
		try
		{
			if (File.ReadLines("/etc/passwd").Any(l => l.StartsWith("postgres:", StringComparison.Ordinal)))
				return "postgres";
		}
		catch (IOException)
		{
			// fall through
		}

		return "nobody";
	}

	public static ProcessStartInfo CreateStartInfo(string? user, IReadOnlyList<string> arguments)
	{
		var startInfo = new ProcessStartInfo
		{
			UseShellExecute  = false,
			WorkingDirectory = "/",
		};

		if (user != null)
		{
			startInfo.FileName = "runuser";
			startInfo.ArgumentList.Add("-u");
			startInfo.ArgumentList.Add(user);
			startInfo.ArgumentList.Add("--");
		}
		else
		{
			startInfo.FileName = arguments[0];
			arguments = arguments.Skip(1).ToArray();
		}

		foreach (var argument in arguments)
			startInfo.ArgumentList.Add(argument);

		// A locale the server user may not have would make initdb fail; the cluster uses C anyway.
		startInfo.Environment["LC_ALL"] = "C";
		startInfo.Environment["LANG"]   = "C";

		return startInfo;
	}

	public static async Task<(int ExitCode, string Output)> RunAsync(string? user, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
	{
		var startInfo = CreateStartInfo(user, arguments);
		startInfo.RedirectStandardOutput = true;
		startInfo.RedirectStandardError  = true;

		using var process = Process.Start(startInfo) ?? throw new PostgresClusterException($"Could not start {arguments[0]}.");

		var output = new StringBuilder();
		var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
		var stderr = process.StandardError.ReadToEndAsync(cancellationToken);

		await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
		output.Append(await stdout.ConfigureAwait(false)).Append(await stderr.ConfigureAwait(false));

		return (process.ExitCode, output.ToString());
	}

	public static async Task ChownAsync(string path, string user, CancellationToken cancellationToken)
	{
		var (exitCode, output) = await RunAsync(null, ["chown", "-R", user, path], cancellationToken).ConfigureAwait(false);

		if (exitCode != 0)
			throw new PostgresClusterException($"Could not give '{path}' to the server user '{user}': {output}");
	}
}
