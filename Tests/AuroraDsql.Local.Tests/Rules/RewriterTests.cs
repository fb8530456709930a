using AuroraDsql.Local.Classification;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Tests.Rules;

public sealed class RewriterTests
{
	static StatementPlan? Classify(string sql)
	{
		var statement = StatementSplitter.Split(sql).Single();
		var tracker = new SessionTransactionTracker();
		var context = new StatementContext(statement, QueryProtocol.Simple, 1, null, new SessionInfo("admin", "postgres", tracker), tracker.Current);
		return new DsqlRewriter().Classify(context);
	}

	[TestCase("CREATE INDEX ASYNC ON t (a)", false, false, null, "t", "(a)")]
	[TestCase("create unique index async idx on public.t (a, (lower(b)) NULLS FIRST) include (c) nulls not distinct where a > 0", true, false, "idx", "public.t",
		"(a, (lower(b)) NULLS FIRST) include (c) nulls not distinct where a > 0")]
	[TestCase("CREATE INDEX ASYNC IF NOT EXISTS \"My Idx\" ON ONLY \"S\".\"T\" (a)", false, true, "My Idx", "\"S\".\"T\"", "(a)")]
	public void CreateIndexAsyncBecomesAJobSubmission(string sql, bool unique, bool ifNotExists, string? name, string table, string rest)
	{
		var plan = Classify(sql);
		plan.Should().NotBeNull();
		plan!.CommandTag.Should().Be("CREATE INDEX");
		plan.SubmitsJob.Should().BeTrue();
		plan.Sql.Should().StartWith($"SELECT sys.submit_index_build({(unique ? "true" : "false")}, {(ifNotExists ? "true" : "false")}, " +
			$"{(name is null ? "NULL" : SqlText.QuoteLiteral(name))}, {SqlText.QuoteLiteral(table)}, ");
		plan.Sql.Should().Contain(SqlText.QuoteLiteral(rest));
		plan.Sql.Should().Contain(") AS job_id FROM sys.check_index_key_columns(" + SqlText.QuoteLiteral(table) + ", ARRAY[");
	}

	[TestCase("CREATE INDEX ASYNC ON t (a)", "ARRAY[E'a']")]
	[TestCase("CREATE INDEX ASYNC ON s.t (a NULLS FIRST, (lower(b)), pg_catalog.upper(c), (d), ((e + 1))) INCLUDE (f)", "ARRAY[E'a', E'lower', E'upper', E'd', E'expr', E'f']")]
	public void UnnamedIndexesCarryThePartsPostgreSqlNamesThemAfter(string sql, string parts) =>
		Classify(sql)!.Sql.Should().Contain(parts + "::text[]) AS job_id");

	[Test]
	public void TrialBuildIndexesNoRow()
	{
		Classify("CREATE INDEX ASYNC i ON t (a)")!.Sql.Should().Contain("E'(a) WHERE false'");
		Classify("CREATE INDEX ASYNC i ON t (a) WHERE (a > 0) OR b")!.Sql.Should().Contain("E'(a) WHERE ((a > 0) OR b) AND false'");
		Classify("CREATE INDEX ASYNC i ON t ((CASE WHEN x THEN 1 END)) WHERE b")!.Sql.Should().Contain("WHERE (b) AND false");
	}

	[TestCase("CREATE INDEX i ON t (a)")]
	[TestCase("CREATE INDEX CONCURRENTLY i ON t (a)")]
	[TestCase("CREATE TABLE async (a int)")]
	[TestCase("SELECT 'CREATE INDEX ASYNC ON t (a)'")]
	[TestCase("/* CREATE INDEX ASYNC ON t (a) */ SELECT 1")]
	public void OtherStatementsAreNotIndexJobs(string sql)
	{
		Classify(sql)?.SubmitsJob.Should().NotBe(true);
	}

	[TestCase("SELECT * FROM t FOR UPDATE NOWAIT", "SELECT * FROM t FOR UPDATE ")]
	[TestCase("SELECT * FROM t ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", "SELECT * FROM t ORDER BY id LIMIT 1 FOR UPDATE ")]
	[TestCase("select * from t for update skip locked limit $1", "select * from t for update  limit $1")]
	[TestCase("SELECT * FROM a JOIN s.b ON a.id = b.id FOR UPDATE OF a, s.b NOWAIT FOR KEY SHARE OF \"C\" SKIP LOCKED",
		"SELECT * FROM a JOIN s.b ON a.id = b.id FOR UPDATE OF a, s.b  FOR KEY SHARE OF \"C\" ")]
	[TestCase("SELECT * FROM (SELECT * FROM t FOR UPDATE NOWAIT) x", "SELECT * FROM (SELECT * FROM t FOR UPDATE ) x")]
	public void LockWaitPoliciesAreDroppedBecauseDsqlTakesNoLocks(string sql, string rewritten) =>
		Classify(sql)!.Sql.Should().Be(rewritten);

	[TestCase("SELECT 'FOR UPDATE NOWAIT' FROM t")]
	[TestCase("SELECT nowait, skip FROM t FOR UPDATE")]
	[TestCase("SELECT * FROM t /* FOR UPDATE SKIP LOCKED */")]
	[TestCase("SELECT * FROM t FOR UPDATE")]
	public void StatementsWithoutALockWaitPolicyAreLeftAlone(string sql) =>
		Classify(sql)?.Sql.Should().BeNull();

