using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;

namespace AuroraDsql.Soak;

/// <summary>
/// Conflicting transactions through the provider: workers increment a few hot counters, each transaction also recording its
/// operation's id (the same id on every retry of it), under injected COMMIT failures. Afterwards every counter must equal
/// the operations recorded for it, and those the operations the workers saw commit: nothing lost, nothing applied twice.
/// </summary>
sealed class CounterWorkload(SoakContext context, int workers, int counters)
{
	public const string ApplicationName = "soak-counters";

	long _committed;
	long _ambiguous;
	long _retryLimit;
	long _retries;

	public long Committed => Interlocked.Read(ref _committed);
	public long Ambiguous => Interlocked.Read(ref _ambiguous);
	public long RetryLimit => Interlocked.Read(ref _retryLimit);
	public long Retries => Interlocked.Read(ref _retries);

	public async Task SetUpAsync()
	{
		await context.ExecuteAsync("CREATE TABLE soak_counters (id int PRIMARY KEY, v bigint NOT NULL)");
		await context.ExecuteAsync("CREATE TABLE soak_ops (op_id uuid PRIMARY KEY, counter int NOT NULL)");
		await context.ExecuteAsync($"INSERT INTO soak_counters SELECT g, 0 FROM generate_series(0, {counters - 1}) g");
	}

	public Task RunAsync(CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkerAsync(w, stop))));

	async Task WorkerAsync(int worker, CancellationToken stop)
	{
		var random = new Random(context.Seed + worker);
		var retry  = new AuroraDsqlRetryOptions
		{
			MaxRetries = 12, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(200),
			OnRetry = (_, _, _) => Interlocked.Increment(ref _retries),
		};

		await using var db = new DataConnection(context.ProviderOptions(ApplicationName));
		while (!stop.IsCancellationRequested)
		{
			var counter = random.Next(counters);
			var op      = Guid.NewGuid();
			try
			{
				await db.InTransactionAsync(async (tx, ct) =>
				{
					await tx.ExecuteAsync("UPDATE soak_counters SET v = v + 1 WHERE id = @id", new DataParameter("id", counter));
					await tx.ExecuteAsync("INSERT INTO soak_ops (op_id, counter) VALUES (@op, @id)", new DataParameter("op", op), new DataParameter("id", counter));
				}, retry, CancellationToken.None);
				Interlocked.Increment(ref _committed);
			}
			catch (AuroraDsqlAmbiguousCommitException)
			{
				Interlocked.Increment(ref _ambiguous); // an injected XX000 at COMMIT: rolled back, as the check below finds
			}
			catch (AuroraDsqlRetryLimitExceededException)
			{
				Interlocked.Increment(ref _retryLimit);
			}
			catch (Exception ex)
			{
				context.Fail("counters", ex);
			}
		}
	}

	/// <summary>The invariants; returns the lines of the report (failures start with "FAIL").</summary>
	public async Task<List<string>> CheckAsync()
	{
		var operations = Convert.ToInt64(await context.ScalarAsync("SELECT count(*) FROM soak_ops"), System.Globalization.CultureInfo.InvariantCulture);
		var distinct   = Convert.ToInt64(await context.ScalarAsync("SELECT count(DISTINCT op_id) FROM soak_ops"), System.Globalization.CultureInfo.InvariantCulture);
		var total      = Convert.ToInt64(await context.ScalarAsync("SELECT coalesce(sum(v), 0) FROM soak_counters"), System.Globalization.CultureInfo.InvariantCulture);
		var mismatched = Convert.ToInt64(await context.ScalarAsync(
			"SELECT count(*) FROM soak_counters c WHERE c.v <> (SELECT count(*) FROM soak_ops o WHERE o.counter = c.id)"), System.Globalization.CultureInfo.InvariantCulture);

		return
		[
			$"{(operations == Committed ? "ok  " : "FAIL")} operations recorded {operations:N0} = transactions the workers saw commit {Committed:N0} " +
				$"(ambiguous COMMITs thrown: {Ambiguous:N0}, retry limits: {RetryLimit:N0}, retries: {Retries:N0})",
			$"{(distinct == operations ? "ok  " : "FAIL")} no operation applied twice ({distinct:N0} distinct of {operations:N0})",
			$"{(total == operations && mismatched == 0 ? "ok  " : "FAIL")} counters exact: sum {total:N0}, counters off their operations: {mismatched}",
		];
	}
}
