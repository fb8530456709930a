namespace AuroraDsql.Rules;

/// <summary>
/// What a statement does, as far as DSQL's per-transaction rules care: one DDL statement per transaction, and DDL never
/// together with DML.
/// </summary>
enum StatementCategory : byte
{
	/// <summary>Reads only: SELECT (without a locking clause), VALUES, TABLE, SHOW, EXPLAIN (without ANALYZE of a write), COPY … TO.</summary>
	Read,

	/// <summary>
	/// Modifies data (or takes row locks DSQL treats as writes): INSERT, UPDATE, DELETE, MERGE, COPY … FROM,
	/// SELECT … FOR UPDATE / FOR KEY SHARE…, data-modifying CTEs, EXPLAIN ANALYZE of any of these.
	/// </summary>
	Dml,

	/// <summary>Changes the schema: CREATE, ALTER, DROP, COMMENT, GRANT, REVOKE… (also <c>CREATE INDEX ASYNC</c>).</summary>
	Ddl,

	/// <summary>BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT, RELEASE, PREPARE TRANSACTION, SET TRANSACTION…</summary>
	TransactionControl,

	/// <summary>Session state: SET, RESET, DISCARD, PREPARE, DEALLOCATE, LISTEN, NOTIFY, UNLISTEN.</summary>
	Session,

	/// <summary>Everything else: CALL, DO, VACUUM, ANALYZE, LOCK, cursors, CHECKPOINT…</summary>
	Utility,
}