	[Test]
	public void AlterTableAsyncValidateConstraintBecomesAJobSubmission()
	{
		var plan = Classify("ALTER TABLE ASYNC public.orders VALIDATE CONSTRAINT orders_fk");
		plan!.Sql.Should().Be("SELECT sys.submit_validate_constraint(E'public.orders', E'orders_fk') AS job_id");
		plan.CommandTag.Should().Be("ALTER TABLE");
	}

	[TestCase("CALL sys.wait_for_job('abc')", "abc", 0)]
	[TestCase("call SYS.\"wait_for_job\"(E'a\\x62c')", "abc", 0)]
	[TestCase("CALL sys.wait_for_job($1)", null, 1)]
	[TestCase("CALL sys.wait_for_job($2::text)", null, 2)]
	public void WaitForJobMakesTheProxyWait(string sql, string? literal, int parameter)
	{
		Classify(sql)!.WaitForJob.Should().Be(new JobReference(literal, parameter));
	}

	[TestCase("SELECT version()", "SELECT sys.version()")]
	[TestCase("select pg_catalog.version() as v, VERSION ( ), 'version()', \"version\"() -- version()", "select sys.version() as v, sys.version(), 'version()', \"version\"()")]
	[TestCase("SELECT x.version() FROM y", null)]
	[TestCase("SELECT current_setting('server_version_num')::int >= 160000", "SELECT (SELECT '160015'::text AS current_setting)::int >= 160000")]
	[TestCase("select pg_catalog.current_setting('server_version', true), current_setting('work_mem')",
		"select (SELECT '16.15'::text AS current_setting), current_setting('work_mem')")]
	[TestCase("SELECT $$version()$$", null)]
	public void VersionCallsAnswerPostgreSql16(string sql, string? expected)
	{
		Classify(sql)?.Sql.Should().Be(expected);
		if (expected is null)
			Classify(sql).Should().BeNull();
	}

	[Test]
	public void ShowServerVersionReports16()
	{
		var plan = Classify("SHOW server_version");
		plan!.Sql.Should().Be("SELECT '16.15'::text AS server_version");
		plan.CommandTag.Should().Be("SHOW");
		Classify("show SERVER_VERSION_NUM")!.Sql.Should().Contain("160015");
	}

	[Test]
	public void TheReportedVersionIsAnOption()
	{
		var statement = StatementSplitter.Split("SELECT current_setting('server_version')").Single();
		var tracker = new SessionTransactionTracker();
		var context = new StatementContext(statement, QueryProtocol.Simple, 1, null, new SessionInfo("admin", "postgres", tracker), tracker.Current);
		new DsqlRewriter(DsqlServerVersion.Parse("16.9")).Classify(context)!.Sql.Should().Be("SELECT (SELECT '16.9'::text AS current_setting)");
		DsqlServerVersion.Parse("16.9").VersionNum.Should().Be("160009");
		FluentActions.Invoking(() => DsqlServerVersion.Parse("15.4")).Should().Throw<ArgumentException>().WithMessage("*PostgreSQL 16*");
	}

	[TestCase("SHOW lc_collate")]
	[TestCase("show LC_CTYPE")]
	[TestCase("SHOW force_parallel_mode")]
	public void SettingsPostgreSql16RemovedAreUnknown(string sql)
	{
		var plan = Classify(sql);
		plan!.IsRefusal.Should().BeTrue();
		plan.Refusal!.SqlState.Should().Be("42704");
		plan.Refusal.Message.Should().Be($"unrecognized configuration parameter \"{sql.Split(' ')[1].ToLowerInvariant()}\"");
	}

	[Test]
	public void RefusalsKeepParametersReferenced()
	{
		var statement = StatementSplitter.Split("TRUNCATE t WHERE a = $2").Single();
		StatementPlan.Refuse(statement, "0A000", "unsupported statement: Truncate").Sql
			.Should().Be("CALL sys.raise_error(E'0A000', E'unsupported statement: Truncate', NULL, NULL, $1::text, $2::text)");
	}

	[Test]
	public void TransactionControlIsRecognized()
	{
		TransactionControl Detect(string sql) => TransactionControlDetector.Detect(StatementSplitter.Split(sql).Single());

		Detect("BEGIN ISOLATION LEVEL REPEATABLE READ").Should().Be(TransactionControl.Begin);
		Detect("start transaction").Should().Be(TransactionControl.Begin);
		Detect("COMMIT").Should().Be(TransactionControl.Commit);
		Detect("end").Should().Be(TransactionControl.Commit);
		Detect("ROLLBACK").Should().Be(TransactionControl.Rollback);
		Detect("rollback to savepoint s").Should().Be(TransactionControl.RollbackToSavepoint);
		Detect("COMMIT PREPARED 'x'").Should().Be(TransactionControl.None);
		Detect("SAVEPOINT s").Should().Be(TransactionControl.Savepoint);
		Detect("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").Should().Be(TransactionControl.SetTransaction);
		Detect("select 1").Should().Be(TransactionControl.None);
	}
}
