using System.Buffers;
using System.Text;
using AuroraDsql.Local.Classification;
using AuroraDsql.Local.Protocol;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Proxy;

// The frontend loop's extended protocol: Parse (classified once per prepared statement), Bind (per-transaction checks,
// job ids from parameters, refusals bound to a hidden statement), Execute and Close, and the messages held back to run
// a lost write again (see ClientSession.Conflicts.cs).

sealed partial class ClientSession
{
	void HandleParse(ReadOnlySequence<byte> message)
	{
		var body     = BodyOf(message);
		var offset   = 0;
		var name     = PgMessageReader.ReadCString(body, ref offset);
		var sqlBytes = PgMessageReader.ReadCStringBytes(body, ref offset);
		var rest     = body[offset..];

		// A text parsed before is not split and classified again (its plan, when one is kept, needs nothing of the text).
		PreparedStatementInfo? info;
		string? sql = null;
		List<SqlStatement>? statements = null;
		var scs = _info!.StandardConformingStrings;
		var keep = _services.Classifiers.DependsOnTextAndSessionOnly;

		if (keep && _front.ParsedStatements.TryGet(sqlBytes, scs, out var kept))
			info = kept.Info;
		else
		{
			sql        = Encoding.UTF8.GetString(sqlBytes);
			statements = StatementSplitter.Split(sql, scs);
			info       = null;

			if (statements.Count == 1)
			{
				var context = new StatementContext(statements[0], QueryProtocol.Extended, 1, name, _info, _transactions.Current);
				var classified = _services.Classifiers.Classify(context);
				var control = TransactionControlDetector.Detect(statements[0]);
				if (classified != null || control != TransactionControl.None)
					info = new PreparedStatementInfo(classified, control);
			}

			if (keep)
				_front.ParsedStatements.Add(sqlBytes, scs, new ParsedStatementCache.Entry(info));
		}

		var plan = info?.Plan;
		if (info != null)
			_front.Statements[name] = info;
		// (a plan's OnExecute runs at each Execute, not here)
		else if (_front.Statements.Count > 0)
			_front.Statements.Remove(name);

		if (plan?.InjectBefore != null && _front.AtBoundary)
			Inject([plan]);

		if (plan?.WaitForJob != null)
		{
			// Forwarding the Parse would open the backend's implicit transaction (and a snapshot) that a concurrent index
			// build waits for, while the proxy waits for the build: hold the Parse back until the Bind says which job.
			_front.DeferredParse = plan.Sql is null ? message.ToArray() : BuildParse(name, Rewritten(sql!, statements![0], plan.Sql), rest);
			return;
		}

		// A write's unnamed statement must be prepared again to run it again: the proxy's own queries drop it.
		var replayable = name.Length == 0 && plan != null && IsReplayableWrite(plan) && _transactions.InBlock;
		if (name.Length == 0)
			_front.ReplayParse = null;

		if (plan?.Sql is null)
		{
			if (replayable)
				_front.ReplayParse = message.ToArray();
			Forward(message, new Expectation(ExpectationKind.Parse), boundary: false);
			return;
		}

		var replacement = BuildParse(name, Rewritten(sql!, statements![0], plan.Sql), rest);
		if (replayable)
			_front.ReplayParse = replacement;
		_tracker.Enqueue(new Expectation(ExpectationKind.Parse));
		_front.BackendOut.Write(replacement);
		_front.AtBoundary = false;
	}

	static string Rewritten(string sql, SqlStatement statement, string replacement) =>
		sql[..statement.Start] + replacement + sql[statement.End..];

	static byte[] BuildParse(string name, string sql, ReadOnlySpan<byte> parameterTypes)
	{
		var builder = new PgMessageBuilder();
		builder.Parse(name, sql, parameterTypes);
		return builder.WrittenSpan.ToArray();
	}

	void ReleaseDeferredParse()
	{
		var parse = _front.DeferredParse!;
		_front.DeferredParse = null;
		_tracker.Enqueue(new Expectation(ExpectationKind.Parse));
		_front.BackendOut.Write(parse);
		_front.AtBoundary = false;
	}

