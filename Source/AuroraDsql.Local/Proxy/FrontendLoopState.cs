using System.Buffers;
using AuroraDsql.Local.Protocol;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// What a session's frontend loop (client → backend) keeps between client messages. Guarded by the session's gate:
/// start-up and then the frontend loop use it on the connection's thread, holding the gate while they handle client
/// messages; another thread (the conflict monitor, the backend loop running a lost write again) takes the gate to send
/// queries of the proxy's own through <see cref="Builder"/> and <see cref="BackendOut"/>, and only while the client
/// waits for nothing else (<see cref="AtBoundary"/>, nothing held back, nothing outstanding).
/// </summary>
sealed class FrontendLoopState
{
	public FrontendLoopState(MessageBuffer clientIn) => ClientIn = clientIn;

	/// <summary>The client's messages, read and not yet handled.</summary>
	public MessageBuffer ClientIn { get; }

	/// <summary>Composes the messages the proxy sends the backend itself (and the client's during start-up).</summary>
	public PgMessageBuilder Builder { get; } = new();

	/// <summary>What goes to the backend, written when no whole client message is left (pipelined messages go out together).</summary>
	public ArrayBufferWriter<byte> BackendOut { get; set; } = new(16 * 1024);

	/// <summary>The plans of statement texts parsed before (see <see cref="ParsedStatementCache"/>).</summary>
	public ParsedStatementCache ParsedStatements { get; } = new();

	/// <summary>The client's prepared statements that have a plan or a transaction-control effect, by name.</summary>
	public Dictionary<string, PreparedStatementInfo> Statements { get; } = new(StringComparer.Ordinal);

	/// <summary>The portals bound to such statements (or to a hidden statement of the proxy's own), by name.</summary>
	public Dictionary<string, PreparedStatementInfo> Portals { get; } = new(StringComparer.Ordinal);

	/// <summary>The last message forwarded ended a Query or a Sync: the proxy may send queries of its own.</summary>
	public bool AtBoundary { get; set; } = true;

	/// <summary>
	/// Since the last flush to the backend the client sent a message it waits on (Query, Sync, Flush, CopyDone…) with no
	/// answer owed to it: a new round trip.
	/// </summary>
	public bool AwaitsAnswer { get; set; }

	/// <summary>Statements counted since the last round trip was counted (or not).</summary>
	public int CountedStatements { get; set; }

	/// <summary>Statements that only read the endpoint's statistics since then (see <see cref="Classification.StatementPlan.IsEndpointQuery"/>).</summary>
	public int UncountedStatements { get; set; }

	/// <summary>A COMMIT failed (as the client will see): messages up to Sync are ignored, as the server does after an error.</summary>
	public bool DiscardUntilSync { get; set; }

	/// <summary>A Parse of a CALL that waits for a job, held back until the Bind says which job.</summary>
	public byte[]? DeferredParse { get; set; }

	/// <summary>The last Parse of the unnamed statement, when it is of a write in a block (see <see cref="Expectation.Replay"/>).</summary>
	public byte[]? ReplayParse { get; set; }

	/// <summary>The last Bind of a write in a block, with the Parse it needs (null for a named statement).</summary>
	public (string Portal, byte[]? Parse, byte[] Bind)? ReplayBind { get; set; }

	/// <summary>The transaction block being recorded (see <see cref="TransactionRecord"/>), from its BEGIN to its end.</summary>
	public TransactionRecord? Record { get; set; }

	/// <summary>A write's Execute, held back until the next message says whether Sync follows.</summary>
	public (byte[] Message, Expectation Expectation)? DeferredExecute { get; set; }
}
