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
						Copy(_clientOut, sequence);
					}

					continue;
				}

				FlushClient();
				if (_stopping || !input.Fill(stream))
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
			_terminationState   ??= "XX000";
			_terminationMessage ??= "internal error in the local DSQL endpoint";
		}

		try
		{
			if (_terminationMessage != null)
			{
				_backBuilder.Clear();
				_backBuilder.Error("FATAL", _terminationState!, _terminationMessage);
				_clientOut.Write(_backBuilder.WrittenSpan);
			}

			FlushClient();
		}
		catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
		{
			// the client is gone
		}

		// Unblocks the frontend loop: its read of the client, and a write to the backend that the backend does not take (it
		// waits for the proxy to read what it sent). Either side ending ends the session.
		_stopping = true;
		ShutdownClient();
		if (!_frontendDone)
			_backend.Abort();
	}

	void FlushClient()
	{
		if (_clientOut.WrittenCount == 0)
			return;

		_clientStream.Write(_clientOut.WrittenSpan);
		_clientOut.ResetWrittenCount();
		if (_clientOut.Capacity > 1 << 20)
			_clientOut = new ArrayBufferWriter<byte>(16 * 1024);
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
				Copy(_clientOut, message);
				return false;
			case BackendMessageCode.NoticeResponse:
				if (!(_hasCurrent ? _current.Kind == ExpectationKind.Injected : _tracker.NextIs(ExpectationKind.Injected)))
					Copy(_clientOut, message);
				return false;
		}

		if (!_hasCurrent)
		{
			if (!_tracker.TryDequeue(out _current))
			{
				// Nothing outstanding (e.g. a FATAL error when the server shuts down): pass it on.
				Copy(_clientOut, message);
				return false;
			}

			_hasCurrent     = true;
			_statementIndex = 0;
			_forwardedRows  = false;
		}

		switch (_current.Kind)
		{
			case ExpectationKind.Query:
				switch (type)
				{
					case BackendMessageCode.ErrorResponse:
						if (_current.Replay != null && !_forwardedRows && IsSnapshotConflict(message))
						{
							_pendingReplay = new PendingReplay(message.ToArray(), _current);
							return false;
						}

						CopyError(message, CurrentQueryPlan(), _current.IsReplay);
						return false;
					case BackendMessageCode.RowDescription or BackendMessageCode.CopyInResponse or BackendMessageCode.CopyOutResponse or BackendMessageCode.CopyBothResponse:
						_forwardedRows = true;
						break;
					case BackendMessageCode.DataRow:
						_forwardedRows = true;
						CaptureJobId(CurrentQueryPlan(), message);
						break;
					case BackendMessageCode.CommandComplete:
						var plan = CurrentQueryPlan();
						_statementIndex++;
						if (plan != null)
						{
							ForwardCommandComplete(plan, message);
							return false;
						}

						break;
					case BackendMessageCode.EmptyQueryResponse:
						_statementIndex++;
						break;
					case BackendMessageCode.ReadyForQuery:
						_hasCurrent = false;
						if (_current.IsReplay)
							AfterReplay(message);
						return _pendingReplay != null ? TryReplay(message) : OnReadyForQuery(message);
				}

				Copy(_clientOut, message);
				return false;

			case ExpectationKind.Execute:
				switch (type)
				{
					case BackendMessageCode.DataRow:
						_forwardedRows = true;
						CaptureJobId(_current.Plan, message);
						break;
					case BackendMessageCode.CommandComplete:
						_hasCurrent = false;
						if (_current.Plan != null)
						{
							ForwardCommandComplete(_current.Plan, message);
							return false;
						}

						break;
					case BackendMessageCode.EmptyQueryResponse or BackendMessageCode.PortalSuspended:
						_hasCurrent = false;
						break;
					case BackendMessageCode.ErrorResponse:
						_hasCurrent = false;
						var replayable = _current.Replay != null && !_forwardedRows && _tracker.NextIs(ExpectationKind.Sync) && IsSnapshotConflict(message);
						_tracker.SkipToSync();
						if (replayable)
							_pendingReplay = new PendingReplay(message.ToArray(), _current);
						else
							CopyError(message, _current.Plan, _current.IsReplay);
						return false;
					case BackendMessageCode.CopyInResponse or BackendMessageCode.CopyOutResponse or BackendMessageCode.CopyBothResponse:
						_forwardedRows = true; // COPY: never run again
						break;
				}

				Copy(_clientOut, message);
				return false;

			case ExpectationKind.Parse or ExpectationKind.Bind or ExpectationKind.Close or ExpectationKind.Describe:
				switch (type)
				{
					case BackendMessageCode.ParseComplete or BackendMessageCode.BindComplete or BackendMessageCode.CloseComplete
						or BackendMessageCode.RowDescription or BackendMessageCode.NoData:
						_hasCurrent = false;
						break;
					case BackendMessageCode.ErrorResponse:
						_hasCurrent = false;
						_tracker.SkipToSync();
						CopyError(message, null);
						return false;
				}

				Copy(_clientOut, message);
				return false;

			case ExpectationKind.Sync or ExpectationKind.FunctionCall:
				if (type == BackendMessageCode.ReadyForQuery)
				{
					_hasCurrent = false;
					if (_current.IsReplay)
						AfterReplay(message);
					return _pendingReplay != null ? TryReplay(message) : OnReadyForQuery(message);
				}

				if (type == BackendMessageCode.ErrorResponse)
					CopyError(message, null);
				else
					Copy(_clientOut, message);
				return false;

			case ExpectationKind.Injected:
				HandleInjectedResponse(type, message);
				return false;

			case ExpectationKind.Swallowed:
				_hasCurrent = false;
				if (type == BackendMessageCode.ErrorResponse)
				{
					_tracker.SkipToSync();
					CopyError(message, null, _current.IsReplay);
				}

				return false;

			default:
				Copy(_clientOut, message);
				return false;
		}
	}

	StatementPlan? CurrentQueryPlan()
	{
		var plans = _current.Plans;
		return plans != null && _statementIndex < plans.Length ? plans[_statementIndex] : null;
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
			if (status == TransactionStatus.Idle && _ddlPending)
				_services.Schema.Bump();
			_ddlPending = false;
		}

		if (status == TransactionStatus.Idle)
		{
			lock (_submittedJobs)
			{
				if (_submittedJobs.Count > 0)
					return true;
			}
		}

		Copy(_clientOut, message);
		return false;
	}

	void HandleInjectedResponse(BackendMessageCode type, in ReadOnlySequence<byte> message)
	{
		var injected = _current.Injected!;
		switch (type)
		{
			case BackendMessageCode.CommandComplete:
			{
				var body = message.Slice(5).ToArray();
				var tag = Encoding.UTF8.GetString(body, 0, Math.Max(0, body.Length - 1));
				injected.Tags.Add(tag);
				if (tag == "ROLLBACK")
					_ddlPending = false; // no DDL of the rolled-back transaction commits
				break;
			}
			case BackendMessageCode.ErrorResponse:
			{
				var fields = PgMessageReader.ReadErrorFields(message.Slice(5).ToArray());
				injected.Error ??= (fields.GetValueOrDefault(ErrorFieldCode.SqlState, "XX000"), fields.GetValueOrDefault(ErrorFieldCode.Message, ""));
				break;
			}
			case BackendMessageCode.ReadyForQuery:
			{
				_hasCurrent = false;
				var status = (TransactionStatus)message.Slice(5, 1).FirstSpan[0];
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
			// A COMMIT turned into ROLLBACK: the client gets the COMMIT's failure.
			_ddlPending = false;
			_backBuilder.Clear();
			_backBuilder.Error("ERROR", error.SqlState, error.Message, hint: error.Hint);
			_clientOut.Write(_backBuilder.WrittenSpan);
			return;
		}

		if (plan.IsDdl)
			_ddlPending = true;
		else if (_ddlPending && IsTag(message, "ROLLBACK"))
			_ddlPending = false;

		if (plan.OnCommandComplete != null)
		{
			var body = message.Slice(5).ToArray();
			plan.OnCommandComplete(Encoding.UTF8.GetString(body, 0, Math.Max(0, body.Length - 1)));
		}

		if (plan.CommandTag is null)
		{
			Copy(_clientOut, message);
			return;
		}

		_backBuilder.Clear();
		_backBuilder.CommandComplete(plan.CommandTag);
		_clientOut.Write(_backBuilder.WrittenSpan);
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
		_ddlPending = false;

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
				_backBuilder.Clear();
				_backBuilder.Error(fields.Where(field => field.Key is not (ErrorFieldCode.Where or ErrorFieldCode.File or ErrorFieldCode.Line
					or ErrorFieldCode.Routine or ErrorFieldCode.InternalQuery or ErrorFieldCode.InternalPosition)));
				_clientOut.Write(_backBuilder.WrittenSpan);
			}
			else
				Copy(_clientOut, message);
			return;
		}

		var rule = _services.Rules.Rule(code == "55P03" && plan?.IsDdl == true ? "oc001" : "oc000");
		_services.Log($"session {ProcessId}: {code} {fields.GetValueOrDefault(ErrorFieldCode.Message)} reported as {rule.SqlState} {rule.Message}");
		_backBuilder.Clear();
		_backBuilder.Error(fields.GetValueOrDefault(ErrorFieldCode.Severity, "ERROR"), rule.SqlState, rule.Message);
		_clientOut.Write(_backBuilder.WrittenSpan);
	}

	void ForwardParameterStatus(in ReadOnlySequence<byte> message)
	{
		var body   = message.Slice(5).ToArray();
		var offset = 0;
		var name   = PgMessageReader.ReadCString(body, ref offset);
		var value  = PgMessageReader.ReadCString(body, ref offset);
		var shown  = OnParameterStatus(name, value);

		if (shown == value)
			Copy(_clientOut, message);
		else
		{
			_backBuilder.Clear();
			_backBuilder.ParameterStatus(name, shown);
			_clientOut.Write(_backBuilder.WrittenSpan);
		}
	}
}
