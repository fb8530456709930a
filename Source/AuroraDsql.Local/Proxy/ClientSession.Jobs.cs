using System.Buffers;
using System.Text;
using AuroraDsql.Local.Classification;
using AuroraDsql.Local.Protocol;

namespace AuroraDsql.Local.Proxy;

// Asynchronous jobs: the frontend loop holds a CALL sys.wait_for_job until its job ends; the backend loop collects the
// ids of jobs a statement submitted and holds the next idle ReadyForQuery until they are visible.

sealed partial class ClientSession
{
	/// <summary>Waits for a job before the client's CALL runs; false when a CancelRequest interrupted the wait.</summary>
	async Task<bool> WaitForJobAsync(string jobId)
	{
		FlushBackend();

		using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
		lock (_cancelLock)
			_waitCancel = cancel;

		try
		{
			await _services.Jobs.WaitForCompletionAsync(jobId, cancel.Token).ConfigureAwait(false);
			return true;
		}
		catch (OperationCanceledException) when (!_lifetime.IsCancellationRequested)
		{
			return false;
		}
		finally
		{
			lock (_cancelLock)
				_waitCancel = null;
		}
	}

	async Task AwaitSubmittedJobsAsync()
	{
		string[] jobs = [.. _back.SubmittedJobs];
		_back.SubmittedJobs.Clear();

		await _services.Jobs.WaitUntilVisibleAsync(jobs, TimeSpan.FromSeconds(5), _lifetime.Token).ConfigureAwait(false);
	}

	void CaptureJobId(StatementPlan? plan, in ReadOnlySequence<byte> message)
	{
		if (plan is not { SubmitsJob: true })
			return;

		var body   = message.Slice(5).ToArray();
		var offset = 0;
		if (PgMessageReader.ReadInt16(body, ref offset) < 1)
			return;

		var length = PgMessageReader.ReadInt32(body, ref offset);
		if (length <= 0)
			return;

		var jobId = Encoding.UTF8.GetString(body, offset, length);
		_back.SubmittedJobs.Add(jobId);
	}
}
