using System.Text;
using AuroraDsql.Rules;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Classification;

/// <summary>
/// Rewrites what DSQL answers differently from the backend PostgreSQL, at the token level:
/// <list type="bullet">
/// <item><c>CREATE [UNIQUE] INDEX ASYNC …</c> → a job submission returning <c>job_id</c>, tag <c>CREATE INDEX</c>;</item>
/// <item><c>ALTER TABLE ASYNC t VALIDATE CONSTRAINT c</c> → a VALIDATE_CONSTRAINT job, tag <c>ALTER TABLE</c>;</item>
/// <item><c>CALL sys.wait_for_job(…)</c> → the proxy waits for the job first;</item>
/// <item><c>version()</c> → <c>sys.version()</c> (<c>PostgreSQL 16</c>), <c>SHOW server_version[_num]</c> and
/// <c>current_setting('server_version[_num]')</c> → the DSQL value; <c>SHOW</c> of a setting PostgreSQL 16 removed
/// (<c>lc_collate</c>, <c>lc_ctype</c>…) → 42704, as on PostgreSQL 16;</item>
/// <item><c>NOWAIT</c> / <c>SKIP LOCKED</c> after a locking clause are dropped (DSQL takes no locks: they change nothing there).</item>
/// <item><c>set_config(…)</c> → <c>sys.set_config(…)</c> (the backend lets clients set only what SET may).</item>
/// </list>
/// </summary>
sealed class DsqlRewriter : IStatementClassifier
{
	/// <summary>
	/// Settings PostgreSQL 16 removed (DSQL is PostgreSQL 16: <c>SHOW</c> of them fails there). A PostgreSQL 15 backend still
	/// answers them; the endpoint answers as 16 does, whatever the backend.
	/// </summary>
	static readonly HashSet<string> RemovedSettings = new(StringComparer.Ordinal)
		{ "lc_collate", "lc_ctype", "promote_trigger_file", "vacuum_defer_cleanup_age", "force_parallel_mode" };

	readonly DsqlServerVersion _version;

	/// <param name="version">The version to report; <see langword="null"/>: <see cref="DsqlServerVersion.Latest"/>.</param>
	public DsqlRewriter(DsqlServerVersion? version = null) => _version = version ?? DsqlServerVersion.Latest;

	/// <summary>Reads the statement only.</summary>
	public bool DependsOnTextAndSessionOnly => true;

	public StatementPlan? Classify(StatementContext context)
	{
		var s = context.Statement;
		if (s.HasLexicalError)
			return null;

		if (s.IsKeyword(0, "create"))
			return CreateIndexAsync(s);

		if (s.IsKeyword(0, "alter") && s.IsKeyword(1, "table") && s.IsKeyword(2, "async"))
			return AlterTableAsync(s);

		if (s.IsKeyword(0, "call"))
			return WaitForJob(s);

		if (s.IsKeyword(0, "show") && s.Tokens.Count == 2)
		{
			var name = s.NameAt(1);
			if (name == "server_version")
				return new StatementPlan { Sql = $"SELECT '{_version.Version}'::text AS server_version", CommandTag = "SHOW" };
			if (name == "server_version_num")
				return new StatementPlan { Sql = $"SELECT '{_version.VersionNum}'::text AS server_version_num", CommandTag = "SHOW" };
			if (name is not null && RemovedSettings.Contains(name))
				return StatementPlan.Refuse(s, "42704", $"unrecognized configuration parameter \"{name}\"");
		}

		return LockWaitPolicies(s) ?? VersionCalls(s);
	}

	/// <summary>
	/// <c>FOR UPDATE … NOWAIT | SKIP LOCKED</c> without the policy: DSQL accepts it but takes no row locks, so nothing fails
	/// at once or is skipped; here the statement waits like any <c>FOR UPDATE</c> and conflict handling decides who loses.
	/// </summary>
	static StatementPlan? LockWaitPolicies(SqlStatement s)
	{
		var mentioned = false;
		for (var k = 1; k < s.Tokens.Count && !mentioned; k++)
			mentioned = s.IsKeyword(k, "nowait") || (s.IsKeyword(k, "skip") && s.IsKeyword(k + 1, "locked"));

		if (!mentioned)
			return null;

		var shape = new StatementShape(s);
		StringBuilder? sql = null;
		var copied = s.Start;

		foreach (var (strength, index) in DsqlStatementRules.LockingClauses(shape))
		{
			// After FOR <strength> [OF name [, name …]]
			var k = index + strength.Count(c => c == ' ') + 1;
			if (shape.Kw(k, "of"))
			{
				k = shape.SkipQualifiedName(k + 1);
				while (shape.Sym(k, ","))
					k = shape.SkipQualifiedName(k + 1);
			}

			var last = shape.Kw(k, "nowait") ? k : shape.Kw(k, "skip") && shape.Kw(k + 1, "locked") ? k + 1 : -1;
			if (last < 0)
				continue;

			sql ??= new StringBuilder(s.End - s.Start);
			sql.Append(s.Text, copied, s.Tokens[k].Start - copied);
			copied = s.Tokens[last].End;
		}

		if (sql is null)
			return null;

		sql.Append(s.Text, copied, s.End - copied);
		return new StatementPlan { Sql = sql.ToString() };
	}

