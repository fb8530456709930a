using System.Collections.Concurrent;
using System.Diagnostics;
using AuroraDsql.Local.Protocol;
using AuroraDsql.Local.Proxy;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Jobs;

/// <summary>
/// Runs DSQL's asynchronous DDL jobs. A submission (<c>sys.submit_index_build</c>, <c>sys.submit_validate_constraint</c>)
/// records a <c>submitted</c> row in <c>sys.jobs</c>; once it is committed, this worker picks it up and runs the real
/// statement (<c>CREATE INDEX CONCURRENTLY</c>, <c>ALTER TABLE … VALIDATE CONSTRAINT</c>) as the submitting role, moving
/// the job to <c>processing</c> and then <c>completed</c> or <c>failed</c>. A concurrent index build shows DSQL's states:
/// the index is in the catalog (INVALID) at once, and stays INVALID when the build fails.
/// </summary>
sealed class JobManager : IAsyncDisposable
{
	static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

	/// <summary>
	/// First key of the advisory lock a worker holds on a job while it runs it (second key: hash of the job id). Several
	/// endpoints may share one backend; the lock makes one of them run each job, and dies with the worker's connection.
	/// </summary>
	const int JobLockNamespace = 834711042;
	static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);

	readonly BackendEndpoint _backend;
	readonly TimeSpan _completionDelay;
	readonly TimeProvider _time;
	readonly Action<string> _log;
	readonly Action _schemaChanged;
	readonly ConcurrentDictionary<string, JobState> _jobs = new(StringComparer.Ordinal);
	int _waiters;
	readonly SemaphoreSlim _wake = new(0);
	readonly CancellationTokenSource _stop = new();
	readonly ConcurrentDictionary<Task, bool> _running = new();
	readonly ConcurrentDictionary<(string Schema, string Table), SemaphoreSlim> _tableGates = new();
	TaskCompletionSource _nextPoll = NewSignal();
	InternalConnection? _control;
	Task? _loop;

	public JobManager(BackendEndpoint backend, TimeSpan completionDelay, Action<string> log, Action? schemaChanged = null, TimeProvider? time = null)
	{
		_schemaChanged   = schemaChanged ?? (static () => { });
		_backend         = backend;
		_completionDelay = completionDelay;
		_time            = time ?? TimeProvider.System;
		_log             = log;
	}

	static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

	public async Task StartAsync(CancellationToken cancellationToken)
	{
		_control = await InternalConnection.OpenAsync(_backend, cancellationToken, applicationName: "aurora-dsql-local jobs").ConfigureAwait(false);

		// Jobs cut short by an earlier shutdown cannot be resumed (their concurrent build was aborted); a job another
		// endpoint on the same backend is running holds its lock and is left alone.
		await _control.ExecuteAsync(
			"UPDATE sys.jobs SET status = 'failed', details = 'interrupted: the endpoint stopped while the job was running', update_time = now() " +
			$"WHERE status = 'processing' AND pg_catalog.pg_try_advisory_lock({JobLockNamespace}, pg_catalog.hashtext(job_id)); " +
			"SELECT pg_catalog.pg_advisory_unlock_all()", cancellationToken).ConfigureAwait(false);

		_loop = Task.Run(LoopAsync, CancellationToken.None);
	}

	/// <summary>Asks the worker to look for new jobs now.</summary>
	public void Wake()
	{
		if (_wake.CurrentCount == 0)
			_wake.Release();
	}

	/// <summary>Completes after a look for new jobs that started after this call.</summary>
	async Task PollOnceAsync(CancellationToken cancellationToken)
	{
		var next = Volatile.Read(ref _nextPoll).Task;
		Wake();
		await next.WaitAsync(cancellationToken).ConfigureAwait(false);
	}

	/// <summary>
	/// After a transaction that submitted jobs ended: waits (at most <paramref name="timeout"/>) until each committed
	/// job's object is in the catalog, as on DSQL where the index is visible when the statement returns.
	/// Jobs rolled back with their transaction are skipped.
	/// </summary>
	public async Task WaitUntilVisibleAsync(IReadOnlyCollection<string> jobIds, TimeSpan timeout, CancellationToken cancellationToken)
	{
		using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
		limit.CancelAfter(timeout);

		try
		{
			if (jobIds.Any(id => !_jobs.ContainsKey(id)))
				await PollOnceAsync(limit.Token).ConfigureAwait(false);

			foreach (var id in jobIds)
			{
				if (_jobs.TryGetValue(id, out var job))
					await job.Visible.Task.WaitAsync(limit.Token).ConfigureAwait(false);
			}
		}
		catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
		{
			// timeout or shutdown: let the client go on
		}
	}

	/// <summary>How many sessions are waiting for a job now (tests).</summary>
	public int Waiters => Volatile.Read(ref _waiters);

	/// <summary>Waits until the job has ended; returns at once for jobs this worker does not run (unknown, finished).</summary>
	public async Task WaitForCompletionAsync(string jobId, CancellationToken cancellationToken)
	{
		using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
		Interlocked.Increment(ref _waiters);

		try
		{
			if (!_jobs.ContainsKey(jobId))
				await PollOnceAsync(linked.Token).ConfigureAwait(false);

			if (_jobs.TryGetValue(jobId, out var job))
				await job.Completed.Task.WaitAsync(linked.Token).ConfigureAwait(false);
		}
		catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
		{
			// shutdown
		}
		finally
		{
			Interlocked.Decrement(ref _waiters);
		}
	}

	async Task LoopAsync()
	{
		var token     = _stop.Token;
		var lastPrune = Stopwatch.StartNew();

		while (!token.IsCancellationRequested)
		{
			try
			{
				await _wake.WaitAsync(PollInterval, token).ConfigureAwait(false);
			}
			catch (OperationCanceledException)
			{
				break;
			}

			var poll = Interlocked.Exchange(ref _nextPoll, NewSignal());

			try
			{
				await PollAsync(token).ConfigureAwait(false);

				if (lastPrune.Elapsed > PruneInterval)
				{
					lastPrune.Restart();
					await _control!.ExecuteAsync(
						"DELETE FROM sys.jobs WHERE status IN ('completed', 'failed') AND update_time < now() - interval '30 minutes'", token).ConfigureAwait(false);
				}
			}
			catch (OperationCanceledException) when (token.IsCancellationRequested)
			{
				break;
			}
			catch (Exception ex) when (ex is PgServerException or PgProtocolException or IOException or System.Net.Sockets.SocketException)
			{
				_log($"job worker: {ex.Message}");
				if (ex is not PgServerException)
					await ReconnectAsync(token).ConfigureAwait(false);
			}
			catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
			{
				_log($"job worker: internal error: {ex}");
			}
			finally
			{
				poll.TrySetResult();
			}
		}
	}

	async Task ReconnectAsync(CancellationToken token)
	{
		try
		{
			if (_control != null)
				await _control.DisposeAsync().ConfigureAwait(false);
			await Task.Delay(200, token).ConfigureAwait(false);
			_control = await InternalConnection.OpenAsync(_backend, token, applicationName: "aurora-dsql-local jobs").ConfigureAwait(false);
		}
		catch (Exception ex) when (ex is PgServerException or PgProtocolException or IOException or System.Net.Sockets.SocketException)
		{
			_log($"job worker: reconnect failed: {ex.Message}");
		}
	}

	async Task PollAsync(CancellationToken token)
	{
		var rows = await _control!.QueryAsync(
			"SELECT r.job_id, j.job_type, r.role_name, r.search_path, r.statement, r.table_schema, r.table_name, r.object_schema, r.object_name " +
			"FROM sys.job_requests r JOIN sys.jobs j ON j.job_id = r.job_id WHERE j.status = 'submitted' ORDER BY j.start_time", token).ConfigureAwait(false);

		foreach (var row in rows)
		{
			var request = new JobRequest(row[0]!, row[1]!, row[2]!, row[3]!, row[4]!, row[5]!, row[6]!, row[7]!, row[8]!);
			var state   = new JobState();
			if (!_jobs.TryAdd(request.JobId, state))
				continue;

			var task = Task.Run(() => RunJobAsync(request, state, token), CancellationToken.None);
			_running[task] = true;
			_ = task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
		}
	}

	/// <summary>One <c>CREATE [UNIQUE] INDEX</c>, or one <c>ALTER TABLE name VALIDATE CONSTRAINT name</c>: nothing else runs as a job.</summary>
	internal static bool IsJobStatement(string jobType, string sql)
	{
		if (StatementSplitter.Split(sql) is not [var statement] || statement.HasLexicalError)
			return false;

		var shape = new AuroraDsql.Rules.StatementShape(statement);

		return jobType switch
		{
			"INDEX_BUILD"         => shape.Verb == "create" && shape.ObjectKind == "index",
			"VALIDATE_CONSTRAINT" => shape.Verb == "alter" && shape.ObjectKind == "table" && shape.Count is >= 6 and <= 8
				&& shape.Kw(shape.Count - 3, "validate") && shape.Kw(shape.Count - 2, "constraint") && shape.Name(shape.Count - 1) != null,
			_ => false,
		};
	}

	async Task RunJobAsync(JobRequest request, JobState state, CancellationToken token)
	{
		InternalConnection? status  = null;
		InternalConnection? worker  = null;
		InternalConnection? staller = null;
		SemaphoreSlim? gate = null;
		var gated = false;
		var succeeded = false;

		try
		{
			status = await InternalConnection.OpenAsync(_backend, token, applicationName: "aurora-dsql-local jobs").ConfigureAwait(false);
			var id      = SqlText.QuoteLiteral(request.JobId);
			var delayed = _completionDelay > TimeSpan.Zero;

			var claimed = await status.ScalarAsync(
				$"SELECT pg_catalog.pg_try_advisory_lock({JobLockNamespace}, pg_catalog.hashtext({id})) AND " +
				$"EXISTS (SELECT FROM sys.jobs WHERE job_id = {id} AND status = 'submitted')", token).ConfigureAwait(false);
			if (claimed != "t")
			{
				// Another endpoint runs it (or ran it already): follow its state for this endpoint's waiters.
				succeeded = await FollowAsync(status, id, state, token).ConfigureAwait(false);
				return;
			}

			// One build at a time per table: two concurrent builds of a table deadlock in PostgreSQL (each waits for the
			// other's snapshot). A queued job stays submitted and its index appears when it starts.
			gate = _tableGates.GetOrAdd((request.TableSchema, request.TableName), static _ => new SemaphoreSlim(1, 1));
			if (!await gate.WaitAsync(0, token).ConfigureAwait(false))
			{
				state.Visible.TrySetResult();
				await gate.WaitAsync(token).ConfigureAwait(false);
			}

			gated = true;

			if (delayed)
			{
				// Holding a lock that conflicts with the build's wait for writers keeps the index INVALID (and the job
				// unfinished) for the configured delay, without blocking the table's readers and writers.
				staller = await InternalConnection.OpenAsync(_backend, token, applicationName: "aurora-dsql-local jobs").ConfigureAwait(false);
				try
				{
					await staller.ExecuteAsync($"BEGIN; LOCK TABLE {Qualified(request.TableSchema, request.TableName)} IN ROW EXCLUSIVE MODE", token).ConfigureAwait(false);
				}
				catch (PgServerException)
				{
					await staller.DisposeAsync().ConfigureAwait(false);
					staller = null;
				}
			}
			else
				await SetStatusAsync(status, id, "processing", null, token).ConfigureAwait(false);

			// The request table is written through a function clients can reach: run only what the endpoint itself submits,
			// and never as a superuser.
			var superuser = await status.ScalarAsync(
				$"SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = {SqlText.QuoteLiteral(request.RoleName)}", token).ConfigureAwait(false);
			Task build;
			if (superuser != "f")
				build = Task.FromException(new PgServerException("not a role asynchronous jobs run as"));
			else if (!IsJobStatement(request.JobType, request.Statement))
				build = Task.FromException(new PgServerException("not a statement of an asynchronous job"));
			else
			{
				worker = await InternalConnection.OpenAsync(_backend, token, role: request.RoleName, applicationName: "aurora-dsql-local jobs").ConfigureAwait(false);
				await worker.ExecuteAsync($"SELECT sys.set_config('search_path', {SqlText.QuoteLiteral(request.SearchPath)}, false)", token).ConfigureAwait(false);
				build = worker.ExecuteAsync(request.Statement, token);
			}

			if (request.JobType == "INDEX_BUILD")
				await AwaitCatalogEntryAsync(status, id, request, build, token).ConfigureAwait(false);
			state.Visible.TrySetResult();

			if (delayed)
			{
				await Task.Delay(_completionDelay / 2, _time, token).ConfigureAwait(false);
				await SetStatusAsync(status, id, "processing", null, token).ConfigureAwait(false);
				await Task.Delay(_completionDelay / 2, _time, token).ConfigureAwait(false);
				if (staller != null)
				{
					await staller.ExecuteAsync("COMMIT", token).ConfigureAwait(false);
					await staller.DisposeAsync().ConfigureAwait(false);
					staller = null;
				}
			}

			string? details = null;
			try
			{
				await build.ConfigureAwait(false);
				succeeded = true;
			}
			catch (PgServerException ex)
			{
				details = ex.SqlState == "23505" ? "found duplicate key(s) while validating index uniqueness" : ex.Message;
			}

			await SetStatusAsync(status, id, succeeded ? "completed" : "failed", details, token).ConfigureAwait(false);
			_schemaChanged(); // on DSQL a finished build changes the schema under running transactions (OC001)
			_log($"job {request.JobId} ({request.JobType} {request.ObjectSchema}.{request.ObjectName}): {(succeeded ? "completed" : "failed: " + details)}");
		}
		catch (OperationCanceledException) when (token.IsCancellationRequested)
		{
			worker?.Abort();
		}
		catch (Exception ex) when (ex is PgServerException or PgProtocolException or IOException or System.Net.Sockets.SocketException)
		{
			_log($"job {request.JobId}: {ex.Message}");
			if (status != null)
			{
				try
				{
					await SetStatusAsync(status, SqlText.QuoteLiteral(request.JobId), "failed", ex.Message, token).ConfigureAwait(false);
				}
				catch (Exception inner) when (inner is PgServerException or PgProtocolException or IOException or OperationCanceledException)
				{
					// the row stays as it is
				}
			}
		}
		finally
		{
			if (gated)
				gate!.Release();
			state.Visible.TrySetResult();
			state.Completed.TrySetResult(succeeded);

			foreach (var connection in new[] { staller, worker, status })
			{
				if (connection != null)
					await connection.DisposeAsync().ConfigureAwait(false);
			}
		}
	}

	/// <summary>Polls a job run elsewhere until it has ended; true when it completed.</summary>
	static async Task<bool> FollowAsync(InternalConnection status, string id, JobState state, CancellationToken token)
	{
		state.Visible.TrySetResult();
		while (true)
		{
			var current = await status.ScalarAsync($"SELECT status FROM sys.jobs WHERE job_id = {id}", token).ConfigureAwait(false);
			if (current is null or "completed" or "failed")
				return current == "completed";
			await Task.Delay(50, token).ConfigureAwait(false);
		}
	}

	/// <summary>Waits until the concurrent build has put the (INVALID) index into the catalog, and records its oid.</summary>
	static async Task AwaitCatalogEntryAsync(InternalConnection status, string id, JobRequest request, Task build, CancellationToken token)
	{
		var lookup =
			"SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " +
			$"WHERE n.nspname = {SqlText.QuoteLiteral(request.ObjectSchema)} AND c.relname = {SqlText.QuoteLiteral(request.ObjectName)}";

		var deadline = Stopwatch.StartNew();
		while (!build.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(30))
		{
			var oid = await status.ScalarAsync(lookup, token).ConfigureAwait(false);
			if (oid != null)
			{
				await status.ExecuteAsync($"UPDATE sys.jobs SET object_id = {SqlText.QuoteLiteral(oid)}::oid WHERE job_id = {id}", token).ConfigureAwait(false);
				return;
			}

			await Task.Delay(3, token).ConfigureAwait(false);
		}

		var final = await status.ScalarAsync(lookup, token).ConfigureAwait(false);
		if (final != null)
			await status.ExecuteAsync($"UPDATE sys.jobs SET object_id = {SqlText.QuoteLiteral(final)}::oid WHERE job_id = {id}", token).ConfigureAwait(false);
	}

	static Task SetStatusAsync(InternalConnection connection, string quotedId, string status, string? details, CancellationToken token) =>
		connection.ExecuteAsync(
			$"UPDATE sys.jobs SET status = {SqlText.QuoteLiteral(status)}, details = {(details is null ? "NULL" : SqlText.QuoteLiteral(details))}, " +
			$"update_time = now() WHERE job_id = {quotedId}", token);

	static string Qualified(string schema, string name) => SqlText.QuoteIdentifier(schema) + "." + SqlText.QuoteIdentifier(name);

	public async ValueTask DisposeAsync()
	{
		await _stop.CancelAsync().ConfigureAwait(false);

		if (_loop != null)
			await _loop.ConfigureAwait(false);

		try
		{
			await Task.WhenAll(_running.Keys).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
		}
		catch (TimeoutException)
		{
			_log("job worker: jobs did not stop in time");
		}

		if (_control != null)
			await _control.DisposeAsync().ConfigureAwait(false);

		_stop.Dispose();
		_wake.Dispose();
	}

	sealed record JobRequest(string JobId, string JobType, string RoleName, string SearchPath, string Statement, string TableSchema, string TableName, string ObjectSchema, string ObjectName);

	sealed class JobState
	{
		public TaskCompletionSource Visible { get; } = NewSignal();

		public TaskCompletionSource<bool> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
	}
}
