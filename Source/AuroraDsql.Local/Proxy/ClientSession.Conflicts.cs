using System.Buffers;
using AuroraDsql.Local.Classification;
using AuroraDsql.Local.Protocol;

namespace AuroraDsql.Local.Proxy;

// Optimistic conflicts as DSQL reports them. An idle transaction that holds a row another transaction waits for is
// rolled back by the conflict monitor's thread and fails at COMMIT (TryAbortIdleTransaction) unless it commits first
// and can be run again (ClientSession.Redo.cs); a write that lost its row
// to a later snapshot is run again on a fresh snapshot by the backend loop, and its transaction fails at COMMIT
// (TryReplay). Both act on the session only under the gate, and only while the client waits for nothing else.

sealed partial class ClientSession
{
	/// <summary>
	/// Ends the session's transaction because another transaction waits for a row it wrote or locked, provided the session
	/// is idle in a transaction block (the client is not sending and every statement has been answered). The backend's
	/// transaction is rolled back, which releases its rows, and a new empty one is begun, so the client's view of its
	/// block stays true; the client then gets <paramref name="conflict"/> from its COMMIT (or from any other statement
	/// before it), as the later committer of a conflicting write does on DSQL. The block's snapshot is kept first, so that
	/// a COMMIT that comes before the waiter's can run the block again and win (see ClientSession.Redo.cs).
	/// Returns false, changing nothing, when the session is busy, not in a block, or no longer in the transaction counted
	/// by <paramref name="endedTransactions"/>. Called from the conflict monitor's thread.
	/// </summary>
	public bool TryAbortIdleTransaction(ExecutionVerdict conflict, int waiterProcessId, long endedTransactions)
	{
		if (!Monitor.TryEnter(_gate))
			return false;

		try
		{
			// Still idle in the same transaction that held the row when the monitor looked.
			if (!ClientAwaitsNothingElse() || _tracker.AwaitsReady || !_transactions.InBlock || _transactions.EndedTransactions != endedTransactions)
				return false;

			// A failed block holds no locks (PostgreSQL released them at the error). A transaction that lost already may still
			// hold the rows of a write that was run again (see AfterReplay): they go the same way.
			var transaction = _transactions.Current;
			if (_transactions.BackendStatus != TransactionStatus.InTransactionBlock)
				return false;

			// A block that loses its rows while recorded may still win at COMMIT (see ClientSession.Redo.cs): its snapshot
			// is kept for the run again. (One that lost already is left as it is: the monitor may find it again while the
			// backend has not yet released its rows.)
			var record = _front.Record;
			if (record is { IsRecording: true })
			{
				var canWin = record.IsComplete && transaction.LostConflict == null && transaction.DdlCount == 0;
				StopRecording(giveUp: !canWin);
				if (canWin && (record.Snapshot = KeepSnapshot()) == null)
					record.GiveUp();
			}

			InjectQuery("ROLLBACK; BEGIN");
			transaction.LostConflict ??= conflict;
			FlushBackend();
			_services.Log($"session {ProcessId}: idle transaction rolled back: session {waiterProcessId} waits for a row it wrote or locked; it fails with {conflict.SqlState} {conflict.Message}"
				+ (record?.Snapshot != null ? " unless it commits first (it then runs again on its snapshot)" : ""));
			return true;
		}
		finally
		{
			Monitor.Exit(_gate);
		}
	}

	/// <summary>
	/// What a statement of a transaction that lost a conflict (<see cref="TryAbortIdleTransaction"/>) gets: its COMMIT
	/// fails (and ends the transaction); ROLLBACK goes through; any other statement fails and aborts the block. Once the
	/// backend reported the block failed, it behaves like any failed one (25P02, COMMIT answers ROLLBACK).
	/// </summary>
	ExecutionVerdict? LostConflictVerdict(TransactionControl control)
	{
		if (_transactions.LostConflict is not { } lost || _transactions.Current.IsFailed)
			return null;

		return control switch
		{
			TransactionControl.Commit   => lost with { FailsCommit = true },
			TransactionControl.Rollback => null,
			_                           => lost,
		};
	}

	/// <summary>A write (or locking read) that <see cref="TryReplay"/> may run again after it lost a row.</summary>
	bool IsReplayableWrite(StatementPlan plan) =>
		_services.Options.ConflictsAtCommit
		&& plan is { OnExecute: not null, IsDdl: false, IsRefusal: false, CompletionError: null, InjectBefore: null, WaitForJob: null, SubmitsJob: false };

	/// <summary>
	/// A portal bound before the transaction lost a conflict went with the backend's transaction: bind it again to what a
	/// statement of the lost transaction gets (the conflict, or the failing COMMIT), so that executing or describing it does
	/// not answer "portal does not exist". The client sent no Bind: its BindComplete is swallowed. True when rebound.
	/// </summary>
	bool RebindLostPortal(string portal)
	{
		if (!_front.Portals.TryGetValue(portal, out var info) || ReferenceEquals(info.Plan, RefusedPortal) || info.Plan?.CompletionError != null)
			return false;

		if (LostConflictVerdict(info.Control) is not { } lost)
			return false;

		BindHidden(portal, lost, clientSentBind: false);
		return true;
	}

