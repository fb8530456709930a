using System.Buffers;
using System.Net.Sockets;
using System.Text;
using AuroraDsql.Local.Classification;
using AuroraDsql.Local.Protocol;

namespace AuroraDsql.Local.Proxy;

// The backend loop (backend → client), on a thread of its own: matches each response to what the frontend loop
// expected, rewrites CommandComplete tags and errors (PostgreSQL's conflicts become DSQL's OC000/OC001), swallows the
// answers to injected queries, and updates the transaction state and the schema version at each ReadyForQuery.

sealed partial class ClientSession
{
	void BackendLoop()
	{
		var input = _backend!.Input;
		var stream = _backend.Stream;

		try
		{
			while (true)
			{
				if (input.TryReadMessage(out var type, out var message))
				{
					var sequence = new ReadOnlySequence<byte>(message);
					if (HandleBackendMessage((BackendMessageCode)type, sequence))
					{
						// ReadyForQuery after a transaction that submitted jobs: on DSQL the index is in the catalog when
						// the statement returns, so the client waits until the background build has created it.
						FlushClient();
						AwaitSubmittedJobsAsync().GetAwaiter().GetResult();
						Copy(_back.ClientOut, sequence);
					}

					continue;
				}

				FlushClient();
				if (_termination.IsStopping || !input.Fill(stream))
					break;
			}
		}
		catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or PgProtocolException)
		{
			if (ex is PgProtocolException)
				_services.Log($"session {ProcessId}: backend protocol error: {ex.Message}");
		}
		catch (Exception ex) when (IsUnexpected(ex))
		{
			_services.Log($"session {ProcessId}: internal error in the backend loop: {ex}");
			_termination.OnInternalError("XX000", "internal error in the local DSQL endpoint");
		}

		try
		{
			if (_termination.Message != null)
			{
				_back.Builder.Clear();
				_back.Builder.Error("FATAL", _termination.SqlState!, _termination.Message);
				_back.ClientOut.Write(_back.Builder.WrittenSpan);
			}

			FlushClient();
		}
		catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
		{
			// the client is gone
		}

		// A run again of a lost transaction waits for answers that will not come.
		_redoInFlight?.Completion.TrySetCanceled();

		// The session ends: what is still held goes out now.
		_delayedWriter?.Complete();

