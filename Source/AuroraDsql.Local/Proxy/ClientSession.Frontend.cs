using System.Buffers;
using System.Net.Sockets;
using System.Text;
using AuroraDsql.Local.Classification;
using AuroraDsql.Local.Protocol;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Proxy;

// The frontend loop (client → backend), on the connection's own thread: reads whole client messages, classifies the
// statements of each Query, injects the proxy's own queries at boundaries, and records what the backend owes for each
// forwarded message. The extended protocol (Parse/Bind/Execute/Close) is in ClientSession.ExtendedQuery.cs.

sealed partial class ClientSession
{
	void FrontendLoop()
	{
		try
		{
			var terminate = false;
			while (!_termination.IsStopping && !terminate)
			{
				lock (_gate)
				{
					while (!_termination.IsStopping && _front.ClientIn.TryReadMessage(out var type, out var message))
					{
						if ((FrontendMessageCode)type == FrontendMessageCode.Terminate)
						{
							terminate = true;
							break;
						}

						var pending = HandleFrontendMessageAsync((FrontendMessageCode)type, new ReadOnlySequence<byte>(message));
						if (!pending.IsCompletedSuccessfully)
							pending.AsTask().GetAwaiter().GetResult();

						// The recorded block ended (COMMIT, ROLLBACK, or the backend said so).
						if (_front.Record != null && !_transactions.InBlock)
							EndRecording();
					}

					// No whole message left: send what was gathered, then wait for more.
					FlushBackend();
					if (_front.AwaitsAnswer)
					{
						// The client sent what it waits on: one round trip (however many flushes it took to send), unless all it
						// carried was a read of the endpoint's own statistics.
						_front.AwaitsAnswer = false;
						if (_front.CountedStatements > 0 || _front.UncountedStatements == 0)
							_counters.OnRoundTrip();
						_front.CountedStatements = _front.UncountedStatements = 0;
					}
				}

				if (!terminate && !_front.ClientIn.Fill(_clientStream))
					break;
			}
		}
		catch (PgProtocolException ex)
		{
			// Malformed client input (a length the message type may not have, a string without its end…): as PostgreSQL,
			// FATAL 08P01 and the connection closes.
			_services.Log($"session {ProcessId}: protocol error: {ex.Message}");
			RequestTermination("08P01", ex.Message);
		}
		catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
		{
		}
		catch (Exception ex) when (IsUnexpected(ex))
		{
			// A bug must end this session, not the process hosting the endpoint.
			_services.Log($"session {ProcessId}: internal error in the frontend loop: {ex}");
			RequestTermination("XX000", "internal error in the local DSQL endpoint");
		}
	}

	void FlushBackend()
	{
		if (_front.BackendOut.WrittenCount == 0)
			return;

		if (_front.Record is { } record)
		{
			if (record.IsRecording)
				record.Append(_front.BackendOut.WrittenSpan[record.PendingFrom..]);
			record.PendingFrom = 0;
		}

		_backend!.Stream.Write(_front.BackendOut.WrittenSpan);
		_front.BackendOut.ResetWrittenCount();
		if (_front.BackendOut.Capacity > 1 << 20)
			_front.BackendOut = new ArrayBufferWriter<byte>(16 * 1024);
	}