	async ValueTask HandleBindAsync(ReadOnlySequence<byte> message)
	{
		string? waitFor = null;
		ExecutionVerdict? verdict = null;
		var portalName = "";
		var statementName = "";
		var lostConflict = _transactions.LostConflict != null;

		_front.ReplayBind = null;

		if (_front.Statements.Count > 0 || _front.Portals.Count > 0 || lostConflict)
		{
			var body   = BodyOf(message);
			var offset = 0;
			var portal = PgMessageReader.ReadCString(body, ref offset);
			var name   = PgMessageReader.ReadCString(body, ref offset);
			portalName = portal;
			statementName = name;

			if (_front.Statements.TryGetValue(name, out var info))
			{
				if (info.Plan?.WaitForJob is { ParameterNumber: > 0 } reference)
					info = info with { BoundJobId = ReadTextParameter(body, offset, reference.ParameterNumber) };
				else if (info.Plan?.WaitForJob is { LiteralId: { } literal })
					info = info with { BoundJobId = literal };

				_front.Portals[portal] = info;
				waitFor = info.BoundJobId;

				// Per-transaction rules, at every execution (prepared statements run again without a new Parse). A statement
				// refused at Parse is bound without the client's values: parameters of undeclared types sent in binary
				// would not decode as the refusal's text parameters.
				verdict = info.Plan?.Refusal ?? info.Plan?.CheckExecute?.Invoke(_transactions.Current, _info!);
			}
			else
				_front.Portals.Remove(portal);

			if (lostConflict && LostConflictVerdict(info?.Control ?? TransactionControl.None) is { } lost)
				verdict = lost;
		}

		// The backend takes the transaction snapshot at Bind when there are parameters: wait for the job before it,
		// so that the procedure sees the job's final state.
		if (verdict is null && waitFor != null && !_transactions.InBlock && !await WaitForJobAsync(waitFor).ConfigureAwait(false) && _front.DeferredParse != null)
		{
			// Cancelled while waiting: the held-back statement becomes the cancellation error (same name and parameters).
			var parse  = _front.DeferredParse;
			var offset = 5;
			var name   = PgMessageReader.ReadCString(parse, ref offset);
			var sql    = PgMessageReader.ReadCString(parse, ref offset);
			var parameterCount = StatementSplitter.Split(sql) is [var statement] ? statement.MaxParameterNumber() : 0;
			_front.DeferredParse = BuildParse(name, StatementPlan.RefusalSql("57014", "canceling statement due to user request", null, null, parameterCount), parse.AsSpan(offset));
		}

		if (_front.DeferredParse != null)
			ReleaseDeferredParse();

		if (verdict != null)
		{
			BindHidden(portalName, verdict);
		}
		else
		{
			// Checked statements count for the ones bound after them, before they are executed.
			if (_front.Portals.TryGetValue(portalName, out var bound) && bound.Plan?.OnExecute != null)
			{
				if (bound.Plan.IsDdl)
					_transactions.Current.PendingDdl++;
				else
					_transactions.Current.PendingDml++;
			}

			_front.ReplayBind = bound?.Plan is { } boundPlan && IsReplayableWrite(boundPlan) && _transactions.InBlock
				&& (statementName.Length > 0 || _front.ReplayParse != null)
				? (portalName, statementName.Length == 0 ? _front.ReplayParse : null, message.ToArray())
				: null;

			Forward(message, new Expectation(ExpectationKind.Bind), boundary: false);
		}
	}

	const string HiddenRefusal = "aurora_dsql_refusal";
	const string HiddenRollback = "aurora_dsql_rollback";
	const int TextOid = 25;
	static readonly StatementPlan RefusedPortal = new() { IsRefusal = true };

	/// <summary>
	/// Binds <paramref name="portal"/> to a statement of the proxy's own instead of the client's: a refusal
	/// (<c>CALL sys.raise_error</c>, so the backend's transaction reacts to the error) or, for a failing COMMIT, ROLLBACK
	/// (its CommandComplete becomes the error). The hidden statement is closed and prepared again each time, its
	/// CloseComplete and ParseComplete swallowed; the client sees BindComplete, then the error at its Execute.
	/// </summary>
	void BindHidden(string portal, ExecutionVerdict verdict, bool clientSentBind = true)
	{
		var name = verdict.FailsCommit ? HiddenRollback : HiddenRefusal;

		_front.Builder.Clear();
		_front.Builder.Close(StatementOrPortal.Statement, name);
		if (verdict.FailsCommit)
		{
			_front.Builder.Parse(name, "ROLLBACK");
			_front.Builder.Bind(portal, name, []);
		}
		else
		{
			_front.Builder.Parse(name, "CALL sys.raise_error($1, $2, $3, $4)", TextOid, TextOid, TextOid, TextOid);
			_front.Builder.Bind(portal, name, [verdict.SqlState, verdict.Message, verdict.Detail, verdict.Hint]);
		}

		_tracker.Enqueue(new Expectation(ExpectationKind.Swallowed));
		_tracker.Enqueue(new Expectation(ExpectationKind.Swallowed));
		_tracker.Enqueue(new Expectation(clientSentBind ? ExpectationKind.Bind : ExpectationKind.Swallowed));
		_front.BackendOut.Write(_front.Builder.WrittenSpan);
		_front.AtBoundary = false;

		_front.Portals[portal] = verdict.FailsCommit
			? new PreparedStatementInfo(StatementPlan.FailCommit(verdict), TransactionControl.Commit)
			: new PreparedStatementInfo(RefusedPortal, TransactionControl.None);
	}

