using System.Diagnostics;
using System.Globalization;
using System.Text;

using AuroraDsql.Local;

using Npgsql;

namespace AuroraDsql.Soak;

/// <summary>
/// The soak run: an endpoint in this process under mixed load for a while (conflicting transactions through the provider
/// with injected COMMIT failures, bulk copies, asynchronous index builds, clients that vanish mid-work, a fuzzing
/// client), then the checks: invariants of the data, no connection and no backend session left, and memory, threads and
/// file descriptors back at their baseline. Loopback only; every workload is bounded. Not part of the test suite.
/// </summary>
static class SoakRun
{
	const int Counters = 4;
	const int CounterWorkers = 8;

	public static async Task<int> RunAsync(TimeSpan duration, int seed, string? reportPath)
	{
		// The endpoint's log goes to a file (kept in memory it would count as memory the endpoint holds).
		var logPath = Path.ChangeExtension(reportPath ?? Path.Combine(Path.GetTempPath(), $"soak-{Guid.NewGuid():N}.txt"), ".endpoint.log");
		var logFile = new StreamWriter(logPath) { AutoFlush = true };
		await using var _ = logFile;
		await using var endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { Log = logFile });
		var builder = new NpgsqlConnectionStringBuilder(endpoint.CreateConnectionString()) { Host = "127.0.0.1", ApplicationName = "soak-admin" };
		await using var admin = NpgsqlDataSource.Create(builder.ConnectionString);
		var context = new SoakContext(endpoint, admin, seed);

		var counters = new CounterWorkload(context, CounterWorkers, Counters);
		var bulk     = new BulkCopyWorkload(context);
		var indexes  = new IndexBuildWorkload(context);
		var vanish   = new DisconnectWorkload(context);
		var fuzz     = new FuzzWorkload(context);

		await counters.SetUpAsync();
		await indexes.SetUpAsync();