	/// <summary>
	/// <c>CREATE [UNIQUE] INDEX ASYNC [[IF NOT EXISTS] name] ON [ONLY] table rest…</c> →
	/// <c>SELECT sys.submit_index_build(unique, if_not_exists, name, table, only, rest, trial_rest, name_parts) AS job_id</c>.
	/// </summary>
	static StatementPlan? CreateIndexAsync(SqlStatement s)
	{
		var k = 1;
		var unique = s.IsKeyword(k, "unique");
		if (unique)
			k++;

		if (!s.IsKeyword(k, "index") || !s.IsKeyword(k + 1, "async"))
			return null;
		k += 2;

		var ifNotExists = false;
		if (s.IsKeyword(k, "if") && s.IsKeyword(k + 1, "not") && s.IsKeyword(k + 2, "exists"))
		{
			ifNotExists = true;
			k += 3;
		}

		string? name = null;
		if (!s.IsKeyword(k, "on"))
		{
			name = s.NameAt(k);
			if (name is null)
				return null;
			k++;
		}

		if (!s.IsKeyword(k, "on"))
			return null;
		k++;

		var only = s.IsKeyword(k, "only");
		if (only)
			k++;

		var tableStart = k;
		if (s.NameAt(k) is null)
			return null;
		k++;
		while (s.IsSymbol(k, ".") && s.NameAt(k + 1) is not null)
			k += 2;

		if (k >= s.Tokens.Count)
			return null;

		var table = s.Text[s.Tokens[tableStart].Start..s.Tokens[k - 1].End];
		var rest  = s.Text[s.Tokens[k].Start..s.End];

		// The trial build (run at submission, in a rolled-back subtransaction, to report errors at once) indexes no row.
		var whereIndex = FindTopLevelKeyword(s, k, "where");
		var trialRest = whereIndex < 0
			? rest + " WHERE false"
			: s.Text[s.Tokens[k].Start..s.Tokens[whereIndex].Start] + "WHERE (" + s.Text[s.Tokens[whereIndex + 1].Start..s.End] + ") AND false";

		var sql = new StringBuilder("SELECT sys.submit_index_build(");
		sql.Append(unique ? "true" : "false").Append(", ");
		sql.Append(ifNotExists ? "true" : "false").Append(", ");
		sql.Append(name is null ? "NULL" : SqlText.QuoteLiteral(name)).Append(", ");
		sql.Append(SqlText.QuoteLiteral(table)).Append(", ");
		sql.Append(only ? "true" : "false").Append(", ");
		sql.Append(SqlText.QuoteLiteral(rest)).Append(", ");
		sql.Append(SqlText.QuoteLiteral(trialRest)).Append(", ");

		var shape = new StatementShape(s);
		var index = IndexSyntax.Parse(shape);
		sql.Append("ARRAY[").AppendJoin(", ", IndexNameParts(shape, index).Select(SqlText.QuoteLiteral)).Append("]::text[]) AS job_id");

		// json has no btree operator class: check the plain column keys' types first, so the client gets DSQL's error.
		if (index != null)
		{
			var columns = index.Keys.Where(key => !IndexSyntax.IsExpression(shape, key.Start, key.End) && shape.Name(key.Start) is not null)
				.Select(key => SqlText.QuoteLiteral(shape.Name(key.Start)!)).ToList();
			if (columns.Count > 0)
				sql.Append(" FROM sys.check_index_key_columns(").Append(SqlText.QuoteLiteral(table)).Append(", ARRAY[").AppendJoin(", ", columns).Append("]::text[])");
		}

		return new StatementPlan { Sql = sql.ToString(), CommandTag = "CREATE INDEX", SubmitsJob = true };
	}

	/// <summary>
	/// The parts PostgreSQL names an unnamed index after (<c>ChooseIndexColumnNames</c>): each key and INCLUDE column's
	/// name, a function call's name, or <c>expr</c>.
	/// </summary>
	static IEnumerable<string> IndexNameParts(StatementShape s, IndexSyntax? index)
	{
		if (index is null)
			yield break;

		foreach (var (start, end) in index.Keys.Concat(index.Include))
		{
			var k = s.Sym(start, "(") ? start + 1 : start;
			var nameEnd = s.SkipQualifiedName(k);
			if (nameEnd == k)
				yield return "expr";
			else if (s.Sym(nameEnd, "("))
				yield return s.Name(nameEnd - 1)!; // a function call: its (unqualified) name
			else if (k == start || (nameEnd == k + 1 && s.Sym(nameEnd, ")")))
				yield return s.Name(nameEnd - 1)!; // a column, maybe parenthesized
			else
				yield return "expr";
		}
	}

