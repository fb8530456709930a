namespace AuroraDsql.Rules;

/// <summary>
/// Every rule, in the order statements are checked (the first violation is reported), with the DSQL releases that
/// introduced or lifted them. Source: the DSQL behaviour reference (sections 3–5). Texts marked
/// <see cref="DsqlRule.TextVerified"/> = false follow DSQL's pattern for similar refusals where the exact text is not recorded.
/// </summary>
static class DsqlRuleCatalog
{
	/// <summary>Identity columns and sequences (bigint only, explicit CACHE).</summary>
	public static readonly DateOnly IdentityAndSequences = new(2026, 2, 13);

	/// <summary><c>json</c> as a column type.</summary>
	public static readonly DateOnly JsonColumns = new(2026, 5, 4);

	/// <summary><c>jsonb</c> as a column type.</summary>
	public static readonly DateOnly JsonbColumns = new(2026, 6, 8);

	/// <summary>ALTER COLUMN SET/DROP DEFAULT, DROP NOT NULL, DROP CONSTRAINT, ADD GENERATED AS IDENTITY.</summary>
	public static readonly DateOnly AlterColumnDefaults = new(2026, 7, 6);

	/// <summary>DROP COLUMN; ADD CONSTRAINT CHECK … NOT VALID with asynchronous validation.</summary>
	public static readonly DateOnly DropColumnAndCheckConstraints = new(2026, 8, 3);

	/// <summary>Expression index keys.</summary>
	public static readonly DateOnly ExpressionIndexKeys = new(2026, 8, 13);

	/// <summary>FOR UPDATE on any predicate and FOR KEY SHARE.</summary>
	public static readonly DateOnly ForKeyShare = new(2026, 8, 24);

	/// <summary>Foreign keys.</summary>
	public static readonly DateOnly ForeignKeys = new(2026, 8, 26);

	/// <summary>Partial indexes.</summary>
	public static readonly DateOnly PartialIndexes = new(2026, 9, 15);

	/// <summary>Column types, with the release that allowed them.</summary>
	public static readonly IReadOnlyList<DsqlColumnType> ColumnTypes =
	[
		new("int2", "smallint"),
		new("int4", "integer"),
		new("int8", "bigint"),
		new("float4", "real"),
		new("float8", "double precision"),
		new("numeric", "numeric"),
		new("bpchar", "character"),
		new("varchar", "character varying"),
		new("text", "text"),
		new("bytea", "bytea"),
		new("bool", "boolean"),
		new("date", "date"),
		new("time", "time"),
		new("timetz", "time with time zone"),
		new("timestamp", "timestamp"),
		new("timestamptz", "timestamp with time zone"),
		new("interval", "interval"),
		new("uuid", "uuid"),
		new("json", "json", JsonColumns),
		new("jsonb", "jsonb", JsonbColumns),
	];

	/// <summary>Column types that cannot be index (or key) columns.</summary>
	public static readonly IReadOnlyList<string> KeyTypesRefused = ["json", "jsonb", "bytea", "interval", "timetz"];

	/// <summary>
	/// Run-time parameters SET/RESET may change (PostgreSQL's names, lower case). DSQL is recorded to accept
	/// <c>search_path</c>, <c>timezone</c> and <c>application_name</c>; the others are client presentation settings tools send.
	/// </summary>
	public static readonly IReadOnlyList<string> SettableParameters =
		["search_path", "timezone", "application_name", "client_encoding", "datestyle", "intervalstyle", "extra_float_digits", "bytea_output", "client_min_messages"];

	const string UnsupportedAlterTable = "unsupported ALTER TABLE ADD CONSTRAINT statement";
	const string AlterHint = "DSQL's ALTER TABLE: RENAME, SET SCHEMA, OWNER TO, ADD COLUMN name type, DROP COLUMN, ALTER COLUMN SET/DROP DEFAULT, DROP NOT NULL, "
		+ "identity options, ADD CONSTRAINT … CHECK/FOREIGN KEY … NOT VALID (then ALTER TABLE ASYNC … VALIDATE CONSTRAINT), ADD CONSTRAINT … UNIQUE USING INDEX, DROP CONSTRAINT.";

