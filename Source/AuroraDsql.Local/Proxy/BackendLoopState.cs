using System.Buffers;
using AuroraDsql.Local.Protocol;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// What a session's backend loop (backend → client) keeps between backend messages. Used by the backend loop's thread
/// only, without locks.
/// </summary>
sealed class BackendLoopState
{
	/// <summary>Composes the messages the proxy sends the client in place of the backend's.</summary>
	public PgMessageBuilder Builder { get; } = new();

	/// <summary>What goes to the client, written when no whole backend message is left (pipelined answers go out together).</summary>
	public ArrayBufferWriter<byte> ClientOut { get; set; } = new(16 * 1024);

	/// <summary>The expectation the backend's messages now answer (when <see cref="HasCurrent"/>).</summary>
	public Expectation Current { get; set; }

	public bool HasCurrent { get; set; }

	/// <summary>Of a Query: which of its statements the backend's messages now answer.</summary>
	public int StatementIndex { get; set; }

	/// <summary>A RowDescription or DataRow (or a COPY response) of the current expectation went to the client: it cannot run again.</summary>
	public bool ForwardedRows { get; set; }

	/// <summary>A DDL statement completed in the current transaction: its commit bumps the schema version.</summary>
	public bool DdlPending { get; set; }

	/// <summary>The backend's last ReadyForQuery was in a transaction block.</summary>
	public bool InBlock { get; set; }

	/// <summary>A COMMIT (or a write that commits on its own) completed; its ReadyForQuery ends the commit.</summary>
	public bool CommitPending { get; set; }

	/// <summary>What goes to the client next answers a commit: it is held for the commit latency too.</summary>
	public bool CommitAnswered { get; set; }

	/// <summary>A write that lost its row, held until its ReadyForQuery (see ClientSession.TryReplay).</summary>
	public PendingReplay? PendingReplay { get; set; }

	/// <summary>Jobs submitted since the last idle ReadyForQuery, which waits until they are visible.</summary>
	public List<string> SubmittedJobs { get; } = [];
}
