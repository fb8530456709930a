using AuroraDsql.Local.Classification;

namespace AuroraDsql.Local.Proxy;

/// <summary>An entry of the response FIFO: what the backend owes for one message sent to it.</summary>
struct Expectation
{
	public ExpectationKind Kind;

	/// <summary>Query: the plan of each statement (null when no statement has one).</summary>
	public StatementPlan?[]? Plans;

	/// <summary>Execute: the plan of the executed statement.</summary>
	public StatementPlan? Plan;

	/// <summary>
	/// Query or Execute of a write in a transaction block: the messages that run it again (the Query; the Bind and the
	/// Execute) if it loses a row to a transaction that committed after its snapshot (see ClientSession.TryReplay).
	/// </summary>
	public byte[]? Replay;

	/// <summary>The run again of a write that lost its row: any error it meets is reported as the conflict.</summary>
	public bool IsReplay;

	/// <summary>Injected: where its outcome goes.</summary>
	public InjectedQuery? Injected;

	/// <summary>The transaction block whose messages and answers are being recorded, when this message is one of them.</summary>
	public TransactionRecord? Record;

	/// <summary>Redo: the run again of a lost transaction's messages that these answers belong to.</summary>
	public RedoRun? Redo;

	public Expectation(ExpectationKind kind) => Kind = kind;
}
