using System.Diagnostics;
using System.Globalization;

namespace AuroraDsql.Local.Backend;

/// <summary>Finds the PostgreSQL server programs (<c>initdb</c>, <c>postgres</c>).</summary>
static class PostgresBinaries
{
	public const string EnvironmentVariable = "AURORA_DSQL_PG_BIN";

	public static string Locate(string? configured)
	{
		foreach (var candidate in Candidates(configured))
		{
			if (File.Exists(Path.Combine(candidate, "initdb")) && File.Exists(Path.Combine(candidate, "postgres")))
				return candidate;
		}

		throw new PostgresClusterException(
			"PostgreSQL server programs (initdb, postgres) were not found. Install them (Debian/Ubuntu: 'apt-get install -y postgresql'), " +
			$"or point the {EnvironmentVariable} environment variable or the --pg-bin option at their directory.");
	}

	static IEnumerable<string> Candidates(string? configured)
	{
		if (!string.IsNullOrEmpty(configured))
		{
			yield return configured;
			yield break;
		}

		var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
		if (!string.IsNullOrEmpty(fromEnvironment))
		{
			yield return fromEnvironment;
			yield break;
		}

		// Debian/Ubuntu: /usr/lib/postgresql/<major>/bin, newest first.
		const string debianRoot = "/usr/lib/postgresql";
		if (Directory.Exists(debianRoot))
		{
			var versions = Directory.GetDirectories(debianRoot)
				.Select(d => (Path: d, Major: int.TryParse(Path.GetFileName(d), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : -1))
				.Where(d => d.Major > 0)
				.OrderByDescending(d => d.Major);

			foreach (var version in versions)
				yield return Path.Combine(version.Path, "bin");
		}

		var pgConfigBin = TryPgConfigBinDir();
		if (pgConfigBin != null)
			yield return pgConfigBin;

		foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
			yield return dir;
	}

	static string? TryPgConfigBinDir()
	{
		try
		{
			using var process = Process.Start(new ProcessStartInfo("pg_config", "--bindir")
			{
				RedirectStandardOutput = true,
				RedirectStandardError  = true,
				UseShellExecute        = false,
			});

			if (process is null)
				return null;

			var output = process.StandardOutput.ReadToEnd().Trim();
			process.WaitForExit();
			return process.ExitCode == 0 && output.Length > 0 ? output : null;
		}
		catch (System.ComponentModel.Win32Exception)
		{
			return null;
		}
	}
}
