using System.Diagnostics;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;

using Microsoft.Extensions.Logging;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

/// <summary>
/// How one wait for a job is reported: a <c>WaitForJob</c> span (job id, type, final status, outcome), log messages at
/// the start, on each status change and at the end, the wait's duration, and each status change to the caller's progress.
/// </summary>
sealed class JobWait
{
	readonly string                   _jobId;
	readonly ILogger                  _logger;
	readonly IProgress<AuroraDsqlJob>? _progress;
	readonly Activity?                _activity;
	readonly long                     _started = Stopwatch.GetTimestamp();
	string?                           _status;
	bool                              _ended;

	public JobWait(DataConnection db, string jobId, IProgress<AuroraDsqlJob>? progress)
	{
		_jobId    = jobId;
		_logger   = ProviderLoggers.For(db.Options, ProviderLoggers.Schema);
		_progress = progress;
		_activity = Telemetry.Start("WaitForJob");
		_activity?.SetTag("db.aurora_dsql.job.id", jobId);
	}

	/// <summary>Takes in a poll's answer; returns <see langword="true"/> when the job completed (a failed one throws).</summary>
	public bool Observed(AuroraDsqlJob job)
	{
		if (_status is null)
		{
			_logger.WaitingForJob(job.JobId, job.JobType ?? "job", job.ObjectName ?? "an object");
			if (_activity is { IsAllDataRequested: true })
			{
				_activity.SetTag("db.aurora_dsql.job.type", job.JobType);
				_activity.SetTag("db.aurora_dsql.job.object", job.ObjectName);
			}
		}

		if (!string.Equals(_status, job.Status, StringComparison.Ordinal))
		{
			_status = job.Status;
			_logger.JobStatus(job.JobId, job.Status);
			_progress?.Report(job);
		}

		if (job.IsFailed)
		{
			_logger.JobFailed(job.JobId, job.JobType ?? "job", job.ObjectName ?? "an object", job.Details ?? "no details");
			throw new AuroraDsqlJobFailedException(job);
		}

		if (!job.IsCompleted)
			return false;

		var elapsed = Stopwatch.GetElapsedTime(_started);
		_logger.JobCompleted(job.JobId, (long)elapsed.TotalMilliseconds);
		End("completed", null);
		return true;
	}

	public TimeoutException TimedOut(TimeSpan timeout)
	{
		_logger.JobTimedOut(_jobId, timeout);
		var error = new TimeoutException($"Aurora DSQL job {_jobId} did not finish within {timeout}. It keeps running; wait again or check sys.jobs.");
		End("timeout", error);
		return error;
	}

	public InvalidOperationException Missing() =>
		new($"Aurora DSQL job {_jobId} is not in sys.jobs (finished jobs are removed after 30 minutes).");

	/// <summary>The wait ended with <paramref name="error"/> (unless it was already reported).</summary>
	public void Ended(Exception error) =>
		End(error switch
		{
			OperationCanceledException   => "cancelled",
			AuroraDsqlJobFailedException => "failed",
			_                            => "error",
		}, error);

	void End(string outcome, Exception? error)
	{
		if (_ended)
			return;

		_ended = true;
		Telemetry.JobWaitDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, new KeyValuePair<string, object?>(Telemetry.OutcomeTag, outcome));

		if (_activity is { IsAllDataRequested: true } && _status != null)
			_activity.SetTag("db.aurora_dsql.job.status", _status);

		if (error is null)
			Telemetry.Succeeded(_activity, outcome);
		else
			Telemetry.Failed(_activity, outcome, error);
	}
}
