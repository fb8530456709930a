using System.Text;
using AuroraDsql.Rules;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Backend;

/// <summary>
/// The backend side of DSQL's rules, created by <see cref="BackendBootstrap"/> (idempotently, as the superuser):
/// <list type="bullet">
/// <item><c>sys.commit_failures</c>: a row inserted there makes the transaction's COMMIT fail with the row's SQLSTATE and
/// message (a deferred constraint trigger), so the transaction ends rolled back as on DSQL;</item>
/// <item><c>sys.track_changes()</c>: statement-level AFTER triggers with transition tables on every user table count the
/// rows (and bytes) a transaction changes in transaction-local settings (a COPY's from its progress report), raise DSQL's
/// row limit error from the statement that crosses it, and arm the size limit error for COMMIT;</item>
/// <item><c>aurora_dsql_ddl_end</c>: an event trigger attaching those triggers to new tables and checking what only the
/// catalog knows (column types after domains, 255 columns, identity types, index keys and counts).</item>
/// </list>
/// The checks run only in client sessions: the proxy passes the limits and the enabled catalog rules as session settings
/// (<c>aurora_dsql.*</c>); the endpoint's own connections and direct backend connections have none.
/// </summary>
static class RuleObjects
{
	/// <summary>Session setting: the row limit per transaction (its presence marks a client session).</summary>
	public const string MaxRowsSetting = "aurora_dsql.max_rows";

	/// <summary>Session setting: the modified-data limit per transaction, in bytes.</summary>
	public const string MaxBytesSetting = "aurora_dsql.max_bytes";

	/// <summary>Session setting: comma-separated ids of the catalog rules to enforce.</summary>
	public const string CatalogRulesSetting = "aurora_dsql.catalog_rules";

	/// <summary>Session setting: comma-separated <c>pg_type.typname</c>s of the accepted column types.</summary>
	public const string ColumnTypesSetting = "aurora_dsql.column_types";

	/// <summary>Prefix of the triggers attached to user tables.</summary>
	public const string TriggerPrefix = "aurora_dsql_rows_";

	/// <summary>DSQL's row size limit: 2 MiB.</summary>
	const long MaxRowBytes = 2 * 1024 * 1024;

	/// <summary>
	/// A COPY that sent at most this many bytes has no row over <see cref="MaxRowBytes"/> (a stored row is its input plus
	/// headers and fixed-size values, a few KiB at most for 255 columns), so its rows are not measured one by one.
	/// </summary>
	const long CopyRowCheckBytes = MaxRowBytes - 64 * 1024;

	/// <summary>The rules the backend objects check (catalog rules, and statement rules the catalog confirms).</summary>
	static readonly string[] BackendChecked =
		["column-type", "max-columns", "identity-bigint", "index-key-type", "max-indexes", "index-key-count", "drop-primary-key-column"];