		// Baseline: after set-up and a short warm-up, with every pool cleared and the endpoint idle.
		using (var warmUp = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
			await Task.WhenAll(counters.RunAsync(warmUp.Token), fuzz.RunAsync(warmUp.Token));
		var baseline = await SettleAsync(context);
		Console.WriteLine($"baseline: {baseline}");

		var started = Stopwatch.StartNew();
		using var stop = new CancellationTokenSource(duration);
		var workloads = new[]
		{
			counters.RunAsync(stop.Token), bulk.RunAsync(stop.Token), indexes.RunAsync(stop.Token), vanish.RunAsync(stop.Token), fuzz.RunAsync(stop.Token),
			InjectFaultsAsync(context, seed, stop.Token),
		};

		var peak = baseline;
		while (!stop.IsCancellationRequested)
		{
			try
			{
				await Task.Delay(TimeSpan.FromSeconds(30), stop.Token);
			}
			catch (OperationCanceledException)
			{
				break;
			}

			var sample = ResourceSample.Take(endpoint.OpenConnections, await BackendSessionsAsync(context), collect: false);
			peak = Max(peak, sample);
			Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
				$"{started.Elapsed:mm\\:ss} {sample}; committed {counters.Committed:N0}, retries {counters.Retries:N0}, copies {bulk.Copies}, builds {indexes.Builds}, vanished {vanish.Disconnects}, fuzz {fuzz.Sessions}"));
		}

		await Task.WhenAll(workloads);
		var elapsed = started.Elapsed;
		endpoint.ClearCommitFailures();

		var final = await SettleAsync(context);
		Console.WriteLine($"final: {final}");

		var checks = new List<string>();
		checks.AddRange(await counters.CheckAsync());
		checks.AddRange(bulk.Check());
		checks.AddRange(indexes.Check());
		checks.Add($"ok   clients that vanished mid-work: {vanish.Disconnects:N0}");
		checks.AddRange(fuzz.Check());
		checks.Add(Check(final.EndpointConnections == 0 && final.BackendSessions == 0,
			$"nothing left: endpoint connections {final.EndpointConnections}, backend sessions {final.BackendSessions}"));
		checks.Add(Check(final.EndpointThreads <= baseline.EndpointThreads,
			$"endpoint threads back at baseline: {final.EndpointThreads} (baseline {baseline.EndpointThreads}, peak {peak.EndpointThreads}); process threads {final.Threads} (baseline {baseline.Threads}, peak {peak.Threads})"));
		checks.Add(Check(final.FileDescriptors <= baseline.FileDescriptors + 8,
			$"file descriptors back at baseline: {final.FileDescriptors} (baseline {baseline.FileDescriptors}, peak {peak.FileDescriptors})"));
		checks.Add(Check(final.ManagedBytes <= baseline.ManagedBytes + 32 * 1048576L,
			$"managed memory back at baseline: {final.ManagedBytes / 1048576.0:N1} MiB (baseline {baseline.ManagedBytes / 1048576.0:N1} MiB, peak {peak.ManagedBytes / 1048576.0:N1} MiB); " +
			$"RSS {final.RssBytes / 1048576.0:N0} MiB (baseline {baseline.RssBytes / 1048576.0:N0} MiB, peak {peak.RssBytes / 1048576.0:N0} MiB)"));
		await logFile.FlushAsync();
		List<string> internalErrorLines;
		using (var reader = new StreamReader(new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)))
			internalErrorLines = (await reader.ReadToEndAsync()).Split('\n').Where(l => l.Contains("internal error", StringComparison.Ordinal)).ToList();
		var internalErrors = internalErrorLines.Count;
		checks.Add(Check(internalErrors == 0 && context.Unexpected.IsEmpty,
			$"no internal error in the endpoint's log ({internalErrors}), no unexpected client error ({context.Unexpected.Count})"));

		var report = new StringBuilder();
		report.AppendLine(CultureInfo.InvariantCulture, $"Soak run: {elapsed.TotalMinutes:N1} minutes, seed {seed}, {Environment.ProcessorCount} cores, .NET {Environment.Version}; endpoint log {logPath}");
		foreach (var line in checks)
			report.AppendLine(line);
		foreach (var error in context.Unexpected.Take(20))
			report.AppendLine("  unexpected: " + error);
		foreach (var line in internalErrorLines.Take(5))
			report.AppendLine("  endpoint: " + line);

		Console.WriteLine();
		Console.Write(report);
		if (reportPath != null)
			await File.WriteAllTextAsync(reportPath, report.ToString());

		return checks.Any(c => c.StartsWith("FAIL", StringComparison.Ordinal)) ? 1 : 0;
	}

	static string Check(bool ok, string text) => (ok ? "ok   " : "FAIL ") + text;

	static ResourceSample Max(ResourceSample a, ResourceSample b) => new(
		Math.Max(a.RssBytes, b.RssBytes), Math.Max(a.ManagedBytes, b.ManagedBytes), Math.Max(a.Threads, b.Threads), Math.Max(a.EndpointThreads, b.EndpointThreads),
		Math.Max(a.FileDescriptors, b.FileDescriptors), Math.Max(a.EndpointConnections, b.EndpointConnections), Math.Max(a.BackendSessions, b.BackendSessions));

	/// <summary>Client sessions on the backend, the soak's own admin connection excluded.</summary>
	static async Task<long> BackendSessionsAsync(SoakContext context)
	{
		await using var backend = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(context.Endpoint.BackendConnectionString) { Pooling = false }.ConnectionString);
		await backend.OpenAsync();
		await using var command = new NpgsqlCommand(
			"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() " +
			"AND usename <> 'postgres' AND coalesce(application_name, '') <> 'soak-admin'", backend);
		return (long)(await command.ExecuteScalarAsync())!;
	}

	/// <summary>Closes every pool, waits (up to a minute) for the endpoint and the backend to have no session left, then samples after a full GC.</summary>
	static async Task<ResourceSample> SettleAsync(SoakContext context)
	{
		NpgsqlConnection.ClearAllPools();
		var deadline = Stopwatch.StartNew();
		long sessions;
		do
		{
			await Task.Delay(500);
			sessions = await BackendSessionsAsync(context);
		}
		while ((sessions > 0 || context.Endpoint.OpenConnections > 1) && deadline.Elapsed < TimeSpan.FromMinutes(1));

		// The soak's own admin pool holds one idle connection: close it too for the sample.
		context.Admin.Clear();
		await Task.Delay(1000);
		// Idle thread-pool threads retire after a while; give them the time.
		await Task.Delay(TimeSpan.FromSeconds(25));
		return ResourceSample.Take(context.Endpoint.OpenConnections, await BackendSessionsAsync(context), collect: true);
	}

	static async Task InjectFaultsAsync(SoakContext context, int seed, CancellationToken stop)
	{
		var random = new Random(seed + 300);
		string[] codes = ["OC000", "OC000", "OC001", "XX000"];
		while (!stop.IsCancellationRequested)
		{
			context.Endpoint.FailNextCommits(1, codes[random.Next(codes.Length)], CounterWorkload.ApplicationName);
			try
			{
				await Task.Delay(TimeSpan.FromMilliseconds(random.Next(200, 1000)), stop);
			}
			catch (OperationCanceledException)
			{
				return;
			}
		}
	}
}
