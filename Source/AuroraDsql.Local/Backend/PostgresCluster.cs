using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace AuroraDsql.Local.Backend;

/// <summary>
/// A PostgreSQL server started from the installed binaries: initialized into a (temporary) data directory, listening on a
/// private Unix socket only (no TCP port, unless <see cref="PostgresClusterOptions.Settings"/> sets <c>listen_addresses</c>),
/// run as a non-root user when this process is root, and stopped (and its temporary directory deleted) on dispose. If
/// this process dies, the server shuts itself down when its stdin pipe closes.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
	/// <summary>Name of the bootstrap superuser created by <c>initdb</c>.</summary>
	public const string SuperUser = "postgres";

	readonly PostgresClusterOptions _options;
	readonly string?                _temporaryRoot;
	Process?                        _server;
	int                             _disposed;

	PostgresCluster(PostgresClusterOptions options, string dataDirectory, string socketDirectory, string logFile, string? temporaryRoot, int port)
	{
		_options        = options;
		DataDirectory   = dataDirectory;
		SocketDirectory = socketDirectory;
		LogFile         = logFile;
		_temporaryRoot  = temporaryRoot;
		Port            = port;
	}

	/// <summary>PGDATA of the running server.</summary>
	public string DataDirectory   { get; }

	/// <summary>Directory of the server's Unix socket (readable only by the server user and root).</summary>
	public string SocketDirectory { get; }

	/// <summary>Server log (stderr of the postmaster).</summary>
	public string LogFile         { get; }

	/// <summary>The port number: in the Unix socket's file name, and of the TCP listener when one is configured.</summary>
	public int    Port            { get; }

	/// <summary>Npgsql connection string for the bootstrap superuser over the Unix socket (trust authentication).</summary>
	public string SuperUserConnectionString =>
		$"Host={SocketDirectory};Port={Port.ToString(CultureInfo.InvariantCulture)};Username={SuperUser};Database=postgres;Pooling=false";

	/// <summary>Path of the Unix socket file.</summary>
	public string SocketPath => Path.Combine(SocketDirectory, ".s.PGSQL." + Port.ToString(CultureInfo.InvariantCulture));

	/// <summary>Initializes (when needed) and starts a cluster.</summary>
	public static async Task<PostgresCluster> StartAsync(PostgresClusterOptions? options = null, CancellationToken cancellationToken = default)
	{
		options ??= new PostgresClusterOptions();

		var binDirectory = PostgresBinaries.Locate(options.BinDirectory).BinDirectory;
		var serverUser   = ProcessIdentity.IsRoot ? options.ServerUser ?? ProcessIdentity.DefaultServerUser() : null;

		string? temporaryRoot = null;
		string  dataDirectory;
		string  runDirectory;

		if (options.DataDirectory is null)
		{
			temporaryRoot = CreatePrivateDirectory(Path.Combine(Path.GetTempPath(), "auroradsql-" + Guid.NewGuid().ToString("N")[..12]));
			dataDirectory = Path.Combine(temporaryRoot, "data");
			runDirectory  = temporaryRoot;
		}
		else
		{
			dataDirectory = Path.GetFullPath(options.DataDirectory);
			temporaryRoot = CreatePrivateDirectory(Path.Combine(Path.GetTempPath(), "auroradsql-run-" + Guid.NewGuid().ToString("N")[..12]));
			runDirectory  = temporaryRoot;
		}

		var socketDirectory = CreatePrivateDirectory(Path.Combine(runDirectory, "socket"));
		var logFile         = Path.Combine(runDirectory, "postgres.log");

		try
		{
			if (serverUser != null)
				await ProcessIdentity.ChownAsync(runDirectory, serverUser, cancellationToken).ConfigureAwait(false);

			if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
			{
				if (options.DataDirectory != null)
				{
					Directory.CreateDirectory(dataDirectory);
					if (serverUser != null)
						await ProcessIdentity.ChownAsync(dataDirectory, serverUser, cancellationToken).ConfigureAwait(false);
				}

				await InitDbAsync(binDirectory, dataDirectory, serverUser, cancellationToken).ConfigureAwait(false);
			}

			for (var attempt = 1; ; attempt++)
			{
				var port    = options.Port != 0 ? options.Port : FindFreePort();
				var cluster = new PostgresCluster(options, dataDirectory, socketDirectory, logFile, temporaryRoot, port);

				try
				{
					await cluster.StartServerAsync(binDirectory, serverUser, cancellationToken).ConfigureAwait(false);
					return cluster;
				}
				catch (PostgresClusterException) when (options.Port == 0 && attempt < 3 && cluster.LogMentionsPortInUse())
				{
					await cluster.StopServerAsync().ConfigureAwait(false);
				}
				catch
				{
					// A server that started (or half started) before the failure or cancellation must not outlive it.
					await cluster.StopServerAsync().ConfigureAwait(false);
					throw;
				}
			}
		}
		catch
		{
			TryDeleteDirectory(temporaryRoot);
			throw;
		}
	}

	static async Task InitDbAsync(string binDirectory, string dataDirectory, string? serverUser, CancellationToken cancellationToken)
	{
		var arguments = new[]
		{
			Path.Combine(binDirectory, "initdb"),
			"-D", dataDirectory,
			"-U", SuperUser,
			"-E", "UTF8",
			"--locale=C",
			"--auth-local=trust",
			"--auth-host=scram-sha-256",
			"--no-sync",
			"--no-instructions",
		};

		var (exitCode, output) = await ProcessIdentity.RunAsync(serverUser, arguments, cancellationToken).ConfigureAwait(false);

		if (exitCode != 0)
			throw new PostgresClusterException($"initdb failed with exit code {exitCode}:{Environment.NewLine}{output}");
	}

	async Task StartServerAsync(string binDirectory, string? serverUser, CancellationToken cancellationToken)
	{
		var settings = new Dictionary<string, string>(StringComparer.Ordinal)
		{
			// The Unix socket only: a TCP port would let a role log in with a password of its own, past the endpoint.
			["listen_addresses"]              = "",
			["port"]                          = Port.ToString(CultureInfo.InvariantCulture),
			["unix_socket_directories"]       = SocketDirectory,
			["unix_socket_permissions"]       = "0700",
			["max_connections"]               = "400",
			["shared_buffers"]                = "128MB",
			["TimeZone"]                      = "UTC",
			["log_timezone"]                  = "UTC",
			["default_transaction_isolation"] = "repeatable read",
			["fsync"]                         = "off",
			["synchronous_commit"]            = "off",
			["full_page_writes"]              = "off",
			["logging_collector"]             = "off",
			["log_min_messages"]              = "warning",
			["dynamic_shared_memory_type"]    = "posix",
		};

		foreach (var (name, value) in _options.Settings)
			settings[name] = value;

		var command = new StringBuilder();
		command.Append(ShellQuote(Path.Combine(binDirectory, "postgres"))).Append(" -D ").Append(ShellQuote(DataDirectory));
		foreach (var (name, value) in settings)
			command.Append(" -c ").Append(ShellQuote(name + "=" + value));

		// The watchdog: when our end of stdin closes (dispose, or this process dies), ask for a fast shutdown.
		// (A background job's stdin would be /dev/null without the explicit redirection from fd 3.)
		var script =
			"exec 3<&0\n" +
			$"{command} >>{ShellQuote(LogFile)} 2>&1 </dev/null &\n" +
			"pid=$!\n" +
			"( cat <&3 >/dev/null; kill -INT $pid 2>/dev/null ) &\n" +
			"exec 3<&-\n" +
			"wait $pid\n";

		var startInfo = ProcessIdentity.CreateStartInfo(serverUser, ["/bin/bash", "-c", script]);
		startInfo.RedirectStandardInput  = true;
		startInfo.RedirectStandardOutput = false;
		startInfo.RedirectStandardError  = false;

		_server = Process.Start(startInfo) ?? throw new PostgresClusterException("Could not start the PostgreSQL server process.");

		var deadline = Stopwatch.StartNew();

		while (true)
		{
			cancellationToken.ThrowIfCancellationRequested();

			if (_server.HasExited)
				throw new PostgresClusterException($"PostgreSQL exited during start-up (exit code {_server.ExitCode}).{Environment.NewLine}{ReadLogTail()}");

			if (await IsAcceptingConnectionsAsync(cancellationToken).ConfigureAwait(false))
				return;

			if (deadline.Elapsed > _options.StartTimeout)
				throw new PostgresClusterException($"PostgreSQL did not accept connections within {_options.StartTimeout.TotalSeconds:0} s.{Environment.NewLine}{ReadLogTail()}");

			await Task.Delay(50, cancellationToken).ConfigureAwait(false);
		}
	}

	async Task<bool> IsAcceptingConnectionsAsync(CancellationToken cancellationToken)
	{
		// The postmaster writes "ready" as the status line of postmaster.pid once it accepts connections.
		var pidFile = Path.Combine(DataDirectory, "postmaster.pid");

		try
		{
			if (!File.Exists(pidFile) || !File.Exists(SocketPath))
				return false;

			var lines = await File.ReadAllLinesAsync(pidFile, cancellationToken).ConfigureAwait(false);
			return lines.Length >= 8 && lines[7].Trim().Equals("ready", StringComparison.Ordinal);
		}
		catch (IOException)
		{
			return false;
		}
	}

	bool LogMentionsPortInUse()
	{
		var log = ReadLogTail();
		return log.Contains("Address already in use", StringComparison.Ordinal) || log.Contains("could not bind", StringComparison.Ordinal);
	}

	/// <summary>The last lines of the server log, for error reports.</summary>
	public string ReadLogTail(int lines = 30)
	{
		try
		{
			using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
			using var reader = new StreamReader(stream);
			var all = reader.ReadToEnd().Split('\n');
			return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
		}
		catch (IOException)
		{
			return "(no server log)";
		}
	}

	async Task StopServerAsync()
	{
		var server = Interlocked.Exchange(ref _server, null);
		if (server is null)
			return;

		using (server)
		{
			try
			{
				server.StandardInput.Close();
			}
			catch (IOException)
			{
				// already gone
			}

			using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

			try
			{
				await server.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
			}
			catch (OperationCanceledException)
			{
				TryKillPostmaster();
				server.Kill(entireProcessTree: true);
			}
		}
	}

	void TryKillPostmaster()
	{
		try
		{
			var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
			if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
				Process.GetProcessById(pid).Kill();
		}
		catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
		{
			// best effort
		}
	}

	/// <summary>Stops the server (fast shutdown) and deletes the temporary directories.</summary>
	public async ValueTask DisposeAsync()
	{
		if (Interlocked.Exchange(ref _disposed, 1) != 0)
			return;

		await StopServerAsync().ConfigureAwait(false);
		TryDeleteDirectory(_temporaryRoot);
	}

	static int FindFreePort()
	{
		using var listener = new TcpListener(IPAddress.Loopback, 0);
		listener.Start();
		return ((IPEndPoint)listener.LocalEndpoint).Port;
	}

	static string CreatePrivateDirectory(string path)
	{
		if (OperatingSystem.IsWindows())
			Directory.CreateDirectory(path);
		else
			Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

		return path;
	}

	static void TryDeleteDirectory(string? path)
	{
		if (path is null)
			return;

		for (var attempt = 0; attempt < 5; attempt++)
		{
			try
			{
				if (Directory.Exists(path))
					Directory.Delete(path, recursive: true);
				return;
			}
			catch (IOException)
			{
				Thread.Sleep(100);
			}
			catch (UnauthorizedAccessException)
			{
				return;
			}
		}
	}

	internal static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
