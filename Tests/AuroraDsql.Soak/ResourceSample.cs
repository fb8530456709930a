using System.Diagnostics;

namespace AuroraDsql.Soak;

/// <summary>What the process (endpoint included, it runs in-process) holds at one moment.</summary>
sealed record ResourceSample(long RssBytes, long ManagedBytes, int Threads, int EndpointThreads, int FileDescriptors, int EndpointConnections, long BackendSessions)
{
	/// <summary>Samples the process; with <paramref name="collect"/> after a full, compacting garbage collection.</summary>
	public static ResourceSample Take(int endpointConnections, long backendSessions, bool collect)
	{
		if (collect)
		{
			System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
			GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
			GC.WaitForPendingFinalizers();
			GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
		}

		using var process = Process.GetCurrentProcess();
		process.Refresh();

		var endpointThreads = 0;
		foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
		{
			try
			{
				if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("dsql-", StringComparison.Ordinal))
					endpointThreads++;
			}
			catch (IOException)
			{
				// the thread ended meanwhile
			}
		}

		return new ResourceSample(process.WorkingSet64, GC.GetTotalMemory(false), process.Threads.Count, endpointThreads,
			Directory.GetFiles("/proc/self/fd").Length, endpointConnections, backendSessions);
	}

	public override string ToString() =>
		$"RSS {RssBytes / 1048576.0:N0} MiB, managed {ManagedBytes / 1048576.0:N1} MiB, threads {Threads} (endpoint {EndpointThreads}), fds {FileDescriptors}, " +
		$"endpoint connections {EndpointConnections}, backend sessions {BackendSessions}";
}