	/// <summary>The value of parameter <paramref name="number"/> (1-based) of a Bind body, read as UTF-8 text.</summary>
	static string? ReadTextParameter(ReadOnlySpan<byte> body, int offset, int number)
	{
		try
		{
			var formatCount = PgMessageReader.ReadInt16(body, ref offset);
			offset += 2 * formatCount;
			var count = PgMessageReader.ReadInt16(body, ref offset);
			for (var k = 1; k <= count; k++)
			{
				var length = PgMessageReader.ReadInt32(body, ref offset);
				if (length > body.Length - offset)
					return null; // runs past the message: the backend answers 08P01 (insufficient data left in message)
				if (k == number)
					return length < 0 ? null : Encoding.UTF8.GetString(body.Slice(offset, length));
				if (length > 0)
					offset += length;
			}
		}
		catch (PgProtocolException)
		{
			// malformed: the backend will say so
		}

		return null;
	}

	void ForgetClosed(ReadOnlySequence<byte> message)
	{
		var body   = BodyOf(message);
		if (body.Length == 0)
			throw new PgProtocolException("message too short");
		var offset = 1;
		var name   = PgMessageReader.ReadCString(body, ref offset);
		if ((StatementOrPortal)body[0] == StatementOrPortal.Statement)
			_front.Statements.Remove(name);
		else
			_front.Portals.Remove(name);
	}

	void HandleExecute(ReadOnlySequence<byte> message)
	{
		PreparedStatementInfo? info = null;
		string? portal = null;
		if (_front.Portals.Count > 0)
		{
			var offset = 0;
			portal = PgMessageReader.ReadCString(BodyOf(message), ref offset);
			_front.Portals.TryGetValue(portal, out info);
		}

		if (portal != null && _transactions.LostConflict != null && RebindLostPortal(portal))
			info = _front.Portals[portal];

		if (info?.Plan?.IsEndpointQuery == true)
			CountStatements(0, 1);
		else
			CountStatements(1, 0);

		byte[]? replay = null;
		if (_front.ReplayBind is { } bind && bind.Portal == portal)
			replay = [.. bind.Parse ?? [], .. bind.Bind, .. message.ToArray()];
		_front.ReplayBind = null;

		var inBlockBefore = _transactions.InBlock;
		if (info?.Plan?.OnExecute is { } onExecute)
		{
			var current = _transactions.Current;
			if (info.Plan.IsDdl && current.PendingDdl > 0)
				current.PendingDdl--;
			else if (!info.Plan.IsDdl && current.PendingDml > 0)
				current.PendingDml--;

			onExecute(current);
		}

		_transactions.OnStatement(info?.Control ?? TransactionControl.None);

		if (replay != null)
		{
			// Held back until the next message: only an Execute that Sync follows directly can be run again (the client
			// would otherwise expect answers to what comes between). A client waits for an Execute's answer only after a
			// Flush or Sync, so nothing waits on this.
			_front.DeferredExecute = (message.ToArray(), new Expectation(ExpectationKind.Execute) { Plan = info?.Plan, Replay = replay });
			_front.AtBoundary = false;
			return;
		}

		Forward(message, new Expectation(ExpectationKind.Execute) { Plan = info?.Plan }, boundary: false);

		if (info?.Plan?.CompletionError != null)
			_front.DiscardUntilSync = true;

		// A BEGIN: record the block from here (see TransactionRecord).
		if (info?.Control == TransactionControl.Begin && !inBlockBefore && _transactions.InBlock)
			StartRecording();
	}

	void ReleaseDeferredExecute(bool followedBySync)
	{
		var (message, expectation) = _front.DeferredExecute!.Value;
		_front.DeferredExecute = null;
		if (!followedBySync)
			expectation.Replay = null;
		_tracker.Enqueue(expectation);
		_front.BackendOut.Write(message);
		_front.AtBoundary = false;
	}
}