	ValueTask HandleFrontendMessageAsync(FrontendMessageCode type, ReadOnlySequence<byte> message)
	{
		// A round trip: the client sends what it then waits on when every Query or Sync it sent before is answered and
		// the answer is out (what it sends before that is pipelined, in the same trip), or ends a COPY's data (it waited
		// for the COPY to start before).
		if (type is FrontendMessageCode.CopyDone or FrontendMessageCode.CopyFail
			|| (type is FrontendMessageCode.Query or FrontendMessageCode.Sync or FrontendMessageCode.FunctionCall or FrontendMessageCode.Flush
				&& !_front.AwaitsAnswer && !_tracker.AwaitsReady && _delayedWriter?.IsHolding != true))
		{
			_front.AwaitsAnswer = true;
			_delayedWriter?.BeginRoundTrip(); // the simulated latency of its answer counts from the answer's first piece
		}

		if (_front.DeferredExecute != null)
			ReleaseDeferredExecute(followedBySync: type == FrontendMessageCode.Sync);

		if (_front.DiscardUntilSync)
		{
			// A COMMIT failed (as the client will see): like the server after an error, ignore everything up to Sync. A Flush
			// still goes through: the client waits for the COMMIT's answer (the error) before it sends Sync.
			if (type == FrontendMessageCode.Flush)
				Copy(_front.BackendOut, message);
			if (type != FrontendMessageCode.Sync)
				return ValueTask.CompletedTask;
			_front.DiscardUntilSync = false;
		}

		if (_front.DeferredParse != null && type != FrontendMessageCode.Bind)
			ReleaseDeferredParse();

		switch (type)
		{
			case FrontendMessageCode.Query:
				return HandleQueryAsync(message);
			case FrontendMessageCode.Parse:
				HandleParse(message);
				return ValueTask.CompletedTask;
			case FrontendMessageCode.Bind:
				return HandleBindAsync(message);
			case FrontendMessageCode.Execute:
				HandleExecute(message);
				return ValueTask.CompletedTask;
			case FrontendMessageCode.Describe:
				if (_transactions.LostConflict != null && message.Length > 5 && (StatementOrPortal)message.Slice(5, 1).FirstSpan[0] == StatementOrPortal.Portal)
				{
					var offset = 6;
					RebindLostPortal(PgMessageReader.ReadCString(message.ToArray(), ref offset));
				}

				Forward(message, new Expectation(ExpectationKind.Describe), boundary: false);
				return ValueTask.CompletedTask;
			case FrontendMessageCode.Close:
				if (_front.Statements.Count > 0 || _front.Portals.Count > 0)
					ForgetClosed(message);
				Forward(message, new Expectation(ExpectationKind.Close), boundary: false);
				return ValueTask.CompletedTask;
			case FrontendMessageCode.Sync:
				// What was bound and not executed by now never runs.
				_transactions.Current.PendingDdl = 0;
				_transactions.Current.PendingDml = 0;
				Forward(message, new Expectation(ExpectationKind.Sync), boundary: true);
				_transactions.OnBoundary();
				return ValueTask.CompletedTask;
			case FrontendMessageCode.FunctionCall:
				Forward(message, new Expectation(ExpectationKind.FunctionCall), boundary: true);
				_transactions.OnBoundary();
				return ValueTask.CompletedTask;
			default:
				// CopyData/CopyDone/CopyFail, Flush, and anything else: the backend answers (or complains) in line.
				Copy(_front.BackendOut, message);
				return ValueTask.CompletedTask;
		}
	}

	/// <summary>Counts the statements of a Query or an Execute (those that only read the endpoint's statistics are not).</summary>
	void CountStatements(int counted, int uncounted)
	{
		_counters.OnStatements(counted);
		_front.CountedStatements += counted;
		_front.UncountedStatements += uncounted;
	}

	void Forward(in ReadOnlySequence<byte> message, in Expectation expectation, bool boundary)
	{
		_tracker.Enqueue(expectation);
		Copy(_front.BackendOut, message);
		_front.AtBoundary = boundary;
	}

