namespace LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

/// <summary>Runs a batch (one committed transaction) until a batch touches fewer rows than the batch size.</summary>
static class BatchLoop
{
	public static int Run(int batchSize, Func<int> runBatch)
	{
		var total = 0;

		while (true)
		{
			var rows = runBatch();
			total += rows;

			if (rows < batchSize)
				return total;
		}
	}

	public static async Task<int> RunAsync(int batchSize, Func<CancellationToken, Task<int>> runBatch, CancellationToken cancellationToken)
	{
		var total = 0;

		while (true)
		{
			cancellationToken.ThrowIfCancellationRequested();

			var rows = await runBatch(cancellationToken).ConfigureAwait(false);
			total += rows;

			if (rows < batchSize)
				return total;
		}
	}
}
