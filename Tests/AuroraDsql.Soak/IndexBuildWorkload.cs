namespace AuroraDsql.Soak;

/// <summary>Asynchronous index builds on a table the other workloads leave alone: submit, wait for the job, drop.</summary>
sealed class IndexBuildWorkload(SoakContext context)
{
	long _builds;
	long _failed;

	public long Builds => Interlocked.Read(ref _builds);

	public async Task SetUpAsync()
	{
		await context.ExecuteAsync("CREATE TABLE soak_index (id int PRIMARY KEY, a int NOT NULL, b text)");
		await context.ExecuteAsync("INSERT INTO soak_index SELECT g, g % 97, 'b' || g FROM generate_series(1, 2000) g");
	}

	public async Task RunAsync(CancellationToken stop)
	{
		while (!stop.IsCancellationRequested)
		{
			try
			{
				var job = (string)(await context.ScalarAsync("CREATE INDEX ASYNC soak_index_a ON soak_index (a) INCLUDE (b)"))!;
				var succeeded = await context.ScalarAsync($"CALL sys.wait_for_job('{job}')");
				if (succeeded is true)
					Interlocked.Increment(ref _builds);
				else
					Interlocked.Increment(ref _failed);
				await context.ExecuteAsync("DROP INDEX soak_index_a");
			}
			catch (Exception ex)
			{
				context.Fail("index builds", ex);
			}

			await Task.Delay(TimeSpan.FromSeconds(3), CancellationToken.None);
		}
	}

	public List<string> Check() =>
		[$"{(Interlocked.Read(ref _failed) == 0 ? "ok  " : "FAIL")} index builds: {Builds:N0} completed, {Interlocked.Read(ref _failed)} failed"];
}