	/// <summary>
	/// Outcomes recorded on live DSQL clusters in September 2026 (PostgreSQL 16.15), published as third-party conformance records
	/// and replayed against the local endpoint by <c>Tests/AuroraDsql.Local.Tests/Conformance</c> (its data: <c>LiveRecords/*.json</c>).
	/// </summary>
	const string LiveRecords = "recorded on DSQL 2026-09-15/18 (public conformance records of a live cluster)";

	static DsqlRule Rule(string id, string description, string sqlState, string message, string? hint, StatementMatcher matcher, string[]? verbs,
		DateOnly? since = null, DateOnly? until = null, bool verified = true, string? source = null) => new()
	{
		Source       = source,
		Id           = id,
		Description  = description,
		SqlState     = sqlState,
		Message      = message,
		Hint         = hint,
		Matcher      = matcher,
		Verbs        = verbs,
		Since        = since,
		Until        = until,
		TextVerified = verified,
	};

	static readonly string[] Create = ["create"];
	static readonly string[] Alter = ["alter"];
	static readonly string[] CreateOrAlter = ["create", "alter"];
	static readonly string[] Queries = ["select", "with"];

	/// <summary>All rules (every scope, every DSQL release).</summary>
	public static readonly IReadOnlyList<DsqlRule> All =
	[
		// ---- transactions and sessions (DSQL's documented SQL surface) -------------------------------------------------------------
		Rule("savepoint", "SAVEPOINT, RELEASE, ROLLBACK TO", "0A000", "unsupported transaction statement: {0}",
			"DSQL has no savepoints: retry the whole transaction instead.", StatementMatchers.Savepoint, ["savepoint", "release", "rollback"],
			source: LiveRecords),
		Rule("prepared-transaction", "PREPARE TRANSACTION, COMMIT/ROLLBACK PREPARED (two-phase commit)", "0A000", "unsupported transaction statement: {0}",
			"DSQL has no two-phase commit (use Enlist=false).", StatementMatchers.PreparedTransaction, ["prepare", "commit", "rollback"], verified: false),
		Rule("isolation-level", "isolation levels other than REPEATABLE READ (BEGIN, START TRANSACTION, SET TRANSACTION)", "0A000", "Unsupported isolation level: {0}",
			"DSQL runs every transaction at REPEATABLE READ: use BEGIN (or ISOLATION LEVEL REPEATABLE READ).", StatementMatchers.IsolationLevel, ["begin", "start", "set"],
			source: LiveRecords),
		Rule("set-transaction", "SET TRANSACTION, SET SESSION CHARACTERISTICS", "0A000", "setting configuration parameter \"{0}\" not supported",
			"Transaction characteristics are fixed (REPEATABLE READ); give READ ONLY in BEGIN instead.", StatementMatchers.SetTransaction, ["set"], source: LiveRecords),
		Rule("client-encoding", "client encodings other than UTF-8 (SET client_encoding, SET NAMES, SET clauses)", "22023",
			"invalid value for parameter \"client_encoding\": \"{0}\"", "DSQL speaks UTF-8: leave client_encoding at UTF8.",
			StatementMatchers.ClientEncoding, ["set", "create", "alter"], verified: false),
		Rule("set-parameter", "SET/RESET of parameters other than search_path, TimeZone, application_name and client presentation settings "
			+ "(also as SET clauses of functions and ALTER ROLE … SET)", "0A000",
			"setting configuration parameter \"{0}\" not supported",
			"Only search_path, TimeZone, application_name and client display settings can be set; use client-side command timeouts.",
			StatementMatchers.SetParameter, ["set", "reset", "create", "alter"], source: LiveRecords),
		Rule("discard", "DISCARD (not in DSQL's grammar)", "42601", "syntax error at or near \"{0}\"",
			"Turn off Npgsql's connection reset (NoResetOnClose=true), as AWS's connector does.", StatementMatchers.Discard, ["discard"], verified: false),
		Rule("listen-notify", "LISTEN, NOTIFY, UNLISTEN", "0A000", "unsupported statement: {0}", "DSQL has no notifications.",
			StatementMatchers.Named("Listen", "Notify", "Unlisten"), ["listen", "notify", "unlisten"], source: LiveRecords),

		// ---- statements DSQL does not have (§4) ----------------------------------------------------------------------
		Rule("truncate", "TRUNCATE", "0A000", "unsupported statement: Truncate", "Use DELETE, in transactions of at most 3,000 rows.",
			(s, _) => s.Verb == "truncate" ? [] : null, ["truncate"], source: LiveRecords),
		Rule("vacuum", "VACUUM", "0A000", "unsupported VACUUM statement", "DSQL maintains storage itself.", (s, _) => s.Verb == "vacuum" ? [] : null, ["vacuum"],
			source: LiveRecords),
		Rule("merge", "MERGE", "0A000", "unsupported statement type: MERGE", "Use INSERT … ON CONFLICT, or UPDATE and INSERT.", StatementMatchers.Merge, ["merge", "with"],
			source: LiveRecords),
		Rule("do", "DO blocks", "0A000", "unsupported statement: Do", "DSQL runs no procedural code: send the statements from the client.",
			StatementMatchers.Named("Do"), ["do"], verified: false),
		Rule("lock", "LOCK TABLE", "0A000", "unsupported statement: Lock", "DSQL is optimistic: use SELECT … FOR UPDATE on the rows instead.",
			StatementMatchers.Named("Lock"), ["lock"], verified: false),
		Rule("cursor", "DECLARE … CURSOR", "0A000", "unsupported statement: DeclareCursor", "Page with LIMIT/keyset queries instead of cursors.",
			StatementMatchers.Named("DeclareCursor"), ["declare"], verified: false),
		Rule("create-extension", "CREATE EXTENSION", "0A000", "unsupported statement: CreateExtension", "DSQL has no extensions (gen_random_uuid() is built in).",
			StatementMatchers.Named("CreateExtension"), Create, source: LiveRecords),
		Rule("create-trigger", "triggers", "0A000", "CREATE TRIGGER not supported", "Run the logic in the application.",
			(s, _) => s.Verb == "create" && s.ObjectKind == "trigger" ? [] : null, Create, source: LiveRecords),
		Rule("create-type-kind", "CREATE TYPE … AS (composite) and AS RANGE, named by their parse node", "0A000", "unsupported statement: {0}",
			"Use a CHECK constraint (or a domain) over a supported type.", TypeStatements.CreateTypeKind, Create, source: LiveRecords),
		Rule("create-type", "CREATE TYPE (enums, base types)", "0A000", "CREATE TYPE not supported",
			"Use a CHECK constraint (or a domain) over a supported type.", TypeStatements.CreateType, Create, source: LiveRecords),
		Rule("alter-type", "ALTER TYPE … ADD VALUE", "0A000", "ALTER TYPE not supported",
			"DSQL has no user-defined types: use a domain or a CHECK constraint.", TypeStatements.AlterTypeAddValue, Alter, source: LiveRecords),
		Rule("alter-type-other", "other ALTER TYPE forms (RENAME VALUE, OWNER TO, SET SCHEMA, attributes…)", "0A000", "ALTER TYPE not supported",
			"DSQL has no user-defined types: use a domain or a CHECK constraint.", TypeStatements.AlterTypeOther, Alter, verified: false),
		Rule("rename-type", "ALTER TYPE … RENAME TO", "0A000", "unsupported object in RENAME statement",
			"DSQL has no user-defined types: use a domain or a CHECK constraint.", TypeStatements.RenameType, Alter, source: LiveRecords),
		Rule("rename-type-attribute", "ALTER TYPE … RENAME ATTRIBUTE", "0A000", "unsupported object in RENAME statement",
			"DSQL has no user-defined types: use a domain or a CHECK constraint.", TypeStatements.RenameTypeAttribute, Alter, verified: false),
		Rule("drop-type", "DROP TYPE", "0A000", "unsupported object in DROP statement",
			"DSQL has no user-defined types; drop a domain with DROP DOMAIN.", TypeStatements.DropType, ["drop"], source: LiveRecords),
		Rule("create-procedure", "CREATE PROCEDURE", "0A000", "CREATE PROCEDURE not supported", "Only LANGUAGE sql functions exist on DSQL.",
			(s, _) => s.Verb == "create" && s.ObjectKind == "procedure" ? [] : null, Create, verified: false),
		Rule("function-language", "functions in languages other than SQL", "0A000", "CREATE FUNCTION with language {0} not supported",
			"Write the function in LANGUAGE sql.", StatementMatchers.FunctionLanguage, Create, source: LiveRecords),
		Rule("materialized-view", "materialized views", "0A000", "unsupported statement: CreateTableAs", "Use a view or a table filled by the application.",
			StatementMatchers.MaterializedView, ["create", "refresh"], source: LiveRecords),
		Rule("create-table-as", "CREATE TABLE … AS, SELECT … INTO", "0A000", "unsupported statement: CreateTableAs",
			"Create the table, then INSERT … SELECT in another transaction.", StatementMatchers.CreateTableAs, ["create", "select", "with"],
			source: LiveRecords),
		Rule("unsupported-statement", "other statements DSQL does not have (CREATE DATABASE/TABLESPACE/RULE/POLICY/PUBLICATION/…, "
			+ "foreign data, ALTER SYSTEM, CLUSTER, REINDEX, CHECKPOINT, LOAD, SECURITY LABEL…)", "0A000", "unsupported statement: {0}",
			"DSQL does not have this statement (it manages storage, maintenance and access itself).",
			StatementMatchers.UnsupportedStatement,
			["create", "alter", "drop", "cluster", "reindex", "checkpoint", "load", "import", "security"], verified: false,
			source: "recorded on DSQL 2026-09-18 for CREATE DATABASE (Createdb), CREATE TABLESPACE, CREATE FOREIGN TABLE and ALTER SYSTEM "
				+ "(public conformance records of a live cluster); the other statements are named by their parse node in the same way, not recorded"),
		Rule("copy-file", "COPY to or from a server file or program", "0A000", "COPY to or from a file or program is not supported",
			"Use COPY … FROM STDIN / TO STDOUT.", StatementMatchers.CopyFile, ["copy"], verified: false),
		Rule("locking-clause", "FOR SHARE, FOR NO KEY UPDATE", "0A000", "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported",
			"Use FOR UPDATE (or FOR KEY SHARE).", StatementMatchers.LockingClause, Queries, source: LiveRecords),
		Rule("for-key-share", "FOR KEY SHARE (before DSQL added it)", "0A000", "locking clauses other than FOR UPDATE are not supported",
			"Use FOR UPDATE.", StatementMatchers.ForKeyShare, Queries, until: ForKeyShare, verified: false),
		Rule("tablesample", "TABLESAMPLE", "0A000", "TABLESAMPLE clause not supported", "Sample with ORDER BY random() LIMIT n.",
			StatementMatchers.Tablesample, ["select", "with", "insert", "update", "delete", "create"], source: LiveRecords),

		// ---- built-in features refused when a statement uses them ------------------------------------------------------
		Rule("text-search-configuration", "text-search configurations other than simple (to_tsvector('english', …), 'english'::regconfig)", "42704",
			"text search configuration \"{0}\" does not exist", "DSQL has only the simple text-search configuration: use 'simple', or search with LIKE/ILIKE.",
			RuntimeFeatures.TextSearchConfiguration, null, source: LiveRecords),
		Rule("geometric-type", "geometric types in expressions (point(…), circle(…), ::box, line '…')", "0A000", "datatype {0} not supported",
			"DSQL has no geometric types: store coordinates in numeric columns and compute in the query.", RuntimeFeatures.GeometricType, null,
			source: LiveRecords),

		// ---- CREATE TABLE (§4) --------------------------------------------------------------------------------------
		Rule("temp-table", "TEMP/TEMPORARY tables", "0A000", "TEMPORARY or TEMP table not supported for CREATE TABLE",
			"Use a regular table (and drop it afterwards) or keep the data in the application.", StatementMatchers.TempTable, Create, source: LiveRecords),
		Rule("unlogged-table", "UNLOGGED tables", "0A000", "UNLOGGED table not supported for CREATE TABLE", "Leave out UNLOGGED.",
			StatementMatchers.UnloggedTable, Create, source: LiveRecords),
		Rule("partition-by", "partitioned tables", "0A000", "PARTITION BY clause not supported", "DSQL distributes tables itself: leave out PARTITION BY.",
			StatementMatchers.PartitionBy, Create),
		Rule("partition-of", "partitions", "0A000", "PARTITION OF clause not supported", "DSQL distributes tables itself: use one table.",
			StatementMatchers.PartitionOf, Create, verified: false),
		Rule("inherits", "table inheritance", "0A000", "INHERITS clause not supported", "Repeat the columns instead.",
			StatementMatchers.Inherits, Create, verified: false),
		Rule("tablespace", "TABLESPACE clauses", "0A000", "TABLESPACE clause not supported", "Leave out TABLESPACE.",
			StatementMatchers.Tablespace, Create, verified: false),
		Rule("table-storage-parameters", "WITH (storage parameters) / WITHOUT OIDS on CREATE TABLE", "0A000", "WITH clause not supported for CREATE TABLE",
			"Leave out the storage parameters.", StatementMatchers.TableStorageParameters, Create, verified: false),
		Rule("table-access-method", "USING access_method on CREATE TABLE", "0A000", "USING clause not supported for CREATE TABLE", "Leave out USING.",
			StatementMatchers.TableAccessMethod, Create, verified: false),
		Rule("on-commit", "ON COMMIT on CREATE TABLE", "0A000", "ON COMMIT clause not supported", "Leave out ON COMMIT.",
			StatementMatchers.OnCommit, Create, verified: false),
		Rule("exclude-constraint", "EXCLUDE constraints", "0A000", "EXCLUDE constraint not supported", "Enforce the rule in the application.",
			StatementMatchers.ExcludeConstraint, Create, verified: false),
		Rule("foreign-key", "foreign keys (before DSQL added them)", "0A000", "FOREIGN KEY constraint not supported",
			"Enforce referential integrity in the application.", StatementMatchers.ForeignKey, Create, until: ForeignKeys, verified: false),
		Rule("serial", "serial, bigserial, smallserial", "42704", "type \"{0}\" does not exist",
			"Use bigint GENERATED BY DEFAULT AS IDENTITY (CACHE 65536), or uuid DEFAULT gen_random_uuid().", StatementMatchers.Serial, CreateOrAlter,
			source: LiveRecords),
		Rule("collate", "COLLATE clauses", "0A000", "COLLATE clause not supported", "DSQL has only the C collation: leave out COLLATE.",
			StatementMatchers.Collate, CreateOrAlter),

		// ---- identity columns and sequences (§4) --------------------------------------------------------------------
		Rule("identity-unsupported", "identity columns (before DSQL added them)", "0A000", "identity columns are not supported",
			"Use uuid DEFAULT gen_random_uuid().", StatementMatchers.IdentityUnsupported, CreateOrAlter, until: IdentityAndSequences, verified: false),
		Rule("sequence-unsupported", "sequences (before DSQL added them)", "0A000", "unsupported statement: CreateSeq",
			"Use uuid DEFAULT gen_random_uuid().", StatementMatchers.SequenceUnsupported, Create, until: IdentityAndSequences, verified: false),
		Rule("identity-cache", "identity columns without an explicit CACHE", "0A000",
			"identity column is not supported without an explicit cache size. please define CACHE greater than or equal to 65536 or equal to 1",
			"Add (CACHE 65536) for throughput or (CACHE 1) for ordered values: GENERATED BY DEFAULT AS IDENTITY (CACHE 65536).",
			StatementMatchers.IdentityWithoutCache, CreateOrAlter, since: IdentityAndSequences, source: LiveRecords),
		Rule("sequence-cache", "CREATE SEQUENCE without an explicit CACHE", "0A000",
			"CREATE SEQUENCE is not supported without an explicit cache size. please define CACHE greater than or equal to 65536 or equal to 1",
			"Add CACHE 65536 (throughput) or CACHE 1 (ordered values).", StatementMatchers.SequenceWithoutCache, Create, since: IdentityAndSequences,
			source: LiveRecords),
		Rule("cache-value", "CACHE values other than 1 or at least 65536", "22023", "CACHE ({0}) must be greater than or equal to 65536 or equal to 1",
			"Use CACHE 65536 (or more) for throughput, CACHE 1 for ordered values.", StatementMatchers.CacheValue, CreateOrAlter, since: IdentityAndSequences,
			verified: false),
		Rule("sequence-type", "sequences of types other than bigint", "0A000", "datatype {0} not supported, sequence type must be bigint",
			"Leave out AS (sequences are bigint).", StatementMatchers.SequenceType, Create, since: IdentityAndSequences, verified: false),

		// ---- ALTER TABLE (§4) ---------------------------------------------------------------------------------------
		Rule("alter-table-add-column-constraint", "ADD COLUMN with DEFAULT, NOT NULL, CHECK, identity…", "0A000",
			"ALTER TABLE ADD COLUMN with constraint not supported", "Add the column with its type only, then ALTER COLUMN … SET DEFAULT.",
			StatementMatchers.AlterTableAddColumnConstraint, Alter, source: LiveRecords),
		Rule("alter-table-set-data-type", "ALTER COLUMN … TYPE", "0A000", "unsupported ALTER TABLE ALTER COLUMN ... SET DATA TYPE statement",
			"Add a new column, copy the data in batches, drop the old column.", StatementMatchers.AlterTableSetDataType, Alter, source: LiveRecords),
		Rule("alter-table-set-not-null", "ALTER COLUMN … SET NOT NULL", "0A000", "unsupported ALTER TABLE ALTER COLUMN ... SET NOT NULL statement",
			"Add a CHECK (column IS NOT NULL) NOT VALID constraint and validate it asynchronously.", StatementMatchers.AlterTableSetNotNull, Alter,
			verified: false),
		Rule("alter-table-add-constraint", "ADD PRIMARY KEY, ADD UNIQUE (columns), EXCLUDE, CHECK or FOREIGN KEY without NOT VALID", "0A000",
			UnsupportedAlterTable, "Add CHECK and FOREIGN KEY constraints NOT VALID and validate them with ALTER TABLE ASYNC; "
			+ "for UNIQUE create a unique index (CREATE UNIQUE INDEX ASYNC) and ADD CONSTRAINT … UNIQUE USING INDEX.",
			StatementMatchers.AlterTableAddConstraint, Alter, source: LiveRecords),
		Rule("alter-table-check-not-valid", "ADD CONSTRAINT … CHECK … NOT VALID (before DSQL added it)", "0A000", UnsupportedAlterTable, AlterHint,
			StatementMatchers.AlterTableAddCheckNotValid, Alter, until: DropColumnAndCheckConstraints),
		Rule("alter-table-foreign-key-not-valid", "ADD CONSTRAINT … FOREIGN KEY … NOT VALID (before DSQL added foreign keys)", "0A000",
			UnsupportedAlterTable, AlterHint, StatementMatchers.AlterTableAddForeignKeyNotValid, Alter, until: ForeignKeys),
		Rule("alter-table-column-defaults", "ALTER COLUMN SET/DROP DEFAULT, DROP NOT NULL (before DSQL added them)", "0A000",
			"unsupported ALTER TABLE ALTER COLUMN ... {0} statement", AlterHint, StatementMatchers.AlterTableColumnDefaults, Alter,
			until: AlterColumnDefaults, verified: false),
		Rule("alter-table-drop-constraint", "DROP CONSTRAINT (before DSQL added it)", "0A000", "unsupported ALTER TABLE DROP CONSTRAINT statement",
			AlterHint, StatementMatchers.AlterTableDropConstraint, Alter, until: AlterColumnDefaults, verified: false),
		Rule("alter-table-add-identity", "ALTER COLUMN ADD GENERATED AS IDENTITY (before DSQL added it)", "0A000",
			"unsupported ALTER TABLE ALTER COLUMN ... ADD GENERATED statement", AlterHint, StatementMatchers.AlterTableAddIdentity, Alter,
			until: AlterColumnDefaults, verified: false),
		Rule("alter-table-drop-column", "DROP COLUMN (before DSQL added it)", "0A000", "unsupported ALTER TABLE DROP COLUMN statement", AlterHint,
			StatementMatchers.AlterTableDropColumn, Alter, until: DropColumnAndCheckConstraints, verified: false),
		Rule("alter-table-validate", "VALIDATE CONSTRAINT without ASYNC", "0A000", "unsupported ALTER TABLE VALIDATE CONSTRAINT statement",
			"Use ALTER TABLE ASYNC table VALIDATE CONSTRAINT name (a job; wait with CALL sys.wait_for_job).", StatementMatchers.AlterTableValidate, Alter,
			source: LiveRecords),
		// SET STORAGE (and ADD COLUMN … STORAGE) are accepted by DSQL (live records 2026-09-18): not refused here.
		Rule("alter-table-alter-column", "other ALTER COLUMN forms (SET STATISTICS, SET COMPRESSION, DROP EXPRESSION…)", "0A000",
			"unsupported ALTER TABLE ALTER COLUMN ... {0} statement", AlterHint, StatementMatchers.AlterTableColumnOther, Alter, verified: false),
		Rule("alter-table", "other ALTER TABLE actions (triggers, row level security, partitions, inheritance, storage…)", "0A000",
			"unsupported ALTER TABLE {0} statement", AlterHint, StatementMatchers.AlterTableOther, Alter, verified: false),

		// ---- CREATE INDEX (§5) --------------------------------------------------------------------------------------
		Rule("index-concurrently", "CREATE INDEX CONCURRENTLY", "0A000", "CONCURRENTLY not supported for CREATE INDEX",
			"Use CREATE INDEX ASYNC (it does not block writers either).", StatementMatchers.IndexConcurrently, Create),
		Rule("index-async", "CREATE INDEX without ASYNC", "0A000", "unsupported mode. please use CREATE INDEX ASYNC.",
			"Use CREATE INDEX ASYNC …, then CALL sys.wait_for_job(job_id).", StatementMatchers.IndexAsync, Create, source: LiveRecords),
		Rule("index-qualified-name", "schema-qualified index names", "42601", "syntax error at or near \".\"",
			"The index goes into its table's schema: name it without a schema.", StatementMatchers.IndexQualifiedName, Create, source: LiveRecords),
		Rule("index-using", "USING method on CREATE INDEX", "0A000", "USING not supported for CREATE INDEX", "Leave out USING (DSQL has one index method).",
			StatementMatchers.IndexUsing, Create),
		Rule("index-sort-order", "ASC/DESC on index keys", "0A000", "specifying sort order not supported for index keys",
			"Leave out ASC/DESC (NULLS FIRST/LAST is allowed).", StatementMatchers.IndexSortOrder, Create),
		Rule("index-include-expression", "expressions in INCLUDE", "0A000", "expressions are not supported in included columns",
			"INCLUDE lists plain columns only.", StatementMatchers.IndexIncludeExpression, Create),
		Rule("index-key-count", "more than 8 index key columns", "54011", "more than 8 column keys in an index are not supported",
			"Index at most 8 key columns; move others to INCLUDE.", StatementMatchers.IndexKeyCount, Create),
		Rule("index-expression", "expression index keys (before DSQL added them)", "0A000", "expressions are not supported in index keys",
			"Index a column (a generated column can hold the expression).", StatementMatchers.IndexExpression, Create, until: ExpressionIndexKeys,
			verified: false),
		Rule("index-partial", "partial indexes (before DSQL added them)", "0A000", "WHERE clause not supported for CREATE INDEX",
			"Leave out WHERE.", StatementMatchers.IndexPartial, Create, until: PartialIndexes, verified: false),

		// ---- checked in the catalog after the statement ran (the local endpoint's event trigger) -----------------------
		// ---- IAM identity mappings of custom roles (AWS IAM GRANT / REVOKE, sys.iam_pg_role_mappings) -----------------------------------
		// DSQL documents the statements and the view; it does not document these refusals' texts. Changing mappings as another
		// role than admin answers 42501 (recorded by third parties); the texts follow PostgreSQL's for similar refusals.
		Catalog("iam-mapping-admin", "AWS IAM GRANT / REVOKE by a role other than admin", "42501", "permission denied to change IAM role mappings",
			"Connect as admin to map IAM identities to database roles.", verified: false),
		Catalog("iam-mapping-role", "AWS IAM GRANT / REVOKE naming admin or a role that is not an ordinary role", "42501",
			"permission denied to map IAM identities to role \"{0}\"", "admin connects with DbConnectAdmin and needs no mapping; map custom roles only.",
			verified: false),
		Catalog("iam-arn", "AWS IAM GRANT / REVOKE with something other than an IAM role or user ARN", "22023", "invalid IAM ARN: \"{0}\"",
			"Give the ARN of an IAM role or user, e.g. 'arn:aws:iam::111122223333:role/example'.", verified: false),
		Catalog("iam-mapping-missing", "AWS IAM REVOKE of a mapping that does not exist", "42704", "IAM identity \"{0}\" is not mapped to role \"{1}\"",
			"List the mappings with SELECT * FROM sys.iam_pg_role_mappings.", verified: false),
		Catalog("iam-login-unmapped", "a DbConnect token whose IAM identity is not mapped to the role it connects as", "28P01",
			"IAM authentication failed for user \"{0}\"",
			"As admin, map the token's IAM identity to the role: AWS IAM GRANT <role> TO '<arn>'.", verified: false),

		Catalog("column-type", "column types other than DSQL's (arrays, inet, money, xml, geometric, ranges, tsvector, composites…)", "0A000",
			"datatype {0} not supported", "Use one of DSQL's types (text, numeric, uuid, jsonb…).", source: LiveRecords),
		Catalog("max-columns", "more than 255 columns", "54011", "tables can have at most 255 columns", "Split the table."),
		Catalog("identity-bigint", "identity columns of types other than bigint", "0A000", "datatype {0} not supported, identity column type must be bigint",
			"Make the identity column bigint.", since: IdentityAndSequences, source: LiveRecords),
		Catalog("index-key-type", "json, jsonb, bytea, interval, timetz as index (or key) columns", "0A000", "datatype {0} is not supported in a key",
			"Index a hash or an extracted column instead."),
		Catalog("max-indexes", "more than 24 indexes per table", "54000", "more than 24 indexes per table are not allowed", "Drop an index first."),
		Catalog("drop-primary-key-column", "DROP COLUMN of a primary key column", "0A000", "cannot drop primary key column {0}",
			"Primary keys cannot change: create a new table.", since: DropColumnAndCheckConstraints, source: LiveRecords),
		Catalog("volatile-index-expression", "volatile functions in index expressions (PostgreSQL's own check)", "42P17",
			"functions in index expression must be marked IMMUTABLE", "Use IMMUTABLE functions only.", since: ExpressionIndexKeys),

		// ---- per transaction (the local endpoint) ---------------------------------------------------------------------
		Transaction("one-ddl", "more than one DDL statement in a transaction", "0A000", "multiple ddl statements not supported in a transaction",
			"Run each DDL statement in its own transaction.", LiveRecords),
		Transaction("ddl-dml", "DDL and DML in one transaction", "0A000", "ddl and dml are not supported in the same transaction",
			"Commit the DDL, then modify data in another transaction.", LiveRecords),
		Transaction("row-limit", "more than 3,000 modified rows in a transaction (cascades included)", "54000", "transaction row limit exceeded",
			"Modify at most 3,000 rows per transaction: work in batches.", LiveRecords),
		Transaction("row-size", "rows larger than 2 MiB", "54000", "maximum row size exceeded", "Keep rows under 2 MiB: store large values elsewhere."),
		Transaction("size-limit", "more than 10 MiB of modified data in a transaction (checked at COMMIT)", "54000", "transaction size limit {0} exceeded",
			"Write less per transaction: work in batches."),
		Transaction("age-limit", "transactions older than 5 minutes", "54000", "transaction age limit of {0}s exceeded",
			"Keep transactions short: work in batches."),
		Transaction("oc000", "a concurrent transaction changed the same rows (optimistic concurrency)", "40001",
			"change conflicts with another transaction (OC000)", "Retry the whole transaction.", LiveRecords),
		Transaction("oc001", "the schema changed since the transaction began", "40001", "schema has been updated by another transaction (OC001)",
			"Retry the whole transaction."),
		Transaction("server-unavailable", "transient server failure", "XX000", "server unavailable",
			"Retry the whole transaction (a failed COMMIT may or may not have applied)."),
	];

	static DsqlRule Catalog(string id, string description, string sqlState, string message, string hint, DateOnly? since = null, string? source = null,
		bool verified = true) => new()
	{
		Id = id, Description = description, Scope = RuleScope.Catalog, SqlState = sqlState, Message = message, Hint = hint, Since = since, Source = source,
		TextVerified = verified,
	};

	static DsqlRule Transaction(string id, string description, string sqlState, string message, string hint, string? source = null) => new()
	{
		Id = id, Description = description, Scope = RuleScope.Transaction, SqlState = sqlState, Message = message, Hint = hint, Source = source,
	};
}
