using AuroraDsql.Rules;
using AuroraDsql.Sql;

namespace AuroraDsql.Tests;

/// <summary>The shared, data-driven statement rules (Source/Shared/Rules) without a server: matching, categories, versions.</summary>
public sealed class RuleSetTests
{
	static RuleViolation? Check(string sql, DsqlRuleSet? rules = null) => (rules ?? DsqlRuleSet.Latest).Check(StatementSplitter.Split(sql).Single());

	static StatementCategory Categorize(string sql) => DsqlStatementRules.Categorize(StatementSplitter.Split(sql).Single());

	[TestCase("TRUNCATE t", "truncate", "unsupported statement: Truncate")]
	[TestCase("truncate table t restart identity", "truncate", "unsupported statement: Truncate")]
	[TestCase("SAVEPOINT s", "savepoint", "unsupported transaction statement: SAVEPOINT")]
	[TestCase("RELEASE SAVEPOINT s", "savepoint", "unsupported transaction statement: RELEASE")]
	[TestCase("ROLLBACK TO SAVEPOINT s", "savepoint", "unsupported transaction statement: ROLLBACK TO")]
	[TestCase("rollback work to s", "savepoint", "unsupported transaction statement: ROLLBACK TO")]
	[TestCase("PREPARE TRANSACTION 'x'", "prepared-transaction", "unsupported transaction statement: PREPARE TRANSACTION")]
	[TestCase("COMMIT PREPARED 'x'", "prepared-transaction", "unsupported transaction statement: COMMIT PREPARED")]
	[TestCase("LISTEN c", "listen-notify", "unsupported statement: Listen")]
	[TestCase("NOTIFY c, 'x'", "listen-notify", "unsupported statement: Notify")]
	[TestCase("UNLISTEN *", "listen-notify", "unsupported statement: Unlisten")]
	[TestCase("BEGIN ISOLATION LEVEL SERIALIZABLE", "isolation-level", "Unsupported isolation level: SERIALIZABLE")]
	[TestCase("BEGIN TRANSACTION ISOLATION LEVEL READ COMMITTED", "isolation-level", "Unsupported isolation level: READ COMMITTED")]
	[TestCase("start transaction read write, isolation level read uncommitted", "isolation-level", "Unsupported isolation level: READ UNCOMMITTED")]
	[TestCase("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", "set-transaction", "setting configuration parameter \"TRANSACTION\" not supported")]
	[TestCase("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", "set-transaction", "setting configuration parameter \"SESSION CHARACTERISTICS\" not supported")]
	[TestCase("SET statement_timeout = 1000", "set-parameter", "setting configuration parameter \"statement_timeout\" not supported")]
	[TestCase("set local Work_Mem to '64MB'", "set-parameter", "setting configuration parameter \"work_mem\" not supported")]
	[TestCase("SET default_transaction_isolation = 'serializable'", "set-parameter", "setting configuration parameter \"default_transaction_isolation\" not supported")]
	[TestCase("SET ROLE other", "set-parameter", "setting configuration parameter \"role\" not supported")]
	[TestCase("SET SESSION AUTHORIZATION other", "set-parameter", "setting configuration parameter \"session_authorization\" not supported")]
	[TestCase("RESET ALL", "set-parameter", "setting configuration parameter \"all\" not supported")]
	[TestCase("SET my.custom = 1", "set-parameter", "setting configuration parameter \"my.custom\" not supported")]
	[TestCase("CREATE FUNCTION f() RETURNS int LANGUAGE sql SET standard_conforming_strings = off AS 'SELECT 1'", "set-parameter", "setting configuration parameter \"standard_conforming_strings\" not supported")]
	[TestCase("ALTER FUNCTION f() SET aurora_dsql.max_rows = 1000000", "set-parameter", "setting configuration parameter \"aurora_dsql.max_rows\" not supported")]
	[TestCase("ALTER ROLE admin SET aurora_dsql.tx_rows TO '-100000'", "set-parameter", "setting configuration parameter \"aurora_dsql.tx_rows\" not supported")]
	[TestCase("SET client_encoding = 'SJIS'", "client-encoding", "invalid value for parameter \"client_encoding\": \"SJIS\"")]
	[TestCase("set names big5", "client-encoding", "invalid value for parameter \"client_encoding\": \"big5\"")]
	[TestCase("CREATE FUNCTION f() RETURNS int LANGUAGE sql SET client_encoding TO 'GBK' AS 'SELECT 1'", "client-encoding", "invalid value for parameter \"client_encoding\": \"GBK\"")]
	[TestCase("CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'TRUNCATE t'", "truncate", "unsupported statement: Truncate")]
	[TestCase("CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ SELECT 1; COPY t FROM PROGRAM 'id' $$", "copy-file", "COPY to or from a file or program is not supported")]
	[TestCase("CREATE FUNCTION f() RETURNS void LANGUAGE sql AS E'VACUUM\\x20t'", "vacuum", "unsupported VACUUM statement")]
	[TestCase("DISCARD ALL", "discard", "syntax error at or near \"DISCARD\"")]
	[TestCase("CREATE TEMP TABLE t (a int)", "temp-table", "TEMPORARY or TEMP table not supported for CREATE TABLE")]
	[TestCase("create global temporary table t (a int)", "temp-table", "TEMPORARY or TEMP table not supported for CREATE TABLE")]
	[TestCase("CREATE UNLOGGED TABLE t (a int)", "unlogged-table", "UNLOGGED table not supported for CREATE TABLE")]
	[TestCase("CREATE TABLE t (a int, b date) PARTITION BY RANGE (b)", "partition-by", "PARTITION BY clause not supported")]
	[TestCase("CREATE TABLE t PARTITION OF p FOR VALUES IN (1)", "partition-of", "PARTITION OF clause not supported")]
	[TestCase("CREATE TABLE t (a int) INHERITS (p)", "inherits", "INHERITS clause not supported")]
	[TestCase("CREATE TABLE t (a int) TABLESPACE pg_default", "tablespace", "TABLESPACE clause not supported")]
	[TestCase("CREATE TABLE t (a int PRIMARY KEY USING INDEX TABLESPACE x)", "tablespace", "TABLESPACE clause not supported")]
	[TestCase("CREATE TABLE t AS SELECT 1 AS a", "create-table-as", "unsupported statement: CreateTableAs")]
	[TestCase("CREATE TABLE t (a) AS VALUES (1)", "create-table-as", "unsupported statement: CreateTableAs")]
	[TestCase("SELECT 1 AS a INTO t", "create-table-as", "unsupported statement: CreateTableAs")]
	[TestCase("CREATE MATERIALIZED VIEW m AS SELECT 1", "materialized-view", "unsupported statement: CreateTableAs")]
	[TestCase("CREATE TABLE t (a int) WITH (fillfactor = 50)", "table-storage-parameters", "WITH clause not supported for CREATE TABLE")]
	[TestCase("CREATE TABLE t (a int, EXCLUDE USING gist (a WITH =))", "exclude-constraint", "EXCLUDE constraint not supported")]
	[TestCase("CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", "create-trigger", "CREATE TRIGGER not supported")]
	[TestCase("CREATE CONSTRAINT TRIGGER tr AFTER INSERT ON t DEFERRABLE FOR EACH ROW EXECUTE FUNCTION f()", "create-trigger", "CREATE TRIGGER not supported")]
	[TestCase("CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$BEGIN RETURN 1; END$$", "function-language", "CREATE FUNCTION with language plpgsql not supported")]
	[TestCase("create or replace function f() returns int as 'select 1' language 'PLPGSQL'", "function-language", "CREATE FUNCTION with language plpgsql not supported")]
	[TestCase("CREATE PROCEDURE p() LANGUAGE sql AS $$SELECT 1$$", "create-procedure", "CREATE PROCEDURE not supported")]
	[TestCase("DO $$BEGIN END$$", "do", "unsupported statement: Do")]
	[TestCase("CREATE TYPE mood AS ENUM ('a', 'b')", "create-type", "CREATE TYPE not supported")]
	[TestCase("CREATE TYPE s.pair AS (a int, b int)", "create-type-kind", "unsupported statement: CompositeType")]
	[TestCase("create type r as range (subtype = float8)", "create-type-kind", "unsupported statement: CreateRange")]
	[TestCase("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'c' AFTER 'b'", "alter-type", "ALTER TYPE not supported")]
	[TestCase("ALTER TYPE mood OWNER TO admin", "alter-type-other", "ALTER TYPE not supported")]
	[TestCase("ALTER TYPE mood RENAME VALUE 'a' TO 'z'", "alter-type-other", "ALTER TYPE not supported")]
	[TestCase("ALTER TYPE IF EXISTS s.mood SET SCHEMA t", "alter-type-other", "ALTER TYPE not supported")]
	[TestCase("ALTER TYPE s.mood RENAME TO mood2", "rename-type", "unsupported object in RENAME statement")]
	[TestCase("ALTER TYPE pair RENAME ATTRIBUTE a TO c", "rename-type-attribute", "unsupported object in RENAME statement")]
	[TestCase("DROP TYPE IF EXISTS mood, pair CASCADE", "drop-type", "unsupported object in DROP statement")]
	[TestCase("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "isolation-level", "Unsupported isolation level: SERIALIZABLE")]
	[TestCase("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", "set-transaction", "setting configuration parameter \"TRANSACTION\" not supported")]
	[TestCase("CREATE EXTENSION IF NOT EXISTS pgcrypto", "create-extension", "unsupported statement: CreateExtension")]
	[TestCase("VACUUM t", "vacuum", "unsupported VACUUM statement")]
	[TestCase("LOCK TABLE t IN ACCESS EXCLUSIVE MODE", "lock", "unsupported statement: Lock")]
	[TestCase("MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", "merge", "unsupported statement type: MERGE")]
	[TestCase("WITH s AS (SELECT 1 AS a) MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", "merge", "unsupported statement type: MERGE")]
	[TestCase("SELECT * FROM t FOR SHARE", "locking-clause", "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported")]
	[TestCase("SELECT * FROM t FOR NO KEY UPDATE NOWAIT", "locking-clause", "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported")]
	[TestCase("SELECT * FROM t TABLESAMPLE SYSTEM (10)", "tablesample", "TABLESAMPLE clause not supported")]
	[TestCase("DECLARE c CURSOR FOR SELECT 1", "cursor", "unsupported statement: DeclareCursor")]
	[TestCase("COPY t FROM '/tmp/x.csv'", "copy-file", "COPY to or from a file or program is not supported")]
	[TestCase("COPY (SELECT 1) TO PROGRAM 'cat'", "copy-file", "COPY to or from a file or program is not supported")]
	[TestCase("CREATE DATABASE d", "unsupported-statement", "unsupported statement: Createdb")]
	[TestCase("CREATE POLICY p ON t USING (true)", "unsupported-statement", "unsupported statement: CreatePolicy")]
	[TestCase("ALTER SYSTEM SET work_mem = '1MB'", "unsupported-statement", "unsupported statement: AlterSystem")]
	[TestCase("REINDEX TABLE t", "unsupported-statement", "unsupported statement: Reindex")]
	[TestCase("CREATE TABLE t (id serial PRIMARY KEY)", "serial", "type \"serial\" does not exist")]
	[TestCase("CREATE TABLE t (id BIGSERIAL)", "serial", "type \"bigserial\" does not exist")]
	[TestCase("ALTER TABLE t ADD COLUMN n serial4", "serial", "type \"serial4\" does not exist")]
	[TestCase("CREATE TABLE t (a text COLLATE \"C\")", "collate", "COLLATE clause not supported")]
	[TestCase("CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY)", "identity-cache",
		"identity column is not supported without an explicit cache size. please define CACHE greater than or equal to 65536 or equal to 1")]
	[TestCase("CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY (START 10))", "identity-cache",
		"identity column is not supported without an explicit cache size. please define CACHE greater than or equal to 65536 or equal to 1")]
	[TestCase("CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY (CACHE 100))", "cache-value", "CACHE (100) must be greater than or equal to 65536 or equal to 1")]
	[TestCase("CREATE SEQUENCE s", "sequence-cache",
		"CREATE SEQUENCE is not supported without an explicit cache size. please define CACHE greater than or equal to 65536 or equal to 1")]
	[TestCase("CREATE SEQUENCE s CACHE 2", "cache-value", "CACHE (2) must be greater than or equal to 65536 or equal to 1")]
	[TestCase("ALTER SEQUENCE s CACHE 10", "cache-value", "CACHE (10) must be greater than or equal to 65536 or equal to 1")]
	[TestCase("CREATE SEQUENCE s AS int CACHE 1", "sequence-type", "datatype integer not supported, sequence type must be bigint")]
	[TestCase("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0", "alter-table-add-column-constraint", "ALTER TABLE ADD COLUMN with constraint not supported")]
	[TestCase("ALTER TABLE t ALTER COLUMN c TYPE bigint", "alter-table-set-data-type", "unsupported ALTER TABLE ALTER COLUMN ... SET DATA TYPE statement")]
	[TestCase("ALTER TABLE t ALTER c SET DATA TYPE bigint", "alter-table-set-data-type", "unsupported ALTER TABLE ALTER COLUMN ... SET DATA TYPE statement")]
	[TestCase("ALTER TABLE t ALTER COLUMN c SET NOT NULL", "alter-table-set-not-null", "unsupported ALTER TABLE ALTER COLUMN ... SET NOT NULL statement")]
	[TestCase("ALTER TABLE t ADD PRIMARY KEY (a)", "alter-table-add-constraint", "unsupported ALTER TABLE ADD CONSTRAINT statement")]
	[TestCase("ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)", "alter-table-add-constraint", "unsupported ALTER TABLE ADD CONSTRAINT statement")]
	[TestCase("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)", "alter-table-add-constraint", "unsupported ALTER TABLE ADD CONSTRAINT statement")]
	[TestCase("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES p (a)", "alter-table-add-constraint", "unsupported ALTER TABLE ADD CONSTRAINT statement")]
	[TestCase("ALTER TABLE t VALIDATE CONSTRAINT c", "alter-table-validate", "unsupported ALTER TABLE VALIDATE CONSTRAINT statement")]
	[TestCase("ALTER TABLE t ENABLE ROW LEVEL SECURITY", "alter-table", "unsupported ALTER TABLE ENABLE ROW LEVEL SECURITY statement")]
	[TestCase("ALTER TABLE t DISABLE TRIGGER ALL", "alter-table", "unsupported ALTER TABLE DISABLE TRIGGER ALL statement")]
	[TestCase("ALTER TABLE t SET UNLOGGED", "alter-table", "unsupported ALTER TABLE SET UNLOGGED statement")]
	[TestCase("ALTER TABLE t ALTER COLUMN c SET STATISTICS 100", "alter-table-alter-column", "unsupported ALTER TABLE ALTER COLUMN ... SET STATISTICS statement")]
	[TestCase("CREATE INDEX i ON t (a)", "index-async", "unsupported mode. please use CREATE INDEX ASYNC.")]
	[TestCase("CREATE UNIQUE INDEX i ON t (a)", "index-async", "unsupported mode. please use CREATE INDEX ASYNC.")]
	[TestCase("CREATE INDEX CONCURRENTLY i ON t (a)", "index-concurrently", "CONCURRENTLY not supported for CREATE INDEX")]
	[TestCase("CREATE INDEX ASYNC s.i ON t (a)", "index-qualified-name", "syntax error at or near \".\"")]
	[TestCase("CREATE INDEX ASYNC i ON t USING btree (a)", "index-using", "USING not supported for CREATE INDEX")]
	[TestCase("CREATE INDEX ASYNC i ON t (a DESC)", "index-sort-order", "specifying sort order not supported for index keys")]
	[TestCase("CREATE INDEX ASYNC i ON t (a, (lower(b)) ASC NULLS LAST)", "index-sort-order", "specifying sort order not supported for index keys")]
	[TestCase("CREATE INDEX ASYNC i ON t (a) INCLUDE (lower(b))", "index-include-expression", "expressions are not supported in included columns")]
	[TestCase("CREATE INDEX ASYNC i ON t (a, b, c, d, e, f, g, h, i)", "index-key-count", "more than 8 column keys in an index are not supported")]
	public void RefusedStatements(string sql, string ruleId, string message)
	{
		var violation = Check(sql);
		violation.Should().NotBeNull();
		violation!.Value.RuleId.Should().Be(ruleId);
		violation.Value.Message.Should().Be(message);
		violation.Value.SqlState.Should().Be(DsqlRuleSet.Latest.Rule(ruleId).SqlState);
		violation.Value.Hint.Should().NotBeNullOrEmpty(because: "the provider shows what to do instead");
	}

	[TestCase("SELECT 1")]
	[TestCase("BEGIN")]
	[TestCase("BEGIN ISOLATION LEVEL REPEATABLE READ")]
	[TestCase("START TRANSACTION READ ONLY")]
	[TestCase("begin transaction isolation level repeatable read, read only")]
	[TestCase("COMMIT")]
	[TestCase("ROLLBACK")]
	[TestCase("SET search_path = public, sys")]
	[TestCase("SET TIME ZONE 'UTC'")]
	[TestCase("SET TimeZone TO 'Europe/Berlin'")]
	[TestCase("SET application_name = 'x'")]
	[TestCase("SET SCHEMA 'public'")]
	[TestCase("SET client_encoding = 'UTF8'")]
	[TestCase("SET NAMES 'utf-8'")]
	[TestCase("SET client_encoding TO unicode")]
	[TestCase("CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = public, sys AS 'SELECT 1'")]
	[TestCase("CREATE FUNCTION f() RETURNS text LANGUAGE sql AS 'SELECT ''TRUNCATE t'''")]
	[TestCase("ALTER FUNCTION f() SET SCHEMA s")]
	[TestCase("RESET search_path")]
	[TestCase("SET CONSTRAINTS ALL DEFERRED")]
	[TestCase("SHOW server_version")]
	[TestCase("SELECT * FROM t WHERE a = 'TRUNCATE t' -- VACUUM\n")]
	[TestCase("SELECT $$ DISCARD ALL $$, E'\\' SAVEPOINT', \"truncate\" FROM /* CREATE TEMP TABLE /* nested */ x */ t")]
	[TestCase("SELECT * FROM t FOR UPDATE")]
	[TestCase("SELECT * FROM t FOR KEY SHARE SKIP LOCKED")]
	[TestCase("SELECT substring(a FROM 1 FOR 2) FROM t")]
	[TestCase("INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE SET b = excluded.b")]
	[TestCase("WITH x AS (DELETE FROM t RETURNING *) INSERT INTO u SELECT * FROM x")]
	[TestCase("COPY t FROM STDIN (FORMAT BINARY)")]
	[TestCase("COPY (SELECT 1) TO STDOUT")]
	[TestCase("CREATE VIEW v AS SELECT * FROM t")]
	[TestCase("CREATE OR REPLACE VIEW v AS SELECT * FROM t")]
	[TestCase("CREATE DOMAIN d AS text CHECK (VALUE <> '')")]
	[TestCase("CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a + 1 $$")]
	[TestCase("CREATE FUNCTION f(a int) RETURNS int LANGUAGE SQL BEGIN ATOMIC SELECT a + 1; END")]
	[TestCase("CREATE TABLE t (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), p uuid REFERENCES p (id) ON DELETE CASCADE, FOREIGN KEY (p) REFERENCES q)")]
	[TestCase("CREATE TABLE IF NOT EXISTS t (id bigint GENERATED BY DEFAULT AS IDENTITY (CACHE 65536) PRIMARY KEY, a numeric(10, 2) NOT NULL CHECK (a > 0))")]
	[TestCase("CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (START WITH 1 CACHE 1), g int GENERATED ALWAYS AS (id * 2) STORED, tablespace text)")]
	[TestCase("CREATE TABLE t (a int, b text, UNIQUE (a) INCLUDE (b), UNIQUE NULLS NOT DISTINCT (b))")]
	[TestCase("CREATE SEQUENCE s CACHE 65536")]
	[TestCase("CREATE SEQUENCE s AS bigint INCREMENT 1 CACHE 1")]
	[TestCase("CREATE SCHEMA s")]
	[TestCase("CREATE ROLE r LOGIN")]
	[TestCase("GRANT SELECT ON t TO r")]
	[TestCase("COMMENT ON TABLE t IS 'TRUNCATE'")]
	[TestCase("ALTER TABLE t RENAME TO u")]
	[TestCase("ALTER TABLE t RENAME COLUMN a TO b")]
	[TestCase("ALTER TABLE t SET SCHEMA s")]
	[TestCase("ALTER TABLE t OWNER TO r")]
	[TestCase("ALTER TABLE t ADD COLUMN c text")]
	[TestCase("ALTER TABLE t ADD COLUMN c text STORAGE EXTERNAL")]
	[TestCase("ALTER TABLE t ALTER COLUMN c SET STORAGE MAIN, ALTER c SET STORAGE DEFAULT")]
	[TestCase("ALTER TABLE IF EXISTS ONLY t ADD c numeric(10, 2)")]
	[TestCase("ALTER TABLE t DROP COLUMN c")]
	[TestCase("ALTER TABLE t ALTER COLUMN c SET DEFAULT 0")]
	[TestCase("ALTER TABLE t ALTER c DROP DEFAULT")]
	[TestCase("ALTER TABLE t ALTER COLUMN c DROP NOT NULL")]
	[TestCase("ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (CACHE 65536)")]
	[TestCase("ALTER TABLE t ALTER COLUMN id SET CACHE 1")]
	[TestCase("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID")]
	[TestCase("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES p (a) NOT VALID")]
	[TestCase("ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i")]
	[TestCase("ALTER TABLE t DROP CONSTRAINT c")]
	[TestCase("ALTER TABLE ASYNC t VALIDATE CONSTRAINT c")]
	[TestCase("CREATE INDEX ASYNC ON t (a)")]
	[TestCase("CREATE UNIQUE INDEX ASYNC IF NOT EXISTS i ON s.t (a NULLS FIRST, (lower(b))) INCLUDE (c) NULLS NOT DISTINCT WHERE a > 0")]
	[TestCase("CREATE INDEX ASYNC i ON t (a, b, c, d, e, f, g, h)")]
	[TestCase("EXPLAIN SELECT * FROM t")]
	[TestCase("ANALYZE t")]
	[TestCase("CALL sys.wait_for_job('abc')")]
	public void AcceptedStatements(string sql) => Check(sql).Should().BeNull();

	[Test]
	public void RulesSeeThroughExplainAndPrepare()
	{
		Check("EXPLAIN ANALYZE MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE")!.Value.RuleId.Should().Be("merge");
		Check("PREPARE p AS SELECT * FROM t FOR SHARE")!.Value.RuleId.Should().Be("locking-clause");
	}

	[Test]
	public void UnterminatedTextIsLeftToTheServer() => Check("TRUNCATE 't").Should().BeNull();

	[TestCase("SELECT 1", StatementCategory.Read)]
	[TestCase("select * from t for update", StatementCategory.Dml)]
	[TestCase("SELECT * FROM t FOR KEY SHARE", StatementCategory.Dml)]
	[TestCase("VALUES (1)", StatementCategory.Read)]
	[TestCase("SHOW search_path", StatementCategory.Read)]
	[TestCase("EXPLAIN DELETE FROM t", StatementCategory.Read)]
	[TestCase("EXPLAIN (ANALYZE) DELETE FROM t", StatementCategory.Dml)]
	[TestCase("EXPLAIN (ANALYZE false) DELETE FROM t", StatementCategory.Read)]
	[TestCase("INSERT INTO t VALUES (1)", StatementCategory.Dml)]
	[TestCase("UPDATE t SET a = 1", StatementCategory.Dml)]
	[TestCase("DELETE FROM t", StatementCategory.Dml)]
	[TestCase("WITH x AS (SELECT 1) SELECT * FROM x", StatementCategory.Read)]
	[TestCase("WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM x", StatementCategory.Dml)]
	[TestCase("WITH RECURSIVE x (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x WHERE n < 3) UPDATE t SET a = 1", StatementCategory.Dml)]
	[TestCase("COPY t FROM STDIN", StatementCategory.Dml)]
	[TestCase("COPY t (a, b) FROM STDIN", StatementCategory.Dml)]
	[TestCase("COPY t TO STDOUT", StatementCategory.Read)]
	[TestCase("CREATE TABLE t (a int)", StatementCategory.Ddl)]
	[TestCase("CREATE INDEX ASYNC ON t (a)", StatementCategory.Ddl)]
	[TestCase("ALTER TABLE ASYNC t VALIDATE CONSTRAINT c", StatementCategory.Ddl)]
	[TestCase("DROP TABLE t", StatementCategory.Ddl)]
	[TestCase("GRANT SELECT ON t TO r", StatementCategory.Ddl)]
	[TestCase("COMMENT ON TABLE t IS 'x'", StatementCategory.Ddl)]
	[TestCase("BEGIN", StatementCategory.TransactionControl)]
	[TestCase("COMMIT", StatementCategory.TransactionControl)]
	[TestCase("SET TRANSACTION READ ONLY", StatementCategory.TransactionControl)]
	[TestCase("SET search_path = x", StatementCategory.Session)]
	[TestCase("DISCARD ALL", StatementCategory.Session)]
	[TestCase("PREPARE p AS INSERT INTO t VALUES (1)", StatementCategory.Session)]
	[TestCase("CALL sys.wait_for_job('x')", StatementCategory.Utility)]
	[TestCase("ANALYZE t", StatementCategory.Utility)]
	public void Categories(string sql, object category) => Categorize(sql).Should().Be((StatementCategory)category);

	[Test]
	public void RuleSetsFollowDsqlReleases()
	{
		DsqlRuleSet.Versions.Should().BeInAscendingOrder().And.Contain(new DateOnly(2026, 8, 26));
		DsqlRuleSet.Latest.Date.Should().Be(DsqlRuleSet.Versions[^1]);

		var beforeForeignKeys = DsqlRuleSet.AsOf(new DateOnly(2026, 8, 25));
		Check("CREATE TABLE c (id uuid PRIMARY KEY, p uuid REFERENCES p (id))", beforeForeignKeys)!.Value.RuleId.Should().Be("foreign-key");
		Check("CREATE TABLE c (id uuid PRIMARY KEY, p uuid, CONSTRAINT f FOREIGN KEY (p) REFERENCES p)", beforeForeignKeys)!.Value.RuleId.Should().Be("foreign-key");
		Check("ALTER TABLE c ADD CONSTRAINT f FOREIGN KEY (p) REFERENCES p NOT VALID", beforeForeignKeys)!.Value.Message
			.Should().Be("unsupported ALTER TABLE ADD CONSTRAINT statement");
		Check("CREATE TABLE c (id uuid PRIMARY KEY, p uuid REFERENCES p (id))").Should().BeNull();

		Check("CREATE INDEX ASYNC i ON t (a) WHERE a > 0", DsqlRuleSet.AsOf(new DateOnly(2026, 9, 14)))!.Value.RuleId.Should().Be("index-partial");
		Check("CREATE INDEX ASYNC i ON t ((lower(b)))", DsqlRuleSet.AsOf(new DateOnly(2026, 8, 12)))!.Value.RuleId.Should().Be("index-expression");
		Check("CREATE INDEX ASYNC i ON t (lower(b))", DsqlRuleSet.AsOf(new DateOnly(2026, 8, 13))).Should().BeNull();
		Check("SELECT * FROM t FOR KEY SHARE", DsqlRuleSet.AsOf(new DateOnly(2026, 8, 1)))!.Value.RuleId.Should().Be("for-key-share");
		Check("ALTER TABLE t DROP COLUMN c", DsqlRuleSet.AsOf(new DateOnly(2026, 8, 2)))!.Value.RuleId.Should().Be("alter-table-drop-column");
		Check("ALTER TABLE t ALTER COLUMN c SET DEFAULT 1", DsqlRuleSet.AsOf(new DateOnly(2026, 7, 5)))!.Value.Message
			.Should().Be("unsupported ALTER TABLE ALTER COLUMN ... SET DEFAULT statement");

		var beforeIdentity = DsqlRuleSet.AsOf(new DateOnly(2026, 1, 1));
		Check("CREATE SEQUENCE s CACHE 1", beforeIdentity)!.Value.RuleId.Should().Be("sequence-unsupported");
		Check("CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (CACHE 1))", beforeIdentity)!.Value.RuleId.Should().Be("identity-unsupported");
		beforeIdentity.ColumnTypes.Select(t => t.TypeName).Should().NotContain(["json", "jsonb"]);
		DsqlRuleSet.AsOf(new DateOnly(2026, 5, 4)).ColumnTypes.Select(t => t.TypeName).Should().Contain("json").And.NotContain("jsonb");
		DsqlRuleSet.Latest.ColumnTypes.Select(t => t.TypeName).Should().Contain(["json", "jsonb"]);
	}

	[Test]
	public void ReadsCountAsDmlOnlyWhenSwitchedOn()
	{
		DsqlRuleSet.Latest.ReadsCountAsDml.Should().BeFalse();
		DsqlRuleSet.Latest.CountsAsDml(StatementCategory.Read).Should().BeFalse();
		DsqlRuleSet.Latest.CountsAsDml(StatementCategory.Dml).Should().BeTrue();

		var strict = DsqlRuleSet.Latest.WithReadsCountAsDml(true);
		strict.CountsAsDml(StatementCategory.Read).Should().BeTrue();
		strict.CountsAsDml(StatementCategory.Session).Should().BeFalse();
		strict.Date.Should().Be(DsqlRuleSet.Latest.Date);
	}

	[Test]
	public void EveryRuleIsDataWithDsqlTexts()
	{
		DsqlRuleCatalog.All.Select(r => r.Id).Should().OnlyHaveUniqueItems();
		foreach (var rule in DsqlRuleCatalog.All)
		{
			rule.SqlState.Should().MatchRegex("^[0-9A-Z]{5}$", rule.Id);
			rule.Description.Should().NotBeNullOrWhiteSpace();
			(rule.Scope == RuleScope.Statement).Should().Be(rule.Matcher != null, rule.Id);
		}
	}

	[Test]
	public void TheDocumentationListsEveryRuleWithItsSqlstateAndMessage()
	{
		var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
		while (directory != null && !File.Exists(Path.Combine(directory.FullName, "docs", "local-endpoint.md")))
			directory = directory.Parent;
		directory.Should().NotBeNull();
		var rows = File.ReadAllLines(Path.Combine(directory!.FullName, "docs", "local-endpoint.md")).Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();

		foreach (var rule in DsqlRuleCatalog.All)
		{
			var row = rows.SingleOrDefault(r => r.StartsWith($"| `{rule.Id}` |", StringComparison.Ordinal));
			row.Should().NotBeNull(rule.Id);
			row.Should().Contain($"| {rule.SqlState} |", rule.Id);
			var fixedText = rule.Message.Split("{0}")[0];
			row.Should().Contain("`" + fixedText, rule.Id);
			if (rule.Until is { } until)
				row.Should().Contain($"until {until:yyyy-MM-dd}", rule.Id);
			else if (rule.Since is { } since)
				row.Should().Contain($"since {since:yyyy-MM-dd}", rule.Id);
			row!.Contains('¹').Should().Be(!rule.TextVerified, rule.Id);
			row.Contains('²').Should().Be(rule.Source != null, rule.Id);
		}
	}
}
