using AuroraDsql.Sql;

namespace AuroraDsql.Rules;

/// <summary>What a statement is, for DSQL's per-transaction rules (see <see cref="StatementCategory"/>).</summary>
static class DsqlStatementRules
{
	/// <summary>The statement's category.</summary>
	public static StatementCategory Categorize(SqlStatement statement) => Categorize(new StatementShape(statement));

	/// <summary>The statement's category.</summary>
	public static StatementCategory Categorize(StatementShape s)
	{
		if (s.IsPrepare)
			return StatementCategory.Session;

		if (s.IsExplain && !s.ExplainAnalyze)
			return StatementCategory.Read;

		switch (s.Verb)
		{
			case "select":
				if (LockingClauses(s).Count > 0)
					return StatementCategory.Dml;
				return IsSelectInto(s) ? StatementCategory.Ddl : StatementCategory.Read;
			case "values" or "table" or "show" or "fetch" or "move":
				return StatementCategory.Read;
			case "with":
				if (s.HasModifyingCte || s.MainVerb is "insert" or "update" or "delete" or "merge")
					return StatementCategory.Dml;
				if (s.MainVerb == "select" && LockingClauses(s).Count > 0)
					return StatementCategory.Dml;
				return s.MainVerb == "select" && IsSelectInto(s) ? StatementCategory.Ddl : StatementCategory.Read;
			case "insert" or "update" or "delete" or "merge" or "truncate":
				return StatementCategory.Dml;
			case "copy":
				return IsCopyFrom(s) ? StatementCategory.Dml : StatementCategory.Read;
			case "aws" when s.Kw(s.First + 1, "iam"):
				return StatementCategory.Ddl; // AWS IAM GRANT / REVOKE: DSQL's mapping of IAM identities to roles
			case "alter" when s.ObjectKind == "system":
				return StatementCategory.Utility;
			case "create" or "alter" or "drop" or "comment" or "grant" or "revoke" or "security" or "reassign" or "refresh" or "import":
				return StatementCategory.Ddl;
			case "begin" or "start" or "commit" or "end" or "rollback" or "abort" or "savepoint" or "release":
				return StatementCategory.TransactionControl;
			case "prepare":
				return StatementCategory.TransactionControl; // PREPARE TRANSACTION (PREPARE name AS … is IsPrepare)
			case "set":
				return s.Kw(s.First + 1, "transaction") || (s.Kw(s.First + 1, "session") && s.Kw(s.First + 2, "characteristics"))
					? StatementCategory.TransactionControl
					: StatementCategory.Session;
			case "reset" or "discard" or "deallocate" or "listen" or "notify" or "unlisten" or "load":
				return StatementCategory.Session;
			default:
				return StatementCategory.Utility;
		}
	}

	static readonly (string Strength, int Index)[] NoLockingClauses = [];

	/// <summary>
	/// The locking clauses of a query, lower case with single spaces (<c>for update</c>, <c>for no key update</c>,
	/// <c>for share</c>, <c>for key share</c>), with the index of each <c>FOR</c>.
	/// </summary>
	public static IReadOnlyList<(string Strength, int Index)> LockingClauses(StatementShape s)
	{
		List<(string, int)>? found = null;
		for (var i = s.First; i + 1 < s.Count; i++)
		{
			if (!s.Kw(i, "for"))
				continue;

			string? strength = null;
			int last;
			if (s.Kw(i + 1, "update"))
			{
				strength = "for update";
				last = i + 1;
			}
			else if (s.Kw(i + 1, "share"))
			{
				strength = "for share";
				last = i + 1;
			}
			else if (s.Kw(i + 1, "no") && s.Kw(i + 2, "key") && s.Kw(i + 3, "update"))
			{
				strength = "for no key update";
				last = i + 3;
			}
			else if (s.Kw(i + 1, "key") && s.Kw(i + 2, "share"))
			{
				strength = "for key share";
				last = i + 2;
			}
			else
				continue;

			// A locking clause ends the query or is followed by OF, NOWAIT, SKIP LOCKED, another locking clause, a closing
			// parenthesis or LIMIT/OFFSET/FETCH; "substring(x FROM 1 FOR 2)" and friends never put these words there.
			var next = last + 1;
			if (next >= s.Count || s.Sym(next, ")") || s.KwAny(next, "of", "nowait", "skip", "for", "limit", "offset", "fetch"))
				(found ??= []).Add((strength, i));
		}

		return (IReadOnlyList<(string, int)>?)found ?? NoLockingClauses;
	}

	/// <summary><c>SELECT … INTO new_table …</c> (creates a table, like CREATE TABLE AS).</summary>
	public static bool IsSelectInto(StatementShape s) => s.FindTopLevel("into", s.MainIndex + 1) >= 0;

	/// <summary><c>COPY table [(columns)] FROM …</c>.</summary>
	public static bool IsCopyFrom(StatementShape s)
	{
		var k = s.First + 1;
		if (s.Sym(k, "("))
			return false; // COPY (query) TO …

		k = s.SkipQualifiedName(k);
		if (s.Sym(k, "("))
			k = s.MatchParen(k) + 1;
		return s.Kw(k, "from");
	}
}
