using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using AuroraDsql.Local.Protocol;

namespace AuroraDsql.Local.Proxy;

// The first committer wins. A transaction block that lost its rows while idle (another transaction waited for them, see
// TryAbortIdleTransaction) may still commit first on DSQL, where nothing is decided before COMMIT. So every block is
// recorded (TransactionRecord: its messages, and a digest of the answers its client got), the snapshot of a block that
// loses its rows is kept (KeptSnapshot), and at its COMMIT the block is run again on that snapshot: the transaction that
// took the rows, if still open, now waits on the block and is rolled back by the conflict monitor in turn (it becomes
// the later committer); a transaction that committed a write of those rows meanwhile makes the run again fail (a
// REPEATABLE READ write of a row changed after the snapshot), as it makes the block's COMMIT fail on DSQL. When every
// answer is the same as the client got, the block goes on to its COMMIT; otherwise its COMMIT fails as before.

sealed partial class ClientSession
{
	// the run again waiting for its answers (the backend loop cancels it when the session ends)
	volatile RedoRun? _redoInFlight;

	/// <summary>After a BEGIN went to the backend: its block is recorded from the next message on.</summary>
	void StartRecording()
	{
		EndRecording();
		if (!_services.Options.ConflictsAtCommit)
			return;

		var record = new TransactionRecord { PendingFrom = _front.BackendOut.WrittenCount };
		_front.Record = record;
		_tracker.Recording = record;
	}

	/// <summary>Stops recording the block (what was sent so far stays recorded), or drops the record when it cannot be run again.</summary>
	void StopRecording(bool giveUp)
	{
		_tracker.Recording = null;
		if (_front.Record is not { } record)
			return;

		if (record.IsRecording)
			record.Append(_front.BackendOut.WrittenSpan[record.PendingFrom..]);
		record.PendingFrom = _front.BackendOut.WrittenCount;
		record.IsRecording = false;
		if (giveUp)
		{
			record.GiveUp();
			DropKeptSnapshot();
		}
	}

	/// <summary>The recorded block ended: its record and kept snapshot go.</summary>
	void EndRecording()
	{
		var record = _front.Record;
		_front.Record = null;
		_tracker.Recording = null;
		record?.Dispose();
	}

	void DropKeptSnapshot()
	{
		if (_front.Record is not { Snapshot: { } snapshot } record)
			return;

		record.Snapshot = null;
		snapshot.Dispose();
	}