	async ValueTask HandleQueryAsync(ReadOnlySequence<byte> message)
	{
		var body = message.Slice(5);
		var sql  = Encoding.UTF8.GetString(body.Slice(0, Math.Max(0, body.Length - 1)));

		var statements = StatementSplitter.Split(sql, _info!.StandardConformingStrings);

		// A COMMIT of a block that lost its rows while idle: it wins if it can be run again with the same answers.
		if (statements.Count == 1 && _front.Record?.Snapshot != null && TransactionControlDetector.Detect(statements[0]) == TransactionControl.Commit)
			await TryRunAgainAtCommitAsync().ConfigureAwait(false);

		StatementPlan?[]? plans = null;
		List<(int Index, string JobId)>? waits = null;
		var forwarded = statements.Count; // statements after a refusal never run: they are not sent
		var inBlockBefore = _transactions.InBlock;

		for (var k = 0; k < statements.Count; k++)
		{
			var statement = statements[k];
			var inBlock   = _transactions.InBlock;
			var context   = new StatementContext(statement, QueryProtocol.Simple, statements.Count, null, _info, _transactions.Current);
			var control   = TransactionControlDetector.Detect(statement);
			var lostVerdict = LostConflictVerdict(control);
			if (lostVerdict is { FailsCommit: false })
				DropKeptSnapshot(); // the lost block fails here: it will not be run again
			var plan      = lostVerdict is { } lost
				? (lost.FailsCommit ? StatementPlan.FailCommit(lost) : StatementPlan.Refuse(statement, lost.SqlState, lost.Message))
				: _services.Classifiers.Classify(context);

			if (plan?.CheckExecute?.Invoke(context.Transaction, _info) is { } verdict)
				plan = verdict.FailsCommit ? StatementPlan.FailCommit(verdict) : StatementPlan.Refuse(statement, verdict.SqlState, verdict.Message, hint: verdict.Hint);

			var ends = plan is { IsRefusal: true } or { CompletionError: not null };
			if (plan is not { IsRefusal: true })
				plan?.OnExecute?.Invoke(context.Transaction);
			_transactions.OnStatement(plan is { IsRefusal: true } ? TransactionControl.None : control);

			if (plan != null)
			{
				plans ??= new StatementPlan?[statements.Count];
				plans[k] = plan;

				if (plan.WaitForJob?.LiteralId is { } jobId && !inBlock)
					(waits ??= []).Add((k, jobId));
			}

			if (ends)
			{
				forwarded = k + 1;
				break;
			}
		}

		var uncounted = plans?.Count(p => p?.IsEndpointQuery == true) ?? 0;
		CountStatements(statements.Count - uncounted, uncounted);

		if (plans != null && _front.AtBoundary)
			Inject(plans);

		if (waits != null)
		{
			foreach (var (index, jobId) in waits)
			{
				if (!await WaitForJobAsync(jobId).ConfigureAwait(false))
					plans![index] = StatementPlan.Refuse(statements[index], "57014", "canceling statement due to user request");
			}
		}

		var expectation = new Expectation(ExpectationKind.Query) { Plans = plans };
		var replayable = inBlockBefore && statements.Count == 1 && plans is [{ } single] && IsReplayableWrite(single);

		if (forwarded == statements.Count && (plans is null || Array.TrueForAll(plans, p => p?.Sql is null)))
		{
			if (replayable)
				expectation.Replay = message.ToArray();
			Forward(message, expectation, boundary: true);
		}
		else
		{
			var rewritten = new StringBuilder(sql.Length + 64);
			var copied = 0;
			for (var k = 0; k < forwarded; k++)
			{
				if (plans![k]?.Sql is not { } replacement)
					continue;
				rewritten.Append(sql, copied, statements[k].Start - copied).Append(replacement);
				copied = statements[k].End;
			}

			var end = forwarded == statements.Count ? sql.Length : statements[forwarded - 1].End;
			rewritten.Append(sql, copied, end - copied);

			_front.Builder.Clear();
			_front.Builder.Query(rewritten.ToString());
			if (replayable)
				expectation.Replay = _front.Builder.WrittenSpan.ToArray();
			_tracker.Enqueue(expectation);
			_front.BackendOut.Write(_front.Builder.WrittenSpan);
			_front.AtBoundary = true;
		}

		_transactions.OnBoundary();

		// A BEGIN alone: record the block from here (see TransactionRecord).
		if (!inBlockBefore && _transactions.InBlock && statements.Count == 1 && forwarded == 1)
			StartRecording();
	}

	/// <summary>Sends the plans' injected queries ahead of the client's message (only at a Query/Sync boundary).</summary>
	void Inject(StatementPlan?[] plans)
	{
		foreach (var plan in plans)
		{
			if (plan?.InjectBefore is null)
				continue;

			foreach (var sql in plan.InjectBefore)
				InjectQuery(sql);
		}
	}

	/// <summary>
	/// Sends a simple query of the proxy's own on the backend connection; its responses are swallowed up to its
	/// ReadyForQuery. Only valid at a Query/Sync boundary, from the frontend loop.
	/// </summary>
	public InjectedQuery InjectQuery(string sql) => InjectQuery(new InjectedQuery(sql));

	/// <summary>Sends <paramref name="injected"/> (see <see cref="InjectQuery(string)"/>).</summary>
	InjectedQuery InjectQuery(InjectedQuery injected)
	{
		_front.Builder.Clear();
		_front.Builder.Query(injected.Sql);
		_tracker.Enqueue(new Expectation(ExpectationKind.Injected) { Injected = injected });
		_front.BackendOut.Write(_front.Builder.WrittenSpan);
		return injected;
	}
}
