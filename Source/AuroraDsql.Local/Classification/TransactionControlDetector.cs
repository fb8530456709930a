using AuroraDsql.Sql;

namespace AuroraDsql.Local.Classification;

/// <summary>Recognizes transaction-control statements from their leading key words.</summary>
static class TransactionControlDetector
{
	public static TransactionControl Detect(SqlStatement s)
	{
		if (s.Tokens.Count == 0 || s.Tokens[0].Kind != TokenKind.Identifier)
			return TransactionControl.None;

		if (s.IsKeyword(0, "begin"))
			return TransactionControl.Begin;

		if (s.IsKeyword(0, "start") && s.IsKeyword(1, "transaction"))
			return TransactionControl.Begin;

		if (s.IsKeyword(0, "commit") || s.IsKeyword(0, "end"))
			return s.IsKeyword(1, "prepared") ? TransactionControl.None : TransactionControl.Commit;

		if (s.IsKeyword(0, "rollback") || s.IsKeyword(0, "abort"))
		{
			if (s.IsKeyword(1, "prepared"))
				return TransactionControl.None;

			for (var k = 1; k < s.Tokens.Count; k++)
			{
				if (s.IsKeyword(k, "to"))
					return TransactionControl.RollbackToSavepoint;
			}

			return TransactionControl.Rollback;
		}

		if (s.IsKeyword(0, "prepare") && s.IsKeyword(1, "transaction"))
			return TransactionControl.PrepareTransaction;

		if (s.IsKeyword(0, "savepoint"))
			return TransactionControl.Savepoint;

		if (s.IsKeyword(0, "release"))
			return TransactionControl.ReleaseSavepoint;

		if (s.IsKeyword(0, "set") && (s.IsKeyword(1, "transaction") || (s.IsKeyword(1, "session") && s.IsKeyword(2, "characteristics"))))
			return TransactionControl.SetTransaction;

		return TransactionControl.None;
	}
}