	/// <summary>
	/// PostgreSQL's answer to a write of a row that a transaction committed after the writer's snapshot (also after
	/// waiting for that transaction): the writer is the later committer.
	/// </summary>
	static bool IsSnapshotConflict(in ReadOnlySequence<byte> message)
	{
		var fields = PgMessageReader.ReadErrorFields(message.Slice(5).ToArray());
		return fields.GetValueOrDefault(ErrorFieldCode.SqlState) == "40001"
			&& fields.GetValueOrDefault(ErrorFieldCode.Message, "").StartsWith("could not serialize access due to concurrent", StringComparison.Ordinal);
	}

	/// <summary>
	/// A write in a block failed on a row committed after its snapshot, where DSQL would fail only the COMMIT (OC000): the
	/// backend's transaction is rolled back, the statement replayed on a fresh snapshot and rolled back again, and the
	/// transaction marked lost (<see cref="LostConflictVerdict"/>). Only while the client waits for this answer; otherwise
	/// the statement fails with OC000. Runs on the backend loop at the statement's ReadyForQuery, which it replaces.
	/// </summary>
	bool TryReplay(in ReadOnlySequence<byte> readyForQuery)
	{
		var replay = _back.PendingReplay!;
		_back.PendingReplay = null;

		// Only a statement that failed inside a block (the proxy's prediction of the block may be ahead of the backend).
		if ((TransactionStatus)readyForQuery.Slice(5, 1).FirstSpan[0] == TransactionStatus.InFailedTransactionBlock && Monitor.TryEnter(_gate, GateWait))
		{
			try
			{
				if (ClientAwaitsNothingElse())
				{
					// The statement's boundary is answered by the replay's.
					_tracker.OnClientReady();

					StopRecording(giveUp: true); // lost to a transaction that committed first: it cannot win
					InjectQuery("ROLLBACK; BEGIN; SET LOCAL lock_timeout = 1");
					var original = replay.Expectation;
					if (original.Kind == ExpectationKind.Query)
						_tracker.Enqueue(new Expectation(ExpectationKind.Query) { Plans = original.Plans, IsReplay = true });
					else
					{
						if ((FrontendMessageCode)original.Replay![0] == FrontendMessageCode.Parse)
							_tracker.Enqueue(new Expectation(ExpectationKind.Swallowed) { IsReplay = true }); // ParseComplete: the client has it
						_tracker.Enqueue(new Expectation(ExpectationKind.Swallowed) { IsReplay = true }); // BindComplete: the client has it
						_tracker.Enqueue(new Expectation(ExpectationKind.Execute) { Plan = original.Plan, IsReplay = true });
						_tracker.Enqueue(new Expectation(ExpectationKind.Sync) { IsReplay = true });
					}

					_front.BackendOut.Write(original.Replay);
					if (original.Kind == ExpectationKind.Execute)
					{
						_front.Builder.Clear();
						_front.Builder.Sync();
						_front.BackendOut.Write(_front.Builder.WrittenSpan);
					}

					FlushBackend();

					var conflict = _services.RowConflict;
					_transactions.Current.LostConflict = conflict;
					var fields = PgMessageReader.ReadErrorFields(replay.Error.AsSpan(5).ToArray());
					_services.Log($"session {ProcessId}: {fields.GetValueOrDefault(ErrorFieldCode.SqlState)} {fields.GetValueOrDefault(ErrorFieldCode.Message)}: the statement runs again on a fresh snapshot, the transaction fails at COMMIT with {conflict.SqlState} {conflict.Message}");
					return false;
				}
			}
			finally
			{
				Monitor.Exit(_gate);
			}
		}

		var error = new ReadOnlySequence<byte>(replay.Error);
		CopyError(error, replay.Expectation.Kind == ExpectationKind.Query ? replay.Expectation.Plans?[0] : replay.Expectation.Plan);
		return OnReadyForQuery(readyForQuery);
	}

	/// <summary>
	/// Under <see cref="_gate"/>: the client has sent nothing that is not answered yet (no half-sent pipeline, nothing held
	/// back, nothing outstanding), so the proxy may use the backend in between.
	/// </summary>
	bool ClientAwaitsNothingElse() =>
		!_termination.IsStopping && _front.AtBoundary && _front.DeferredParse == null && _front.DeferredExecute == null && _tracker.IsEmpty;

	// How long the backend loop waits for the frontend loop to finish what it is doing (usually: returning from the write
	// that sent the statement now answered) before it gives up running a lost write again.
	static readonly TimeSpan GateWait = TimeSpan.FromMilliseconds(250);

	/// <summary>
	/// The run again of a lost write was answered. If it succeeded its rows are locked in a transaction that will never
	/// commit: roll it back now, unless the client has sent more since (its next statement fails or rolls back anyway, and
	/// the conflict monitor rolls it back if someone waits for those rows). If it failed, the block is failed like any.
	/// </summary>
	void AfterReplay(in ReadOnlySequence<byte> readyForQuery)
	{
		if ((TransactionStatus)readyForQuery.Slice(5, 1).FirstSpan[0] != TransactionStatus.InTransactionBlock || !Monitor.TryEnter(_gate, GateWait))
			return;

		try
		{
			if (ClientAwaitsNothingElse())
			{
				InjectQuery("ROLLBACK; BEGIN");
				FlushBackend();
			}
		}
		finally
		{
			Monitor.Exit(_gate);
		}
	}
}