	/// <summary>The session settings for a client session under <paramref name="rules"/>.</summary>
	public static IEnumerable<KeyValuePair<string, string>> SessionSettings(DsqlRuleSet rules, long maxRows, long maxBytes)
	{
		yield return new(MaxRowsSetting, maxRows.ToString(System.Globalization.CultureInfo.InvariantCulture));
		yield return new(MaxBytesSetting, maxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
		yield return new(CatalogRulesSetting, string.Join(',', BackendChecked.Where(rules.IsActive)));
		yield return new(ColumnTypesSetting, string.Join(',', rules.ColumnTypes.Select(t => t.TypeName)));
	}

	/// <summary>The SQL creating (or replacing) the backend objects.</summary>
	public static string Script()
	{
		var script = new StringBuilder(Template);
		foreach (var rule in DsqlRuleCatalog.All)
			script.Replace("{message:" + rule.Id + "}", SqlText.QuoteLiteral(rule.Message.Replace("{0}", "%s", StringComparison.Ordinal)));
		script.Replace("{key_types_refused}", SqlText.QuoteLiteral("{" + string.Join(',', DsqlRuleCatalog.KeyTypesRefused) + "}"));
		script.Replace("{trigger_prefix}", TriggerPrefix);
		script.Replace("{max_row_bytes}", MaxRowBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
		script.Replace("{copy_row_check_bytes}", CopyRowCheckBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
		return script.ToString();
	}

	const string Template = """
		-- ---- commit-time failures ---------------------------------------------------------------------------------
		CREATE UNLOGGED TABLE IF NOT EXISTS sys.commit_failures (sqlstate text NOT NULL, message text NOT NULL);
		-- Written by sys.track_changes (as its owner) only.
		REVOKE ALL ON sys.commit_failures FROM PUBLIC;

		CREATE OR REPLACE FUNCTION sys.raise_commit_failure() RETURNS trigger
			LANGUAGE plpgsql
			AS $$
		BEGIN
			RAISE EXCEPTION USING ERRCODE = NEW.sqlstate, MESSAGE = NEW.message;
		END
		$$;

		DO $objects$
		BEGIN
			IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger WHERE tgname = 'fail_commit' AND tgrelid = 'sys.commit_failures'::regclass) THEN
				CREATE CONSTRAINT TRIGGER fail_commit AFTER INSERT ON sys.commit_failures
					DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sys.raise_commit_failure();
			END IF;
		END
		$objects$;

		-- ---- rows and bytes per transaction ------------------------------------------------------------------------
		-- As the superuser (clients may not execute set_config) and with a fixed search_path (no client object is looked up).
		CREATE OR REPLACE FUNCTION sys.track_changes() RETURNS trigger
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
			AS $$
		DECLARE
			v_max_rows  bigint := nullif(pg_catalog.current_setting('aurora_dsql.max_rows', true), '')::bigint;
			v_max_bytes bigint;
			v_rows      bigint;
			v_bytes     bigint := 0;
			v_largest   bigint := 0;
			v_total     bigint;
		BEGIN
			IF v_max_rows IS NULL THEN
				RETURN NULL; -- not a client session
			END IF;

			-- (only for a statement that is a COPY: reading the progress report costs more than a small INSERT's own rows)
			IF TG_OP = 'INSERT' AND pg_catalog.current_query() ~* '^\s*copy\M' THEN
				-- COPY FROM into this table: the rows it inserted and the bytes the client sent, from its progress report (reading
				-- the transition rows costs as much as the COPY's own work). A COPY small enough cannot hold a row over the limit.
				-- The activity snapshot is kept for the transaction: cleared, the progress is this COPY's, not an earlier one's.
				PERFORM pg_catalog.pg_stat_clear_snapshot();
				SELECT p.tuples_processed, p.bytes_processed INTO v_rows, v_bytes FROM pg_catalog.pg_stat_progress_copy p
					WHERE p.pid = pg_catalog.pg_backend_pid() AND p.relid = TG_RELID AND p.command = 'COPY FROM';
				IF v_rows IS NOT NULL THEN
					-- The bytes sent (field lengths included) bound the stored size from above: measured only when they could
					-- cross the size limit, so the COPY counts what an INSERT of the same rows would.
					v_max_bytes := nullif(pg_catalog.current_setting('aurora_dsql.max_bytes', true), '')::bigint;
					v_total := coalesce(nullif(pg_catalog.current_setting('aurora_dsql.tx_bytes', true), '')::bigint, 0);
					IF v_bytes > {copy_row_check_bytes} OR (v_max_bytes IS NOT NULL AND v_total + v_bytes > v_max_bytes) THEN
						SELECT coalesce(pg_catalog.sum(pg_catalog.pg_column_size(c.*)), 0), coalesce(pg_catalog.max(pg_catalog.pg_column_size(c.*)), 0)
							INTO v_bytes, v_largest FROM aurora_dsql_changed c;
					END IF;
				END IF;
			END IF;

			IF v_rows IS NOT NULL THEN
				NULL; -- counted from the COPY's progress
			ELSIF TG_OP = 'DELETE' THEN
				SELECT pg_catalog.count(*) INTO v_rows FROM aurora_dsql_changed;
			ELSE
				SELECT pg_catalog.count(*), coalesce(pg_catalog.sum(pg_catalog.pg_column_size(c.*)), 0), coalesce(pg_catalog.max(pg_catalog.pg_column_size(c.*)), 0)
					INTO v_rows, v_bytes, v_largest FROM aurora_dsql_changed c;
			END IF;

			IF v_largest > {max_row_bytes} THEN
				RAISE EXCEPTION USING ERRCODE = '54000', MESSAGE = {message:row-size};
			END IF;

			IF v_rows = 0 THEN
				RETURN NULL;
			END IF;

			v_total := coalesce(nullif(pg_catalog.current_setting('aurora_dsql.tx_rows', true), '')::bigint, 0) + v_rows;
			PERFORM pg_catalog.set_config('aurora_dsql.tx_rows', v_total::text, true);
			IF v_total > v_max_rows THEN
				RAISE EXCEPTION USING ERRCODE = '54000', MESSAGE = {message:row-limit};
			END IF;

			IF v_bytes > 0 THEN
				v_max_bytes := nullif(pg_catalog.current_setting('aurora_dsql.max_bytes', true), '')::bigint;
				v_total := coalesce(nullif(pg_catalog.current_setting('aurora_dsql.tx_bytes', true), '')::bigint, 0);
				IF v_max_bytes IS NOT NULL AND v_total <= v_max_bytes AND v_total + v_bytes > v_max_bytes THEN
					INSERT INTO sys.commit_failures (sqlstate, message) VALUES ('54000', pg_catalog.format({message:size-limit},
						CASE WHEN v_max_bytes % 1048576 = 0 THEN (v_max_bytes / 1048576)::text || 'mb' ELSE v_max_bytes::text || 'b' END));
				END IF;
				PERFORM pg_catalog.set_config('aurora_dsql.tx_bytes', (v_total + v_bytes)::text, true);
			END IF;

			RETURN NULL;
		END
		$$;

		CREATE OR REPLACE FUNCTION sys.attach_limit_triggers(p_table oid) RETURNS void
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog
			AS $$
		DECLARE
			v_event text;
		BEGIN
			IF NOT EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE c.oid = p_table AND c.relkind = 'r' AND c.relpersistence = 'p'
					AND n.nspname NOT IN ('sys', 'pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%') THEN
				RETURN;
			END IF;

			FOREACH v_event IN ARRAY ARRAY['insert', 'update', 'delete'] LOOP
				IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = p_table AND tgname = '{trigger_prefix}' || v_event) THEN
					EXECUTE format('CREATE TRIGGER %I AFTER %s ON %s REFERENCING %s TABLE AS aurora_dsql_changed FOR EACH STATEMENT EXECUTE FUNCTION sys.track_changes()',
						'{trigger_prefix}' || v_event, upper(v_event), p_table::regclass, CASE WHEN v_event = 'delete' THEN 'OLD' ELSE 'NEW' END);
				END IF;
			END LOOP;
		END
		$$;
		REVOKE ALL ON FUNCTION sys.attach_limit_triggers(oid) FROM PUBLIC;

		-- ---- catalog rules -----------------------------------------------------------------------------------------
		CREATE OR REPLACE FUNCTION sys.check_type(p_type oid, p_typmod int, p_allowed text[]) RETURNS void
			LANGUAGE plpgsql SET search_path = pg_catalog
			AS $$
		DECLARE
			v_type   oid := p_type;
			v_typmod int := p_typmod;
			v_base   oid;
		BEGIN
			LOOP
				SELECT CASE WHEN t.typtype = 'd' THEN t.typbasetype END, CASE WHEN t.typtype = 'd' THEN t.typtypmod END
					INTO v_base, v_typmod FROM pg_type t WHERE t.oid = v_type;
				EXIT WHEN v_base IS NULL;
				v_type := v_base;
			END LOOP;

			IF v_typmod IS NULL THEN
				v_typmod := p_typmod;
			END IF;

			IF NOT (SELECT t.typname::text = ANY (p_allowed) FROM pg_type t WHERE t.oid = v_type) THEN
				-- DSQL names the type without its length or precision: "datatype bit not supported" for bit(8).
				RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format({message:column-type}, format_type(v_type, NULL));
			END IF;
		END
		$$;
		REVOKE ALL ON FUNCTION sys.check_type(oid, int, text[]) FROM PUBLIC;

		CREATE OR REPLACE FUNCTION sys.check_relation(p_table oid, p_rules text[], p_allowed text[]) RETURNS void
			LANGUAGE plpgsql SET search_path = pg_catalog
			AS $$
		DECLARE
			v_column record;
			v_index  record;
			v_type   oid;
		BEGIN
			IF NOT EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE c.oid = p_table AND c.relkind IN ('r', 'p') AND n.nspname NOT IN ('sys', 'pg_catalog', 'information_schema')) THEN
				RETURN;
			END IF;

			IF 'max-columns' = ANY (p_rules)
				AND (SELECT count(*) FROM pg_attribute WHERE attrelid = p_table AND attnum > 0 AND NOT attisdropped) > 255 THEN
				RAISE EXCEPTION USING ERRCODE = '54011', MESSAGE = {message:max-columns};
			END IF;

			FOR v_column IN SELECT a.attname, a.atttypid, a.atttypmod, a.attidentity FROM pg_attribute a
				WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
			LOOP
				IF 'column-type' = ANY (p_rules) THEN
					PERFORM sys.check_type(v_column.atttypid, v_column.atttypmod, p_allowed);
				END IF;
				IF 'identity-bigint' = ANY (p_rules) AND v_column.attidentity <> '' AND v_column.atttypid <> 'int8'::regtype THEN
					RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format({message:identity-bigint}, format_type(v_column.atttypid, NULL));
				END IF;
			END LOOP;

			IF 'max-indexes' = ANY (p_rules) AND (SELECT count(*) FROM pg_index WHERE indrelid = p_table) > 24 THEN
				RAISE EXCEPTION USING ERRCODE = '54000', MESSAGE = {message:max-indexes};
			END IF;

			FOR v_index IN SELECT i.indexrelid, i.indnkeyatts FROM pg_index i WHERE i.indrelid = p_table LOOP
				IF 'index-key-count' = ANY (p_rules) AND v_index.indnkeyatts > 8 THEN
					RAISE EXCEPTION USING ERRCODE = '54011', MESSAGE = {message:index-key-count};
				END IF;
				IF 'index-key-type' = ANY (p_rules) THEN
					SELECT a.atttypid INTO v_type FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
						WHERE a.attrelid = v_index.indexrelid AND a.attnum BETWEEN 1 AND v_index.indnkeyatts
							AND t.typname::text = ANY ({key_types_refused}::text[])
						ORDER BY a.attnum LIMIT 1;
					IF FOUND THEN
						RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format({message:index-key-type}, format_type(v_type, NULL));
					END IF;
				END IF;
			END LOOP;
		END
		$$;
		REVOKE ALL ON FUNCTION sys.check_relation(oid, text[], text[]) FROM PUBLIC;

		-- Plain column keys of CREATE INDEX ASYNC, before the trial build (PostgreSQL has no btree operator class for json).
		CREATE OR REPLACE FUNCTION sys.check_index_key_columns(p_table text, p_columns text[]) RETURNS void
			LANGUAGE plpgsql
			AS $$
		DECLARE
			v_rules text[] := pg_catalog.string_to_array(pg_catalog.current_setting('aurora_dsql.catalog_rules', true), ',');
			v_table oid;
			v_type  oid;
		BEGIN
			IF v_rules IS NULL OR NOT ('index-key-type' = ANY (v_rules)) THEN
				RETURN;
			END IF;
			v_table := pg_catalog.to_regclass(p_table); -- with the caller's search_path, like the statement
			IF v_table IS NULL THEN
				RETURN; -- the trial build reports it
			END IF;

			SELECT a.atttypid INTO v_type FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
				WHERE a.attrelid = v_table AND a.attname = ANY (p_columns::name[]) AND NOT a.attisdropped
					AND t.typname::text = ANY ({key_types_refused}::text[])
				LIMIT 1;
			IF FOUND THEN
				RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = pg_catalog.format({message:index-key-type}, pg_catalog.format_type(v_type, NULL));
			END IF;
		END
		$$;

		-- The counting triggers of a user table stay as attached: clients cannot drop, disable, rename or replace them (they
		-- own their tables, so PostgreSQL would let them). Checked after every DDL command on a table or trigger (dropping
		-- one is refused by sys.on_sql_drop): each trigger named so, or calling sys.track_changes, is one of the three, calls
		-- it and fires.
		CREATE OR REPLACE FUNCTION sys.check_limit_triggers(p_table oid) RETURNS void
			LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
			AS $$
		DECLARE
			v_trigger record;
		BEGIN
			IF p_table IS NULL OR (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user) THEN
				RETURN;
			END IF;

			FOR v_trigger IN SELECT t.tgname, t.tgfoid, t.tgenabled FROM pg_trigger t
				WHERE t.tgrelid = p_table AND (t.tgname LIKE '{trigger_prefix}%' OR t.tgfoid = 'sys.track_changes()'::regprocedure)
			LOOP
				IF NOT (v_trigger.tgname IN ('{trigger_prefix}insert', '{trigger_prefix}update', '{trigger_prefix}delete')
					AND v_trigger.tgfoid = 'sys.track_changes()'::regprocedure AND v_trigger.tgenabled IN ('O', 'A')) THEN
					RAISE EXCEPTION USING ERRCODE = '42501',
						MESSAGE = format('permission denied: trigger "%s" on table "%s" belongs to the local DSQL endpoint', v_trigger.tgname,
							(SELECT relname FROM pg_class WHERE oid = p_table)),
						HINT = 'It counts the rows a transaction modifies, for DSQL''s limits: it cannot be dropped, disabled, renamed or replaced.';
				END IF;
			END LOOP;
		END
		$$;
		REVOKE ALL ON FUNCTION sys.check_limit_triggers(oid) FROM PUBLIC;

		CREATE OR REPLACE FUNCTION sys.on_ddl_end() RETURNS event_trigger
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog
			AS $$
		DECLARE
			v_command record;
			v_tables  oid[] := '{}';
			v_table   oid;
			v_rules   text[] := string_to_array(nullif(current_setting('aurora_dsql.catalog_rules', true), ''), ',');
			v_allowed text[] := string_to_array(current_setting('aurora_dsql.column_types', true), ',');
			v_type    record;
			v_numeric name;
		BEGIN
			FOR v_command IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
				IF v_command.command_tag = 'CREATE TABLE' AND v_command.object_type = 'table' THEN
					PERFORM sys.attach_limit_triggers(v_command.objid);
				END IF;

				-- DSQL makes a bare numeric column numeric(18,6) (and rounds to it).
				IF v_rules IS NOT NULL AND v_command.object_type = 'table' AND v_command.command_tag IN ('CREATE TABLE', 'ALTER TABLE') THEN
					FOR v_numeric IN SELECT a.attname FROM pg_attribute a
						WHERE a.attrelid = v_command.objid AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypid = 'numeric'::regtype AND a.atttypmod = -1
					LOOP
						BEGIN
							EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE numeric(18, 6)', v_command.objid::regclass, v_numeric);
						EXCEPTION WHEN OTHERS THEN
							NULL; -- e.g. used by a generated column: keep PostgreSQL's type
						END;
					END LOOP;
				END IF;

				IF v_command.object_type IN ('table', 'trigger') THEN
					PERFORM sys.check_limit_triggers(CASE WHEN v_command.object_type = 'trigger'
						THEN (SELECT tgrelid FROM pg_trigger WHERE oid = v_command.objid) ELSE v_command.objid END);
				END IF;

				IF v_command.object_type = 'table' THEN
					v_tables := v_tables || v_command.objid;
				ELSIF v_command.object_type = 'index' THEN
					v_tables := v_tables || (SELECT indrelid FROM pg_index WHERE indexrelid = v_command.objid);
				ELSIF v_command.object_type IN ('domain', 'type') AND v_rules IS NOT NULL AND 'column-type' = ANY (v_rules) THEN
					SELECT t.typbasetype, t.typtypmod INTO v_type FROM pg_type t WHERE t.oid = v_command.objid AND t.typtype = 'd';
					IF FOUND THEN
						PERFORM sys.check_type(v_type.typbasetype, v_type.typtypmod, v_allowed);
					END IF;
				END IF;
			END LOOP;

			IF v_rules IS NULL THEN
				RETURN; -- not a client session
			END IF;

			FOREACH v_table IN ARRAY v_tables LOOP
				PERFORM sys.check_relation(v_table, v_rules, v_allowed);
			END LOOP;
		END
		$$;

		DO $objects$
		BEGIN
			IF NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger WHERE evtname = 'aurora_dsql_ddl_end') THEN
				CREATE EVENT TRIGGER aurora_dsql_ddl_end ON ddl_command_end EXECUTE FUNCTION sys.on_ddl_end();
			END IF;
		END
		$objects$;

		-- Tables made before the endpoint started (a kept data directory, an external server).
		SELECT sys.attach_limit_triggers(c.oid) FROM pg_catalog.pg_class c WHERE c.relkind = 'r' AND c.relpersistence = 'p';

		-- ---- DROP COLUMN: not of a primary key column, and no counting trigger dropped ------------------------------------
		-- The primary key columns are noted when an ALTER TABLE starts; a column dropped by it is checked against them when
		-- the drop is done (the key itself goes with its column, so afterwards the catalog no longer knows).
		DROP PROCEDURE IF EXISTS sys.alter_table_checked(text, text[], text);

		CREATE OR REPLACE FUNCTION sys.on_ddl_start() RETURNS event_trigger
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
			AS $$
		BEGIN
			IF 'drop-primary-key-column' = ANY (string_to_array(current_setting('aurora_dsql.catalog_rules', true), ',')) THEN
				PERFORM set_config('aurora_dsql.primary_key_columns',
					coalesce((SELECT ' ' || string_agg(c.conrelid::text || ':' || k.attnum::text, ' ') || ' '
						FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey) AS k(attnum) WHERE c.contype = 'p'), ''), true);
			END IF;
		END
		$$;

		CREATE OR REPLACE FUNCTION sys.on_sql_drop() RETURNS event_trigger
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
			AS $$
		DECLARE
			v_object record;
			v_keys   text := current_setting('aurora_dsql.primary_key_columns', true);
			v_client boolean := NOT coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false);
		BEGIN
			FOR v_object IN SELECT * FROM pg_event_trigger_dropped_objects() WHERE original LOOP
				IF v_object.object_type = 'trigger' AND v_client AND v_object.address_names[3] LIKE '{trigger_prefix}%' THEN
					RAISE EXCEPTION USING ERRCODE = '42501',
						MESSAGE = format('permission denied: trigger "%s" on table "%s" belongs to the local DSQL endpoint', v_object.address_names[3], v_object.address_names[2]),
						HINT = 'It counts the rows a transaction modifies, for DSQL''s limits: it cannot be dropped, disabled, renamed or replaced.';
				END IF;

				IF v_object.object_type = 'table column' AND v_keys IS NOT NULL AND v_keys <> ''
					AND strpos(v_keys, ' ' || v_object.objid::text || ':' || v_object.objsubid::text || ' ') > 0 THEN
					RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format({message:drop-primary-key-column}, v_object.address_names[3]);
				END IF;
			END LOOP;
		END
		$$;

		DO $objects$
		BEGIN
			IF NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger WHERE evtname = 'aurora_dsql_ddl_start') THEN
				CREATE EVENT TRIGGER aurora_dsql_ddl_start ON ddl_command_start WHEN TAG IN ('ALTER TABLE') EXECUTE FUNCTION sys.on_ddl_start();
			END IF;
			IF NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger WHERE evtname = 'aurora_dsql_sql_drop') THEN
				CREATE EVENT TRIGGER aurora_dsql_sql_drop ON sql_drop EXECUTE FUNCTION sys.on_sql_drop();
			END IF;
		END
		$objects$;
		""";
}
