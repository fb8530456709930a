using LinqToDB;
using LinqToDB.Async;
using LinqToDB.DataProvider.AuroraDsql;

using PetClinic.Model;

namespace PetClinic;

/// <summary>
/// Two transactions read the same vet and both record a visit. Aurora DSQL lets both run (optimistic concurrency); the
/// later committer gets SQLSTATE 40001 (OC000), and <c>InTransactionAsync</c> runs its unit of work again from BEGIN.
/// Both visits land.
/// </summary>
public sealed class ConflictDemonstration(DataOptions options, TextWriter output)
{
	public async Task RunAsync(Guid vetId, CancellationToken cancellationToken)
	{
		output.WriteLine("==> Two concurrent updates of one row");

		var bothRead  = new Barrier(2);
		var conflicts = 0;
		var retry     = new AuroraDsqlRetryOptions
		{
			BaseDelay = TimeSpan.FromMilliseconds(20),
			OnRetry   = (error, attempt, delay) =>
			{
				Interlocked.Increment(ref conflicts);
				output.WriteLine($"    attempt {attempt} conflicted ({FirstLine(error.Message)}); retrying in {delay.TotalMilliseconds:0} ms");
			},
		};

		async Task RecordVisitAsync(string clerk)
		{
			await using var db = new ClinicDb(options);
			var attempt = 0;

			await db.InTransactionAsync(async (tx, ct) =>
			{
				var vets   = tx.GetTable<Vet>();
				var visits = await vets.Where(v => v.Id == vetId).Select(v => v.Visits).SingleAsync(ct);

				// Only the first attempts wait for each other, so that both read the same value before either writes.
				if (++attempt == 1)
					bothRead.SignalAndWait(TimeSpan.FromSeconds(30), ct);

				await vets.Where(v => v.Id == vetId).Set(v => v.Visits, visits + 1).UpdateAsync(ct);
				output.WriteLine($"    {clerk} wrote visits = {visits + 1} (attempt {attempt})");
			}, retry, cancellationToken);
		}

		await Task.WhenAll(Task.Run(() => RecordVisitAsync("front desk"), cancellationToken), Task.Run(() => RecordVisitAsync("night shift"), cancellationToken));

		await using var check = new ClinicDb(options);
		var final = await check.Vets.Where(v => v.Id == vetId).Select(v => v.Visits).SingleAsync(cancellationToken);

		if (final != 2)
			throw new InvalidOperationException($"Check failed: both visits should have landed, but the vet has {final}.");
		if (conflicts == 0)
			throw new InvalidOperationException("Check failed: the two updates were expected to conflict.");

		output.WriteLine($"    ok: {conflicts} conflict(s) retried, both visits landed (visits = {final})");
	}

	static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