	/// <summary><c>ALTER TABLE ASYNC [ONLY] table VALIDATE CONSTRAINT name</c>.</summary>
	static StatementPlan? AlterTableAsync(SqlStatement s)
	{
		var k = 3;
		if (s.IsKeyword(k, "only"))
			k++;

		var tableStart = k;
		if (s.NameAt(k) is null)
			return null;
		k++;
		while (s.IsSymbol(k, ".") && s.NameAt(k + 1) is not null)
			k += 2;

		var table = s.Text[s.Tokens[tableStart].Start..s.Tokens[k - 1].End];

		if (!s.IsKeyword(k, "validate") || !s.IsKeyword(k + 1, "constraint") || s.NameAt(k + 2) is not { } constraint || s.Tokens.Count != k + 3)
			return null;

		return new StatementPlan
		{
			Sql        = $"SELECT sys.submit_validate_constraint({SqlText.QuoteLiteral(table)}, {SqlText.QuoteLiteral(constraint)}) AS job_id",
			CommandTag = "ALTER TABLE",
			SubmitsJob = true,
		};
	}

	/// <summary><c>CALL sys.wait_for_job('id' | $n [::type])</c>: wait in the proxy, then let the procedure report.</summary>
	static StatementPlan? WaitForJob(SqlStatement s)
	{
		if (s.NameAt(1) != "sys" || !s.IsSymbol(2, ".") || s.NameAt(3) != "wait_for_job" || !s.IsSymbol(4, "("))
			return null;

		if (s.Tokens.Count < 7)
			return null;

		var argument = s.Tokens[5];
		var k = 6;
		if (s.IsSymbol(k, "::") && s.NameAt(k + 1) is not null)
			k += 2;

		if (!s.IsSymbol(k, ")") || k + 1 != s.Tokens.Count)
			return null;

		JobReference reference;
		if (argument.Kind == TokenKind.String && SqlText.StringValue(s.Text, argument) is { } literal)
			reference = new JobReference(literal, 0);
		else if (argument.Kind == TokenKind.Parameter)
			reference = new JobReference(null, int.Parse(s.Text.AsSpan(argument.Start + 1, argument.Length - 1), System.Globalization.CultureInfo.InvariantCulture));
		else
			return null;

		return new StatementPlan { WaitForJob = reference };
	}

	/// <summary>
	/// <c>version()</c> → <c>sys.version()</c>; <c>current_setting('server_version[_num]' [, missing_ok])</c> → the DSQL
	/// value; <c>set_config(</c> → <c>sys.set_config(</c> (also with the <c>pg_catalog.</c> prefix).
	/// </summary>
	StatementPlan? VersionCalls(SqlStatement s)
	{
		StringBuilder? sql = null;
		var copied = s.Start;

		for (var k = 0; k + 2 < s.Tokens.Count; k++)
		{
			string replacement;
			int last;

			if (s.IsKeyword(k, "version") && s.IsSymbol(k + 1, "(") && s.IsSymbol(k + 2, ")"))
			{
				replacement = "sys.version()";
				last = k + 2;
			}
			else if (s.NameAt(k) == "set_config" && s.IsSymbol(k + 1, "("))
			{
				// Clients may not execute pg_catalog.set_config: sys.set_config checks the parameter, then sets it.
				replacement = "sys.set_config(";
				last = k + 1;
			}
			else if (s.IsKeyword(k, "current_setting") && s.IsSymbol(k + 1, "(") && k + 3 < s.Tokens.Count
				&& SqlText.StringValue(s.Text, s.Tokens[k + 2]) is "server_version" or "server_version_num")
			{
				last = k + 3;
				if (s.IsSymbol(last, ",") && last + 2 < s.Tokens.Count && s.IsSymbol(last + 2, ")"))
					last += 2;
				if (!s.IsSymbol(last, ")"))
					continue;
				// A scalar subquery takes its column name from its select list: the result column stays "current_setting".
				var value = SqlText.StringValue(s.Text, s.Tokens[k + 2]) == "server_version" ? _version.Version : _version.VersionNum;
				replacement = $"(SELECT '{value}'::text AS current_setting)";
			}
			else
				continue;

			var start = s.Tokens[k].Start;
			if (k > 0 && s.IsSymbol(k - 1, "."))
			{
				if (k < 2 || s.NameAt(k - 2) != "pg_catalog")
					continue;
				start = s.Tokens[k - 2].Start;
			}

			sql ??= new StringBuilder(s.End - s.Start + 16);
			sql.Append(s.Text, copied, start - copied).Append(replacement);
			copied = s.Tokens[last].End;
			k = last;
		}

		if (sql is null)
			return null;

		sql.Append(s.Text, copied, s.End - copied);
		return new StatementPlan { Sql = sql.ToString() };
	}

	static int FindTopLevelKeyword(SqlStatement s, int from, string keyword)
	{
		var depth = 0;
		for (var k = from; k < s.Tokens.Count; k++)
		{
			if (s.IsSymbol(k, "(") || s.IsSymbol(k, "["))
				depth++;
			else if (s.IsSymbol(k, ")") || s.IsSymbol(k, "]"))
				depth--;
			else if (depth == 0 && s.IsKeyword(k, keyword))
				return k;
		}

		return -1;
	}
}
