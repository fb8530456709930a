namespace AuroraDsql.Local.Classification;

/// <summary>Transaction-control statements, by their effect on the session.</summary>
enum TransactionControl : byte
{
	None,
	Begin,
	Commit,
	Rollback,
	PrepareTransaction,
	Savepoint,
	ReleaseSavepoint,
	RollbackToSavepoint,
	SetTransaction,
}
