using System.Globalization;
using System.Text;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Classification;

/// <summary>
/// What the proxy does with one client statement, decided by a classifier when the Query/Parse passes through, and
/// applied to the responses that belong to it. A statement without a plan is forwarded untouched.
/// </summary>
sealed record StatementPlan
{
	/// <summary>Replacement text of the statement (no trailing semicolon); <see langword="null"/> keeps the client's text.</summary>
	public string? Sql { get; init; }

	/// <summary>Replacement CommandComplete tag (e.g. <c>CREATE INDEX</c> for a rewritten <c>CREATE INDEX ASYNC</c>).</summary>
	public string? CommandTag { get; init; }

	/// <summary>The statement returns one row whose first column is a job id (the endpoint follows the job's catalog state).</summary>
	public bool SubmitsJob { get; init; }

	/// <summary>Before the statement executes, the proxy waits (outside transaction blocks) until this job has ended.</summary>
	public JobReference? WaitForJob { get; init; }

	/// <summary>
	/// Simple queries the proxy sends (and whose responses it swallows) right before the message carrying this statement,
	/// if that message starts at a Query/Sync boundary (a simple Query, or the first Parse after a Sync).
	/// </summary>
	public IReadOnlyList<string>? InjectBefore { get; init; }

	/// <summary>Called by the response relay with the statement's CommandComplete tag (before any replacement).</summary>
	public Action<string>? OnCommandComplete { get; init; }

	/// <summary>
	/// Called on the frontend loop each time the statement is sent for execution (a simple Query; every Execute of a
	/// prepared statement, also a re-executed named one), with the transaction it runs in: per-transaction rules
	/// (one DDL, no DDL with DML) count here.
	/// </summary>
	public Action<TransactionScope>? OnExecute { get; init; }

	/// <summary>A classifier's own data, carried along with the statement.</summary>
	public object? State { get; init; }

	/// <summary>
	/// Decides at each execution, before <see cref="OnExecute"/>, whether the statement may run in its transaction (a simple
	/// Query: when it is classified; a prepared statement: at each Bind). A verdict refuses it: the statement becomes
	/// <see cref="Refuse"/>'s error, or, for <see cref="ExecutionVerdict.FailsCommit"/>, a ROLLBACK answered with the error.
	/// </summary>
	public Func<TransactionScope, SessionInfo, ExecutionVerdict?>? CheckExecute { get; init; }

	/// <summary>
	/// The backend's CommandComplete is replaced by this error, and what the client sent after the statement up to the end
	/// of the Query (or the next Sync) is dropped, as after any error: a COMMIT rewritten to ROLLBACK reads as a failed COMMIT.
	/// </summary>
	public ExecutionVerdict? CompletionError { get; init; }

	/// <summary>The statement is a refusal (<see cref="Refuse"/>): it will fail, nothing after it in the message runs.</summary>
	public bool IsRefusal { get; init; }

	/// <summary>
	/// The error of a <see cref="Refuse"/> plan. A prepared statement refused at Parse is executed through a Bind of the
	/// proxy's own with this error, so the client's parameter values are never decoded.
	/// </summary>
	public ExecutionVerdict? Refusal { get; init; }

	/// <summary>The statement changes the schema: its commit invalidates older transactions (OC001), lock waits read as OC001.</summary>
	public bool IsDdl { get; init; }

	/// <summary>
	/// The statement only reads the endpoint's own statistics: not the client's work, so it is not counted as a statement,
	/// nor is its round trip when that carries nothing else.
	/// </summary>
	public bool IsEndpointQuery { get; init; }

	/// <summary>
	/// A plan that makes the backend refuse the statement with <paramref name="sqlState"/> and <paramref name="message"/>:
	/// the statement becomes <c>CALL sys.raise_error(…)</c>, so the backend's transaction state machine reacts as to any
	/// error (a block is aborted, an implicit transaction rolls back) and responses stay in order. Parameters <c>$1…$n</c>
	/// of the original statement stay referenced, so the client's Bind remains valid.
	/// </summary>
	public static StatementPlan Refuse(SqlStatement statement, string sqlState, string message, string? detail = null, string? hint = null) =>
		new()
		{
			Sql       = RefusalSql(sqlState, message, detail, hint, statement.MaxParameterNumber()),
			IsRefusal = true,
			Refusal   = new ExecutionVerdict(sqlState, message, hint, Detail: detail),
		};

	/// <summary>A COMMIT that fails with <paramref name="verdict"/>'s error: the backend rolls the transaction back.</summary>
	public static StatementPlan FailCommit(ExecutionVerdict verdict) => new() { Sql = "ROLLBACK", CompletionError = verdict };

	/// <summary>The SQL of a refusal (see <see cref="Refuse"/>).</summary>
	public static string RefusalSql(string sqlState, string message, string? detail, string? hint, int parameterCount)
	{
		var sql = new StringBuilder("CALL sys.raise_error(");
		sql.Append(SqlText.QuoteLiteral(sqlState)).Append(", ").Append(SqlText.QuoteLiteral(message)).Append(", ");
		sql.Append(detail is null ? "NULL" : SqlText.QuoteLiteral(detail)).Append(", ");
		sql.Append(hint is null ? "NULL" : SqlText.QuoteLiteral(hint));
		for (var k = 1; k <= parameterCount; k++)
			sql.Append(", $").Append(k.ToString(CultureInfo.InvariantCulture)).Append("::text");
		sql.Append(')');
		return sql.ToString();
	}
}
