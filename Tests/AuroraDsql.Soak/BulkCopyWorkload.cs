using LinqToDB;
using LinqToDB.Data;
using LinqToDB.Mapping;

namespace AuroraDsql.Soak;

/// <summary>
/// Bulk copies of 7,000 rows (three chunks), sequential and parallel, some chunks' COMMITs failing: each copy must land
/// every row exactly once.
/// </summary>
sealed class BulkCopyWorkload(SoakContext context)
{
	public const string ApplicationName = "soak-bulk";
	const int Rows = 7_000;

	[Table]
	sealed class BulkRow
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	long _copies;
	long _rows;
	long _wrong;

	public long Copies => Interlocked.Read(ref _copies);

	public async Task RunAsync(CancellationToken stop)
	{
		var round = 0;
		await using var db = new DataConnection(context.ProviderOptions(ApplicationName));
		while (!stop.IsCancellationRequested)
		{
			var name = $"soak_bulk_{round % 4}";
			try
			{
				await context.ExecuteAsync($"DROP TABLE IF EXISTS {name}");
				await context.ExecuteAsync($"CREATE TABLE {name} (\"Id\" int PRIMARY KEY, \"Name\" text NOT NULL)");

				if (round % 3 == 1)
					context.Endpoint.FailNextCommits(1, "OC000", ApplicationName);

				var table  = db.GetTable<BulkRow>().TableName(name);
				var result = await table.BulkCopyAsync(new BulkCopyOptions { MaxDegreeOfParallelism = round % 2 == 0 ? 1 : 2 },
					Enumerable.Range(1, Rows).Select(i => new BulkRow { Id = i, Name = "row " + i }), CancellationToken.None);
				var count = await LinqToDB.Async.AsyncExtensions.CountAsync(table, CancellationToken.None);

				Interlocked.Increment(ref _copies);
				Interlocked.Add(ref _rows, count);
				if (result.RowsCopied != Rows || count != Rows)
					Interlocked.Increment(ref _wrong);
			}
			catch (Exception ex)
			{
				context.Fail("bulk copy", ex);
			}

			context.Endpoint.ClearCommitFailures();
			round++;
			await Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None);
		}
	}

	public List<string> Check() =>
		[$"{(Interlocked.Read(ref _wrong) == 0 ? "ok  " : "FAIL")} bulk copies: {Copies:N0} of {Rows:N0} rows each, {Interlocked.Read(ref _rows):N0} rows in all, wrong counts: {Interlocked.Read(ref _wrong)}"];
}
