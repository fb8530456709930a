using System.Globalization;

namespace LinqToDB.AuroraDsql.Benchmarks;

/// <summary>
/// CPU time spent so far by this process (client, in-process endpoint and relays) and by every PostgreSQL process of the
/// machine (the backends the benchmarks talk to), from Linux's <c>/proc</c>. With the wall time of the same operations it
/// tells whether they waited (on latency) or computed: operations that use the machine's cores fully cannot be overlapped
/// further by more connections. Elsewhere than on Linux it is not available.
/// </summary>
static class MachineCpuTime
{
	// /proc/<pid>/stat counts in clock ticks, USER_HZ, 100 per second on Linux's supported architectures.
	const double MillisecondsPerTick = 10;

	public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && Directory.Exists("/proc/self");

	/// <summary>
	/// This process and the machine's PostgreSQL processes as they are now: found once (listing <c>/proc</c> costs more
	/// than what it measures), then read with <see cref="Milliseconds"/>. A backend started later is not counted.
	/// </summary>
	public static int[] Processes()
	{
		if (!IsAvailable)
			return [];

		var self = Environment.ProcessId;
		var pids = new List<int> { self };

		foreach (var directory in Directory.EnumerateDirectories("/proc"))
		{
			if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == self)
				continue;

			try
			{
				if (File.ReadAllText(Path.Combine(directory, "comm")).Trim() == "postgres")
					pids.Add(pid);
			}
			catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
			{
				// the process ended while it was read
			}
		}

		return [.. pids];
	}

	/// <summary>CPU milliseconds (user and system) the given processes spent so far; one that ended counts 0.</summary>
	public static double Milliseconds(int[] processes)
	{
		var ticks = 0L;

		foreach (var pid in processes)
		{
			try
			{
				// After the command name in parentheses (which may hold spaces): state, then 10 fields, then utime and stime.
				var stat   = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
				var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
				ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
			}
			catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
			{
				// the process ended
			}
		}

		return ticks * MillisecondsPerTick;
	}
}
