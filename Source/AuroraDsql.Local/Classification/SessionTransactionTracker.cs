using AuroraDsql.Local.Protocol;

namespace AuroraDsql.Local.Classification;

/// <summary>
/// The session's transaction state: the backend's own status from each ReadyForQuery (idle, in a block, in a failed
/// block), and the proxy's prediction from the statements it forwards, which runs ahead of the backend while
/// messages are pipelined. The frontend loop calls <see cref="OnStatement"/>/<see cref="OnBoundary"/>, the backend loop
/// <see cref="OnReadyForQuery"/>; both may run at once, hence the lock.
/// </summary>
sealed class SessionTransactionTracker
{
	readonly object _lock = new();
	readonly TimeProvider _time;
	TransactionScope? _current;
	bool _inBlock;
	TransactionStatus _backendStatus = TransactionStatus.Idle;
	long _ended;

	public SessionTransactionTracker(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

	/// <summary>The status of the last ReadyForQuery.</summary>
	public TransactionStatus BackendStatus
	{
		get { lock (_lock) return _backendStatus; }
	}

	/// <summary>True while the proxy predicts an explicit transaction block (BEGIN forwarded, no COMMIT/ROLLBACK yet).</summary>
	public bool InBlock
	{
		get { lock (_lock) return _inBlock; }
	}

	/// <summary>How many transactions of the session have ended: tells a transaction apart from the next one.</summary>
	public long EndedTransactions
	{
		get { lock (_lock) return _ended; }
	}

	/// <summary>The conflict the current transaction lost while idle, if any (without creating a transaction).</summary>
	public ExecutionVerdict? LostConflict
	{
		get { lock (_lock) return _current?.LostConflict; }
	}

	/// <summary>The transaction the next statement will run in (created on first use).</summary>
	public TransactionScope Current
	{
		get
		{
			lock (_lock)
				return _current ??= new TransactionScope(_inBlock, _time.GetUtcNow());
		}
	}

	/// <summary>A statement was forwarded; applies its transaction-control effect.</summary>
	public void OnStatement(TransactionControl control)
	{
		lock (_lock)
		{
			_current ??= new TransactionScope(_inBlock, _time.GetUtcNow());
			_current.StatementCount++;

			switch (control)
			{
				case TransactionControl.Begin:
					_inBlock = true;
					_current.IsExplicit = true;
					break;
				case TransactionControl.Commit or TransactionControl.Rollback or TransactionControl.PrepareTransaction:
					_inBlock = false;
					End();
					break;
			}
		}
	}

	void End()
	{
		if (_current != null)
			_ended++;
		_current = null;
	}

	/// <summary>End of a simple Query or a Sync: an implicit transaction ends here.</summary>
	public void OnBoundary()
	{
		lock (_lock)
		{
			if (!_inBlock)
				End();
		}
	}

	/// <summary>ReadyForQuery from the backend; <paramref name="drained"/> when no other client message is in flight.</summary>
	public void OnReadyForQuery(TransactionStatus status, bool drained)
	{
		lock (_lock)
		{
			_backendStatus = status;

			if (status == TransactionStatus.InFailedTransactionBlock && _current != null)
				_current.IsFailed = true;

			if (!drained)
				return;

			// Nothing in flight: the backend's word is the truth.
			switch (status)
			{
				case TransactionStatus.Idle:
					_inBlock = false;
					End();
					break;
				case TransactionStatus.InTransactionBlock or TransactionStatus.InFailedTransactionBlock:
					_inBlock = true;
					if (_current != null)
						_current.IsExplicit = true;
					break;
			}
		}
	}
}
