using LinqToDB.Async;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Mapping;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

/// <summary>Reads and waits for DSQL's asynchronous jobs in <c>sys.jobs</c>.</summary>
static class JobClient
{
	const string SelectJob =
		"SELECT job_id, status, details, job_type, object_name, start_time, update_time FROM sys.jobs WHERE job_id = :jobId";

	static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(50);
	static readonly TimeSpan MaxPoll   = TimeSpan.FromSeconds(2);

	sealed class JobRow
	{
		[Column("job_id")]      public string    JobId      { get; set; } = "";
		[Column("status")]      public string    Status     { get; set; } = "";
		[Column("details")]     public string?   Details    { get; set; }
		[Column("job_type")]    public string?   JobType    { get; set; }
		[Column("object_name")] public string?   ObjectName { get; set; }
		[Column("start_time")]  public DateTime? StartTime  { get; set; }
		[Column("update_time")] public DateTime? UpdateTime { get; set; }

		public AuroraDsqlJob ToJob() => new(JobId, Status, Details, JobType, ObjectName, Utc(StartTime), Utc(UpdateTime));

		static DateTimeOffset? Utc(DateTime? value) =>
			value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
	}

	public static async Task<AuroraDsqlJob?> GetAsync(DataConnection db, string jobId, CancellationToken cancellationToken)
	{
		var rows = await db.QueryToListAsync<JobRow>(SelectJob, cancellationToken, new DataParameter("jobId", jobId, DataType.Text)).ConfigureAwait(false);
		return rows.Count == 0 ? null : rows[0].ToJob();
	}

	public static AuroraDsqlJob? Get(DataConnection db, string jobId)
	{
		var rows = db.Query<JobRow>(SelectJob, new DataParameter("jobId", jobId, DataType.Text)).ToList();
		return rows.Count == 0 ? null : rows[0].ToJob();
	}

	/// <summary>Polls until the job ends; a failed job throws <see cref="AuroraDsqlJobFailedException"/>.</summary>
	public static async Task<AuroraDsqlJob> WaitAsync(DataConnection db, string jobId, TimeSpan? timeout, IProgress<AuroraDsqlJob>? progress, CancellationToken cancellationToken)
	{
		// Polls must see fresh snapshots: never read inside the caller's transaction.
		var poller = db.Transaction is null ? db : new DataConnection(db.Options);
		var report = new JobWait(db, jobId, progress);

		try
		{
			using var deadline = timeout is { } t ? new CancellationTokenSource(t) : null;
			using var linked   = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline?.Token ?? CancellationToken.None);

			var delay = FirstPoll;

			while (true)
			{
				AuroraDsqlJob? job;

				try
				{
					job = await GetAsync(poller, jobId, linked.Token).ConfigureAwait(false);

					if (job != null && report.Observed(job))
						return job;

					await Task.Delay(delay, linked.Token).ConfigureAwait(false);
				}
				catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
				{
					throw report.TimedOut(timeout!.Value);
				}

				if (job is null)
					throw report.Missing();

				delay = TimeSpan.FromTicks(Math.Min(MaxPoll.Ticks, delay.Ticks * 2));
			}
		}
		catch (Exception ex)
		{
			report.Ended(ex);
			throw;
		}
		finally
		{
			if (!ReferenceEquals(poller, db))
				await poller.DisposeAsync().ConfigureAwait(false);
		}
	}

	/// <summary>Polls until the job ends (synchronously); a failed job throws <see cref="AuroraDsqlJobFailedException"/>.</summary>
	public static AuroraDsqlJob Wait(DataConnection db, string jobId, TimeSpan? timeout, IProgress<AuroraDsqlJob>? progress)
	{
		var poller   = db.Transaction is null ? db : new DataConnection(db.Options);
		var deadline = timeout is { } t ? DateTime.UtcNow + t : DateTime.MaxValue;
		var report   = new JobWait(db, jobId, progress);

		try
		{
			for (var delay = FirstPoll; ; delay = TimeSpan.FromTicks(Math.Min(MaxPoll.Ticks, delay.Ticks * 2)))
			{
				var job = Get(poller, jobId) ?? throw report.Missing();

				if (report.Observed(job))
					return job;

				var left = deadline - DateTime.UtcNow;
				if (left <= TimeSpan.Zero)
					throw report.TimedOut(timeout!.Value);

				Thread.Sleep(delay < left ? delay : left);
			}
		}
		catch (Exception ex)
		{
			report.Ended(ex);
			throw;
		}
		finally
		{
			if (!ReferenceEquals(poller, db))
				poller.Dispose();
		}
	}

	/// <summary>Waits for several jobs, one after the other, within one timeout; stops at the first that fails.</summary>
	public static async Task<IReadOnlyList<AuroraDsqlJob>> WaitAllAsync(DataConnection db, IReadOnlyList<string> jobIds, TimeSpan? timeout, IProgress<AuroraDsqlJob>? progress, CancellationToken cancellationToken)
	{
		var started = System.Diagnostics.Stopwatch.GetTimestamp();
		var jobs    = new List<AuroraDsqlJob>(jobIds.Count);

		foreach (var jobId in jobIds)
			jobs.Add(await WaitAsync(db, jobId, Left(timeout, started), progress, cancellationToken).ConfigureAwait(false));

		return jobs;
	}

	/// <summary>Waits for several jobs, one after the other, within one timeout; stops at the first that fails.</summary>
	public static IReadOnlyList<AuroraDsqlJob> WaitAll(DataConnection db, IReadOnlyList<string> jobIds, TimeSpan? timeout, IProgress<AuroraDsqlJob>? progress)
	{
		var started = System.Diagnostics.Stopwatch.GetTimestamp();
		var jobs    = new List<AuroraDsqlJob>(jobIds.Count);

		foreach (var jobId in jobIds)
			jobs.Add(Wait(db, jobId, Left(timeout, started), progress));

		return jobs;
	}

	static TimeSpan? Left(TimeSpan? timeout, long started)
	{
		if (timeout is not { } total)
			return null;

		var left = total - System.Diagnostics.Stopwatch.GetElapsedTime(started);
		return left > TimeSpan.Zero ? left : TimeSpan.Zero;
	}
}
