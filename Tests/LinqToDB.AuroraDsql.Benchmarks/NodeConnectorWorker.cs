using System.Diagnostics;

using AuroraDsql.Local;

namespace LinqToDB.AuroraDsql.Benchmarks;

/// <summary>
/// A node process running AWS's DSQL connector for node-postgres (<c>node/worker.mjs</c>) against an endpoint, driven a
/// command per line: the other side of <see cref="LatencyBenchmarks"/>. Needs <c>npm install</c> in <c>node/</c> first.
/// </summary>
sealed class NodeConnectorWorker : IAsyncDisposable
{
	readonly Process _process;

	NodeConnectorWorker(Process process) => _process = process;

	public static NodeConnectorWorker Start(LocalDsqlEndpoint endpoint)
	{
		var directory = FindNodeDirectory();
		if (!Directory.Exists(Path.Combine(directory, "node_modules", "@aws", "aurora-dsql-node-postgres-connector")))
			throw new InvalidOperationException($"AWS's node-postgres connector is not installed: run 'npm install' in {directory} first.");

		var start = new ProcessStartInfo("node")
		{
			WorkingDirectory       = directory,
			RedirectStandardInput  = true,
			RedirectStandardOutput = true,
			UseShellExecute        = false,
		};
		foreach (var argument in new[] { "worker.mjs", endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), endpoint.CaCertificatePath,
			endpoint.AccessKeyId, endpoint.SecretAccessKey, endpoint.Region })
			start.ArgumentList.Add(argument);

		return new NodeConnectorWorker(Process.Start(start) ?? throw new InvalidOperationException("node did not start."));
	}

	/// <summary>Runs one command (<c>read N</c>, <c>rmw N</c>, <c>load ROWS CHUNK</c>) and returns its result.</summary>
	public async Task<string> RunAsync(string command)
	{
		await _process.StandardInput.WriteLineAsync(command);
		await _process.StandardInput.FlushAsync();
		var answer = await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The node worker ended.");
		return answer.StartsWith("ok ", StringComparison.Ordinal)
			? answer[3..]
			: throw new InvalidOperationException($"The node worker failed '{command}': {answer}");
	}

	public async ValueTask DisposeAsync()
	{
		try
		{
			await _process.StandardInput.WriteLineAsync("quit");
			await _process.StandardInput.FlushAsync();
			await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
		}
		catch (Exception ex) when (ex is IOException or TimeoutException or InvalidOperationException)
		{
			_process.Kill();
		}

		_process.Dispose();
	}

	static string FindNodeDirectory()
	{
		for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
		{
			var candidate = Path.Combine(directory.FullName, "Tests", "LinqToDB.AuroraDsql.Benchmarks", "node");
			if (File.Exists(Path.Combine(candidate, "worker.mjs")))
				return candidate;
		}

		throw new InvalidOperationException("Tests/LinqToDB.AuroraDsql.Benchmarks/node/worker.mjs was not found above " + AppContext.BaseDirectory);
	}
}