	/// <summary>
	/// Under the gate, while the session is idle in its block, before its transaction is rolled back: exports its snapshot
	/// and keeps it on an internal connection. Null (and the reason logged) when that fails or too many are kept.
	/// </summary>
	KeptSnapshot? KeepSnapshot()
	{
		try
		{
			var export = InjectQuery("SELECT pg_catalog.pg_export_snapshot()");
			FlushBackend();
			export.Completion.Task.WaitAsync(_lifetime.Token).GetAwaiter().GetResult();
			if (export.Error is { } error || export.FirstValue is null)
			{
				_services.Log($"session {ProcessId}: the snapshot of the transaction could not be exported: {export.Error}");
				return null;
			}

			var kept = KeptSnapshot.KeepAsync(_services, export.FirstValue, _lifetime.Token).GetAwaiter().GetResult();
			if (kept == null)
				_services.Log($"session {ProcessId}: {KeptSnapshot.Limit} snapshots are kept already: the transaction cannot win at COMMIT");
			return kept;
		}
		catch (Exception ex) when (ex is PgServerException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
		{
			_services.Log($"session {ProcessId}: the snapshot of the transaction could not be kept: {ex.Message}");
			return null;
		}
	}

	/// <summary>
	/// At a COMMIT (a Query of that statement alone) of a block that lost its rows while idle and whose snapshot is kept:
	/// runs the block's recorded messages again on that snapshot. When every answer is the same as the client got, the
	/// block is no longer lost and the COMMIT goes on; otherwise the backend's transaction is rolled back again and the
	/// COMMIT fails as a lost block's does. On the frontend loop, under the gate.
	/// </summary>
	async ValueTask TryRunAgainAtCommitAsync()
	{
		var record = _front.Record!;
		var snapshot = record.Snapshot!;
		if (_transactions.LostConflict is null || _transactions.Current.IsFailed || !ClientAwaitsNothingElse() || _tracker.AwaitsReady)
			return;

		record.Snapshot = null;
		using var _ = snapshot; // importable until the run again has begun on it

		if (!record.IsComplete || !TryPlanRunAgain(record.Log.Span, out var readyForQuery, out var statements))
		{
			_services.Log($"session {ProcessId}: the lost transaction cannot be run again (COPY, a function call, or a simple query inside an extended-protocol batch): its COMMIT fails");
			return;
		}

		var begin = InjectQuery(new InjectedQuery($"ROLLBACK; BEGIN ISOLATION LEVEL REPEATABLE READ; SET TRANSACTION SNAPSHOT {Sql.SqlText.QuoteLiteral(snapshot.Id)}") { TracksStatus = false });

		// Statements the block prepared outlived its rollback: prepared again by the recorded Parse.
		foreach (var name in statements)
		{
			_front.Builder.Clear();
			_front.Builder.Close(StatementOrPortal.Statement, name);
			_tracker.Enqueue(new Expectation(ExpectationKind.Swallowed));
			_front.BackendOut.Write(_front.Builder.WrittenSpan);
		}

		using var run = new RedoRun(readyForQuery);
		_redoInFlight = run;
		_tracker.Enqueue(new Expectation(ExpectationKind.Redo) { Redo = run });
		_front.BackendOut.Write(record.Log.Span);
		FlushBackend();

		TransactionStatus status;
		try
		{
			status = await run.Completion.Task.ConfigureAwait(false);
		}
		finally
		{
			_redoInFlight = null;
		}

		string? difference = begin.Error is { } error ? $"{error.SqlState} {error.Message}"
			: run.Error ?? (status != TransactionStatus.InTransactionBlock ? "the transaction failed"
			: !run.AnswersDigest().AsSpan().SequenceEqual(record.AnswersDigest()) ? "the answers differ from those the client got" : null);

		if (difference == null)
		{
			_transactions.Current.LostConflict = null;
			record.IsRecording = true;
			record.PendingFrom = _front.BackendOut.WrittenCount;
			_tracker.Recording = record;
			_services.Log($"session {ProcessId}: the lost transaction ran again on its snapshot with the same answers: it commits first");
			return;
		}

		InjectQuery("ROLLBACK; BEGIN");
		_services.Log($"session {ProcessId}: the lost transaction ran again on its snapshot: {difference}; its COMMIT fails");
	}

	/// <summary>
	/// Whether recorded messages can be sent again as they are: every Query and Sync is answered by one ReadyForQuery
	/// (<paramref name="readyForQuery"/> of them), also after an error, so no simple query may come inside an
	/// extended-protocol batch; no COPY and no function call. <paramref name="statements"/>: the named statements prepared.
	/// </summary>
	static bool TryPlanRunAgain(ReadOnlySpan<byte> log, out int readyForQuery, out List<string> statements)
	{
		readyForQuery = 0;
		statements = [];
		var inBatch = false;

		while (log.Length >= 5)
		{
			var type = (FrontendMessageCode)log[0];
			var length = BinaryPrimitives.ReadInt32BigEndian(log[1..]);
			if (length < 4 || length + 1 > log.Length)
				return false;
			var body = log[5..(1 + length)];

			switch (type)
			{
				case FrontendMessageCode.Query:
					if (inBatch)
						return false;
					readyForQuery++;
					break;
				case FrontendMessageCode.Sync:
					inBatch = false;
					readyForQuery++;
					break;
				case FrontendMessageCode.Parse:
					var end = body.IndexOf((byte)0);
					if (end > 0)
						statements.Add(Encoding.UTF8.GetString(body[..end]));
					inBatch = true;
					break;
				case FrontendMessageCode.Bind or FrontendMessageCode.Execute or FrontendMessageCode.Describe or FrontendMessageCode.Close:
					inBatch = true;
					break;
				case FrontendMessageCode.Flush:
					break;
				default:
					return false;
			}

			log = log[(1 + length)..];
		}

		return log.Length == 0 && !inBatch && readyForQuery > 0;
	}
}