		// Unblocks the frontend loop: its read of the client, and a write to the backend that the backend does not take (it
		// waits for the proxy to read what it sent). Either side ending ends the session.
		_termination.Stop();
		ShutdownClient();
		if (!_termination.IsFrontendDone)
			_backend.Abort();
	}

	void FlushClient()
	{
		if (_back.ClientOut.WrittenCount == 0)
			return;

		if (_delayedWriter != null)
		{
			var latency = _services.Latency;
			_delayedWriter.Write(_back.ClientOut.WrittenSpan, _back.CommitAnswered ? latency.Network + latency.Commit : latency.Network, _tracker.AwaitsReady);
			_back.CommitAnswered = false;
		}
		else
			_clientStream.Write(_back.ClientOut.WrittenSpan);
		_back.ClientOut.ResetWrittenCount();
		if (_back.ClientOut.Capacity > 1 << 20)
			_back.ClientOut = new ArrayBufferWriter<byte>(16 * 1024);
	}

	/// <summary>
	/// Relays one backend message. Returns true for a ReadyForQuery that the caller must hold back until submitted
	/// jobs are visible (the caller then forwards it).
	/// </summary>
	bool HandleBackendMessage(BackendMessageCode type, in ReadOnlySequence<byte> message)
	{
		switch (type)
		{
			case BackendMessageCode.ParameterStatus:
				ForwardParameterStatus(message);
				return false;
			case BackendMessageCode.NotificationResponse:
				Copy(_back.ClientOut, message);
				return false;
			case BackendMessageCode.NoticeResponse:
				if (!(_back.HasCurrent ? _back.Current.Kind is ExpectationKind.Injected or ExpectationKind.Redo : _tracker.NextIs(ExpectationKind.Injected) || _tracker.NextIs(ExpectationKind.Redo)))
					Copy(_back.ClientOut, message);
				return false;
		}

		if (!_back.HasCurrent)
		{
			if (!_tracker.TryDequeue(out var next))
			{
				// Nothing outstanding (e.g. a FATAL error when the server shuts down): pass it on.
				Copy(_back.ClientOut, message);
				return false;
			}

			_back.Current        = next;
			_back.HasCurrent     = true;
			_back.StatementIndex = 0;
			_back.ForwardedRows  = false;
		}

		// The answers of a recorded transaction block, for comparison if it is run again (see TransactionRecord).
		if (_back.Current.Record is { IsRecording: true } record)
			record.AddAnswer(message);

		if (type is BackendMessageCode.CommandComplete or BackendMessageCode.ReadyForQuery && _back.Current.Kind is not (ExpectationKind.Injected or ExpectationKind.Redo))
			NoteCommit(type, message);

		switch (_back.Current.Kind)
		{
			case ExpectationKind.Query:
				switch (type)
				{
					case BackendMessageCode.ErrorResponse:
						if (_back.Current.Replay != null && !_back.ForwardedRows && IsSnapshotConflict(message))
						{
							_back.PendingReplay = new PendingReplay(message.ToArray(), _back.Current);
							return false;
						}

						CopyError(message, CurrentQueryPlan(), _back.Current.IsReplay);
						return false;
					case BackendMessageCode.RowDescription or BackendMessageCode.CopyInResponse or BackendMessageCode.CopyOutResponse or BackendMessageCode.CopyBothResponse:
						_back.ForwardedRows = true;
						break;
					case BackendMessageCode.DataRow:
						_back.ForwardedRows = true;
						CaptureJobId(CurrentQueryPlan(), message);
						break;
					case BackendMessageCode.CommandComplete:
						var plan = CurrentQueryPlan();
						_back.StatementIndex++;
						if (plan != null)
						{
							ForwardCommandComplete(plan, message);
							return false;
						}

						break;
					case BackendMessageCode.EmptyQueryResponse:
						_back.StatementIndex++;
						break;
					case BackendMessageCode.ReadyForQuery:
						_back.HasCurrent = false;
						if (_back.Current.IsReplay)
							AfterReplay(message);
						return _back.PendingReplay != null ? TryReplay(message) : OnReadyForQuery(message);
				}

				Copy(_back.ClientOut, message);
				return false;

			case ExpectationKind.Execute:
				switch (type)
				{
					case BackendMessageCode.DataRow:
						_back.ForwardedRows = true;
						CaptureJobId(_back.Current.Plan, message);
						break;
					case BackendMessageCode.CommandComplete:
						_back.HasCurrent = false;
						if (_back.Current.Plan != null)
						{
							ForwardCommandComplete(_back.Current.Plan, message);
							return false;
						}

						break;
					case BackendMessageCode.EmptyQueryResponse or BackendMessageCode.PortalSuspended:
						_back.HasCurrent = false;
						break;
					case BackendMessageCode.ErrorResponse:
						_back.HasCurrent = false;
						var replayable = _back.Current.Replay != null && !_back.ForwardedRows && _tracker.NextIs(ExpectationKind.Sync) && IsSnapshotConflict(message);
						_tracker.SkipToSync();
						if (replayable)
							_back.PendingReplay = new PendingReplay(message.ToArray(), _back.Current);
						else
							CopyError(message, _back.Current.Plan, _back.Current.IsReplay);
						return false;
					case BackendMessageCode.CopyInResponse or BackendMessageCode.CopyOutResponse or BackendMessageCode.CopyBothResponse:
						_back.ForwardedRows = true; // COPY: never run again
						break;
				}

				Copy(_back.ClientOut, message);
				return false;

			case ExpectationKind.Parse or ExpectationKind.Bind or ExpectationKind.Close or ExpectationKind.Describe:
				switch (type)
				{
					case BackendMessageCode.ParseComplete or BackendMessageCode.BindComplete or BackendMessageCode.CloseComplete
						or BackendMessageCode.RowDescription or BackendMessageCode.NoData:
						_back.HasCurrent = false;
						break;
					case BackendMessageCode.ErrorResponse:
						_back.HasCurrent = false;
						_tracker.SkipToSync();
						CopyError(message, null);
						return false;
				}

				Copy(_back.ClientOut, message);
				return false;

			case ExpectationKind.Sync or ExpectationKind.FunctionCall:
				if (type == BackendMessageCode.ReadyForQuery)
				{
					_back.HasCurrent = false;
					if (_back.Current.IsReplay)
						AfterReplay(message);
					return _back.PendingReplay != null ? TryReplay(message) : OnReadyForQuery(message);
				}

				if (type == BackendMessageCode.ErrorResponse)
					CopyError(message, null);
				else
					Copy(_back.ClientOut, message);
				return false;

			case ExpectationKind.Injected:
				HandleInjectedResponse(type, message);
				return false;

			case ExpectationKind.Redo:
				if (_back.Current.Redo!.OnMessage(type, message))
				{
					_back.HasCurrent = false;
					_tracker.OnClientReady();
					_back.Current.Redo.Complete();
				}

				return false;

			case ExpectationKind.Swallowed:
				_back.HasCurrent = false;
				if (type == BackendMessageCode.ErrorResponse)
				{
					_tracker.SkipToSync();
					CopyError(message, null, _back.Current.IsReplay);
				}

				return false;

			default:
				Copy(_back.ClientOut, message);
				return false;
		}
	}

	/// <summary>
	/// Follows commits for the counters and the commit latency: an explicit COMMIT, or a write outside a transaction
	/// block (it commits on its own), is a commit that ends at the next ReadyForQuery.
	/// </summary>
	void NoteCommit(BackendMessageCode type, in ReadOnlySequence<byte> message)
	{
		if (type == BackendMessageCode.ReadyForQuery)
		{
			var status = (TransactionStatus)message.Slice(5, 1).FirstSpan[0];
			if (_back.CommitPending && status == TransactionStatus.Idle)
			{
				_counters.OnCommit();
				_back.CommitAnswered = true;
			}

			_back.CommitPending = false;
			_back.InBlock = status != TransactionStatus.Idle;
			return;
		}

		var tag = message.Slice(5);
		if (StartsWith(tag, "BEGIN"u8) || StartsWith(tag, "START TRANSACTION"u8))
			_back.InBlock = true;
		else if (StartsWith(tag, "COMMIT"u8))
		{
			_back.CommitPending = true;
			_back.InBlock = false;
		}
		else if (StartsWith(tag, "ROLLBACK"u8))
			_back.InBlock = false;
		else if (!_back.InBlock && IsWriteTag(tag))
			_back.CommitPending = true;
	}

	static bool IsWriteTag(in ReadOnlySequence<byte> tag) =>
		StartsWith(tag, "INSERT "u8) || StartsWith(tag, "UPDATE "u8) || StartsWith(tag, "DELETE "u8) || StartsWith(tag, "COPY "u8)
		|| StartsWith(tag, "MERGE "u8) || StartsWith(tag, "CREATE "u8) || StartsWith(tag, "ALTER "u8) || StartsWith(tag, "DROP "u8)
		|| StartsWith(tag, "GRANT"u8) || StartsWith(tag, "REVOKE"u8) || StartsWith(tag, "COMMENT"u8);

	static bool StartsWith(in ReadOnlySequence<byte> text, ReadOnlySpan<byte> prefix)
	{
		if (text.Length < prefix.Length)
			return false;
		if (text.FirstSpan.Length >= prefix.Length)
			return text.FirstSpan.StartsWith(prefix);
		Span<byte> head = stackalloc byte[prefix.Length];
		text.Slice(0, prefix.Length).CopyTo(head);
		return head.SequenceEqual(prefix);
	}

	StatementPlan? CurrentQueryPlan()
	{
		var plans = _back.Current.Plans;
		return plans != null && _back.StatementIndex < plans.Length ? plans[_back.StatementIndex] : null;
	}

	/// <summary>Updates the transaction state; true when the ReadyForQuery must wait for submitted jobs.</summary>
	bool OnReadyForQuery(in ReadOnlySequence<byte> message)
	{
		var status = (TransactionStatus)message.Slice(5, 1).FirstSpan[0];
		_transactions.OnReadyForQuery(status, _tracker.IsEmpty);
		_tracker.OnClientReady(); // after the transaction state: the session looks idle only once that is current

		// A transaction with DDL committed: transactions that began before it fail at COMMIT with OC001. (Bumped before
		// the client hears of the commit, so its own next transaction starts at the new version.)
		if (status != TransactionStatus.InTransactionBlock)
		{
			if (status == TransactionStatus.Idle && _back.DdlPending)
				_services.Schema.Bump();
			_back.DdlPending = false;
		}

		if (status == TransactionStatus.Idle && _back.SubmittedJobs.Count > 0)
			return true;

		Copy(_back.ClientOut, message);
		return false;
	}

	void HandleInjectedResponse(BackendMessageCode type, in ReadOnlySequence<byte> message)
	{
		var injected = _back.Current.Injected!;
		switch (type)
		{
			case BackendMessageCode.CommandComplete:
			{
				var body = message.Slice(5).ToArray();
				var tag = Encoding.UTF8.GetString(body, 0, Math.Max(0, body.Length - 1));
				injected.Tags.Add(tag);
				if (tag == "ROLLBACK")
					_back.DdlPending = false; // no DDL of the rolled-back transaction commits
				break;
			}
			case BackendMessageCode.DataRow:
				if (injected.FirstValue == null)
				{
					var row = message.Slice(5).ToArray();
					var offset = 2;
					var length = row.Length >= 6 ? PgMessageReader.ReadInt32(row, ref offset) : -1;
					if (length >= 0)
						injected.FirstValue = Encoding.UTF8.GetString(row, offset, length);
				}

				break;
			case BackendMessageCode.ErrorResponse:
			{
				var fields = PgMessageReader.ReadErrorFields(message.Slice(5).ToArray());
				injected.Error ??= (fields.GetValueOrDefault(ErrorFieldCode.SqlState, "XX000"), fields.GetValueOrDefault(ErrorFieldCode.Message, ""));
				break;
			}
			case BackendMessageCode.ReadyForQuery:
			{
				_back.HasCurrent = false;
				var status = (TransactionStatus)message.Slice(5, 1).FirstSpan[0];
				if (injected.TracksStatus)
					_transactions.OnReadyForQuery(status, drained: false);
				injected.Completion.TrySetResult(status);
				break;
			}
		}
	}

	void ForwardCommandComplete(StatementPlan plan, in ReadOnlySequence<byte> message)
	{
		if (plan.CompletionError is { } error)
		{
			// A COMMIT turned into ROLLBACK: the client gets the COMMIT's failure (which took a commit's time).
			_back.DdlPending = false;
			_back.CommitPending = true;
			_back.Builder.Clear();
			_back.Builder.Error("ERROR", error.SqlState, error.Message, hint: error.Hint);
			_back.ClientOut.Write(_back.Builder.WrittenSpan);
			return;
		}

		if (plan.IsDdl)
			_back.DdlPending = true;
		else if (_back.DdlPending && IsTag(message, "ROLLBACK"))
			_back.DdlPending = false;

		if (plan.OnCommandComplete != null)
		{
			var body = message.Slice(5).ToArray();
			plan.OnCommandComplete(Encoding.UTF8.GetString(body, 0, Math.Max(0, body.Length - 1)));
		}

		if (plan.CommandTag is null)
		{
			Copy(_back.ClientOut, message);
			return;
		}

		_back.Builder.Clear();
		_back.Builder.CommandComplete(plan.CommandTag);
		_back.ClientOut.Write(_back.Builder.WrittenSpan);
	}

	static bool IsTag(in ReadOnlySequence<byte> message, string tag)
	{
		if (message.Length != 5 + tag.Length + 1)
			return false;
		var body = message.Slice(5, tag.Length).ToArray();
		for (var k = 0; k < tag.Length; k++)
		{
			if (body[k] != tag[k])
				return false;
		}

		return true;
	}

	/// <summary>
	/// Forwards an ErrorResponse. PostgreSQL's answers to concurrent writers (a serialization failure after waiting for a
	/// row lock, a deadlock, a lock wait that timed out) become DSQL's conflict error: 40001 OC000 (OC001 when a DDL
	/// statement waited for a table lock). The transaction also no longer commits any DDL.
	/// </summary>
	void CopyError(in ReadOnlySequence<byte> message, StatementPlan? plan, bool lostConflict = false)
	{
		_back.DdlPending = false;

		var fields = PgMessageReader.ReadErrorFields(message.Slice(5).ToArray());
		var code = fields.GetValueOrDefault(ErrorFieldCode.SqlState);
		var conflict = lostConflict || code is "40P01" or "55P03"
			|| (code == "40001" && fields.GetValueOrDefault(ErrorFieldCode.Message, "").StartsWith("could not serialize access", StringComparison.Ordinal));
		if (!conflict)
		{
			if (fields.TryGetValue(ErrorFieldCode.Where, out var where) && where.Contains(" sys.", StringComparison.Ordinal))
			{
				// Raised inside the endpoint's own routines (refusals, limits, checks, wrapped statements): DSQL has no such
				// context, and its source location would point into the endpoint, so the client gets the error without them.
				_back.Builder.Clear();
				_back.Builder.Error(fields.Where(field => field.Key is not (ErrorFieldCode.Where or ErrorFieldCode.File or ErrorFieldCode.Line
					or ErrorFieldCode.Routine or ErrorFieldCode.InternalQuery or ErrorFieldCode.InternalPosition)));
				_back.ClientOut.Write(_back.Builder.WrittenSpan);
			}
			else
				Copy(_back.ClientOut, message);
			return;
		}

		var rule = _services.Rules.Rule(code == "55P03" && plan?.IsDdl == true ? "oc001" : "oc000");
		_services.Log($"session {ProcessId}: {code} {fields.GetValueOrDefault(ErrorFieldCode.Message)} reported as {rule.SqlState} {rule.Message}");
		_back.Builder.Clear();
		_back.Builder.Error(fields.GetValueOrDefault(ErrorFieldCode.Severity, "ERROR"), rule.SqlState, rule.Message);
		_back.ClientOut.Write(_back.Builder.WrittenSpan);
	}

	void ForwardParameterStatus(in ReadOnlySequence<byte> message)
	{
		var body   = message.Slice(5).ToArray();
		var offset = 0;
		var name   = PgMessageReader.ReadCString(body, ref offset);
		var value  = PgMessageReader.ReadCString(body, ref offset);
		var shown  = OnParameterStatus(name, value);

		if (shown == value)
			Copy(_back.ClientOut, message);
		else
		{
			_back.Builder.Clear();
			_back.Builder.ParameterStatus(name, shown);
			_back.ClientOut.Write(_back.Builder.WrittenSpan);
		}
	}
}
