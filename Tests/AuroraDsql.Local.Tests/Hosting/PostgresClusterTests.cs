using AuroraDsql.Local.Backend;

namespace AuroraDsql.Local.Tests.Hosting;

/// <summary>The throwaway PostgreSQL cluster: a server that does not come up in time does not outlive the failure.</summary>
public sealed class PostgresClusterTests
{
	[Test]
	public async Task AServerThatIsNotReadyInTimeIsStopped()
	{
		if (!OperatingSystem.IsLinux())
			Assert.Ignore("looks for the server's processes in /proc");

		var dataDirectory = Path.Combine(Path.GetTempPath(), "auroradsql-test-" + Guid.NewGuid().ToString("N")[..12]);
		try
		{
			// A kept cluster, then started as a standby that refuses connections (hot_standby off): it never gets ready.
			await (await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = dataDirectory })).DisposeAsync();
			await File.WriteAllTextAsync(Path.Combine(dataDirectory, "standby.signal"), "");

			var start = () => PostgresCluster.StartAsync(new PostgresClusterOptions
			{
				DataDirectory = dataDirectory,
				Settings      = new Dictionary<string, string> { ["hot_standby"] = "off" },
				StartTimeout  = TimeSpan.FromSeconds(2),
			});

			(await start.Should().ThrowAsync<PostgresClusterException>()).WithMessage("PostgreSQL did not accept connections within*");
			ServerProcesses(dataDirectory).Should().BeEmpty();
			File.Exists(Path.Combine(dataDirectory, "postmaster.pid")).Should().BeFalse("the server was shut down, not left running");
		}
		finally
		{
			if (Directory.Exists(dataDirectory))
				Directory.Delete(dataDirectory, recursive: true);
		}
	}

	/// <summary>Processes whose command line names <paramref name="dataDirectory"/> (the postmaster is started with -D).</summary>
	static List<int> ServerProcesses(string dataDirectory)
	{
		var found = new List<int>();
		foreach (var process in Directory.EnumerateDirectories("/proc"))
		{
			if (!int.TryParse(Path.GetFileName(process), out var pid))
				continue;

			try
			{
				if (File.ReadAllText(Path.Combine(process, "cmdline")).Contains(dataDirectory, StringComparison.Ordinal))
					found.Add(pid);
			}
			catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
			{
				// the process ended meanwhile
			}
		}

		return found;
	}
}
