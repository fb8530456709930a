using AuroraDsql.Local.Proxy;

namespace AuroraDsql.Local.Backend;

/// <summary>
/// Prepares the backend database (idempotently, as the superuser): role <c>admin</c> owning database <c>postgres</c>
/// (without CREATEROLE, see <see cref="BackendHardening"/>), and schema <c>sys</c> with DSQL's <c>sys.jobs</c> and
/// <c>sys.wait_for_job</c> plus the endpoint's helper routines, and DSQL's IAM role mappings (<see cref="IamRoleMappings"/>). Helpers users must not call directly are not executable
/// by PUBLIC; those they may call run nothing but their own statement (no text a client passes is executed as more than
/// the one statement it stands for); the job worker runs each job as the role that submitted it.
/// </summary>
static class BackendBootstrap
{
	/// <summary>Class id (pg_class) DSQL reports for index jobs.</summary>
	public const int PgClassOid = 1259;

	/// <summary>Class id (pg_constraint) reported for VALIDATE_CONSTRAINT jobs.</summary>
	public const int PgConstraintOid = 2606;

	public static async Task RunAsync(InternalConnection connection, string database, CancellationToken cancellationToken)
	{
		// Serialize concurrent endpoints bootstrapping one external backend.
		await connection.ExecuteAsync("SELECT pg_catalog.pg_advisory_lock(8347110421)", cancellationToken).ConfigureAwait(false);
		try
		{
			await connection.ExecuteAsync(Script.Replace("{database}", Sql.SqlText.QuoteIdentifier(database), StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
			await connection.ExecuteAsync(RuleObjects.Script(), cancellationToken).ConfigureAwait(false);
			await connection.ExecuteAsync(BackendHardening.Script(), cancellationToken).ConfigureAwait(false);
			await connection.ExecuteAsync(IamRoleMappings.Script(), cancellationToken).ConfigureAwait(false);
		}
		finally
		{
			await connection.ExecuteAsync("SELECT pg_catalog.pg_advisory_unlock(8347110421)", cancellationToken).ConfigureAwait(false);
		}
	}

	const string Script = """
		DO $bootstrap$
		BEGIN
			IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'admin') THEN
				CREATE ROLE admin LOGIN;
			END IF;
		END
		$bootstrap$;

		ALTER DATABASE {database} OWNER TO admin;

		-- DSQL has only the simple text-search configuration (recorded on DSQL 2026-09-18: to_tsvector('english', …) answers
		-- 42704 'text search configuration "english" does not exist'). Without the others, every way of naming one fails as
		-- on DSQL: a literal (refused at Parse by the shared rule set too), a parameter, a value read from a column. The
		-- one-argument forms use simple. A configuration something in the database depends on is left in place.
		DO $ts$
		DECLARE r record;
		BEGIN
			FOR r IN SELECT c.cfgname FROM pg_catalog.pg_ts_config c
				WHERE c.cfgnamespace = 'pg_catalog'::pg_catalog.regnamespace AND c.cfgname <> 'simple' LOOP
				BEGIN
					EXECUTE pg_catalog.format('DROP TEXT SEARCH CONFIGURATION pg_catalog.%I', r.cfgname);
				EXCEPTION WHEN dependent_objects_still_exist THEN
					NULL;
				END;
			END LOOP;
		END
		$ts$;
		ALTER DATABASE {database} SET default_text_search_config = 'pg_catalog.simple';

		CREATE SCHEMA IF NOT EXISTS sys;
		REVOKE ALL ON SCHEMA sys FROM PUBLIC;
		GRANT USAGE ON SCHEMA sys TO PUBLIC;

		CREATE TABLE IF NOT EXISTS sys.jobs (
			job_id      text        PRIMARY KEY,
			status      text        NOT NULL,
			details     text,
			job_type    text        NOT NULL,
			class_id    oid,
			object_id   oid,
			object_name text,
			start_time  timestamptz NOT NULL,
			update_time timestamptz NOT NULL
		);
		REVOKE ALL ON sys.jobs FROM PUBLIC;
		GRANT SELECT ON sys.jobs TO PUBLIC;

		CREATE TABLE IF NOT EXISTS sys.job_requests (
			job_id        text PRIMARY KEY REFERENCES sys.jobs ON DELETE CASCADE,
			role_name     name NOT NULL,
			search_path   text NOT NULL,
			statement     text NOT NULL,
			table_schema  name NOT NULL,
			table_name    name NOT NULL,
			object_schema name NOT NULL,
			object_name   name NOT NULL
		);
		REVOKE ALL ON sys.job_requests FROM PUBLIC;

		CREATE OR REPLACE FUNCTION sys.version() RETURNS text
			LANGUAGE sql IMMUTABLE PARALLEL SAFE
			AS $$ SELECT 'PostgreSQL 16'::text $$;

		CREATE OR REPLACE PROCEDURE sys.raise_error(p_sqlstate text, p_message text, p_detail text DEFAULT NULL, p_hint text DEFAULT NULL, VARIADIC p_parameters text[] DEFAULT '{}')
			LANGUAGE plpgsql
			AS $$
		BEGIN
			IF p_detail IS NULL AND p_hint IS NULL THEN
				RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = p_message;
			ELSIF p_hint IS NULL THEN
				RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = p_message, DETAIL = p_detail;
			ELSIF p_detail IS NULL THEN
				RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = p_message, HINT = p_hint;
			ELSE
				RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = p_message, DETAIL = p_detail, HINT = p_hint;
			END IF;
		END
		$$;

		CREATE OR REPLACE FUNCTION sys.new_job_id() RETURNS text
			LANGUAGE plpgsql
			AS $$
		DECLARE
			alphabet constant text := 'abcdefghijklmnopqrstuvwxyz234567';
			bytes bytea := pg_catalog.decode(pg_catalog.replace(pg_catalog.gen_random_uuid()::text, '-', ''), 'hex');
			result text := '';
			bits int := 0;
			buffer bigint := 0;
			i int;
		BEGIN
			-- 128 random bits, base32 (RFC 4648, lower case): 26 characters, the last one carrying 3 bits.
			FOR i IN 0 .. 15 LOOP
				buffer := (buffer << 8) | pg_catalog.get_byte(bytes, i);
				bits := bits + 8;
				WHILE bits >= 5 LOOP
					result := result || pg_catalog.substr(alphabet, ((buffer >> (bits - 5)) & 31)::int + 1, 1);
					bits := bits - 5;
				END LOOP;
				buffer := buffer & ((1::bigint << bits) - 1);
			END LOOP;
			RETURN result || pg_catalog.substr(alphabet, ((buffer << (5 - bits)) & 31)::int + 1, 1);
		END
		$$;
		REVOKE ALL ON FUNCTION sys.new_job_id() FROM PUBLIC;

		CREATE OR REPLACE FUNCTION sys.record_job(p_type text, p_class_id oid, p_object_id oid, p_statement text, p_search_path text,
			p_table_schema name, p_table_name name, p_object_schema name, p_object_name name, p_completed boolean)
			RETURNS text
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog
			AS $$
		DECLARE
			v_id text := sys.new_job_id();
		BEGIN
			INSERT INTO sys.jobs (job_id, status, details, job_type, class_id, object_id, object_name, start_time, update_time)
			VALUES (v_id, CASE WHEN p_completed THEN 'completed' ELSE 'submitted' END, NULL, p_type, p_class_id, p_object_id,
				p_object_schema || '.' || p_object_name, now(), now());
			IF NOT p_completed THEN
				INSERT INTO sys.job_requests (job_id, role_name, search_path, statement, table_schema, table_name, object_schema, object_name)
				VALUES (v_id, session_user, p_search_path, p_statement, p_table_schema, p_table_name, p_object_schema, p_object_name);
			END IF;
			RETURN v_id;
		END
		$$;

		-- The name PostgreSQL gives an unnamed index (ChooseIndexName): table_column[_column…]_idx[N], each part shortened
		-- to fit 63 bytes. Used when the trial build (which lets PostgreSQL choose) is skipped.
		CREATE OR REPLACE FUNCTION sys.default_index_name(p_namespace oid, p_table name, p_parts text[])
			RETURNS name
			LANGUAGE plpgsql
			AS $$
		DECLARE
			v_addition  text := '';
			v_part      text;
			v_label     text;
			v_pass      int := 0;
			v_table     text;
			v_columns   text;
			v_available int;
			v_candidate text;
		BEGIN
			FOREACH v_part IN ARRAY p_parts LOOP
				IF v_addition <> '' THEN
					v_addition := v_addition || '_';
				END IF;
				v_addition := v_addition || v_part;
				EXIT WHEN pg_catalog.octet_length(v_addition) >= 64;
			END LOOP;

			LOOP
				v_label := 'idx' || CASE WHEN v_pass = 0 THEN '' ELSE v_pass::text END;
				v_table := p_table;
				v_columns := v_addition;
				v_available := 63 - pg_catalog.length(v_label) - 1 - CASE WHEN v_columns <> '' THEN 1 ELSE 0 END;
				WHILE pg_catalog.length(v_table) + pg_catalog.length(v_columns) > v_available LOOP
					IF pg_catalog.length(v_table) > pg_catalog.length(v_columns) THEN
						v_table := pg_catalog.left(v_table, -1);
					ELSE
						v_columns := pg_catalog.left(v_columns, -1);
					END IF;
				END LOOP;

				v_candidate := v_table || CASE WHEN v_columns <> '' THEN '_' || v_columns ELSE '' END || '_' || v_label;
				EXIT WHEN NOT EXISTS (SELECT FROM pg_catalog.pg_class WHERE relname = v_candidate AND relnamespace = p_namespace);
				v_pass := v_pass + 1;
			END LOOP;

			RETURN v_candidate;
		END
		$$;

		-- Sessions of clients run with a short lock_timeout; the trial build gets less than the deadlock check's delay, so it
		-- never waits in a deadlock (see below).
		CREATE OR REPLACE FUNCTION sys.submit_index_build(p_unique boolean, p_if_not_exists boolean, p_name text, p_table text, p_only boolean,
			p_rest text, p_trial_rest text, p_name_parts text[])
			RETURNS text
			LANGUAGE plpgsql
			SET lock_timeout = '30ms'
			AS $$
		DECLARE
			v_table     regclass;
			v_schema    name;
			v_relname   name;
			v_namespace oid;
			v_before    oid[];
			v_name      text := p_name;
			v_exists    boolean := false;
			v_object    oid;
			v_trial     boolean := true;
		BEGIN
			-- The parts are executed below as one CREATE INDEX: without a ';' they cannot be more than that one statement
			-- (clients may call this function themselves; the endpoint passes parts of the statement it rewrote).
			IF pg_catalog.strpos(p_table || coalesce(p_rest, '') || coalesce(p_trial_rest, ''), ';') > 0 THEN
				RAISE EXCEPTION USING ERRCODE = '42601', MESSAGE = 'an asynchronous index definition cannot contain ";"';
			END IF;

			v_table := p_table::regclass;
			SELECT n.nspname, c.relname, c.relnamespace INTO v_schema, v_relname, v_namespace
				FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
				WHERE c.oid = v_table;

			IF p_name IS NOT NULL THEN
				SELECT c.oid INTO v_object FROM pg_catalog.pg_class c WHERE c.relname = p_name AND c.relnamespace = v_namespace;
				v_exists := FOUND;
			END IF;

			SELECT coalesce(pg_catalog.array_agg(indexrelid), '{}') INTO v_before FROM pg_catalog.pg_index WHERE indrelid = v_table;

			-- A trial build that indexes no row reports every error of the statement now (table, columns, expressions,
			-- name, privileges, DSQL's catalog rules); it is rolled back, the real build runs in the background.
			BEGIN
				EXECUTE pg_catalog.format('CREATE %sINDEX %s%s ON %s%s %s',
					CASE WHEN p_unique THEN 'UNIQUE ' ELSE '' END,
					CASE WHEN p_if_not_exists THEN 'IF NOT EXISTS ' ELSE '' END,
					coalesce(pg_catalog.quote_ident(p_name), ''),
					CASE WHEN p_only THEN 'ONLY ' ELSE '' END,
					p_table, p_trial_rest);
				IF v_name IS NULL THEN
					SELECT c.relname INTO v_name FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
						WHERE i.indrelid = v_table AND NOT (i.indexrelid = ANY (v_before));
				END IF;
				RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'aurora-dsql-local trial build';
			EXCEPTION
				WHEN raise_exception THEN
					IF SQLERRM <> 'aurora-dsql-local trial build' THEN
						RAISE;
					END IF;
				WHEN lock_not_available THEN
					-- Another build of this table is running (or a writer holds it): the trial would wait for its lock while
					-- a concurrent build waits for this transaction's snapshot, a deadlock. Skip the trial: errors of the
					-- statement then fail the job instead of the statement.
					v_trial := false;
			END;

			IF NOT v_trial THEN
				IF v_exists AND NOT p_if_not_exists THEN
					RAISE EXCEPTION USING ERRCODE = '42P07', MESSAGE = pg_catalog.format('relation "%s" already exists', p_name);
				END IF;
				IF v_name IS NULL THEN
					v_name := sys.default_index_name(v_namespace, v_relname, p_name_parts);
				END IF;
			END IF;

			RETURN sys.record_job('INDEX_BUILD', 1259, CASE WHEN v_exists THEN v_object END,
				pg_catalog.format('CREATE %sINDEX CONCURRENTLY %I ON %s%I.%I %s',
					CASE WHEN p_unique THEN 'UNIQUE ' ELSE '' END, v_name,
					CASE WHEN p_only THEN 'ONLY ' ELSE '' END, v_schema, v_relname, p_rest),
				pg_catalog.current_setting('search_path'), v_schema, v_relname, v_schema, v_name, v_exists);
		END
		$$;

		CREATE OR REPLACE FUNCTION sys.submit_validate_constraint(p_table text, p_constraint text)
			RETURNS text
			LANGUAGE plpgsql
			AS $$
		DECLARE
			v_table      regclass;
			v_schema     name;
			v_relname    name;
			v_owner      oid;
			v_constraint oid;
		BEGIN
			v_table := p_table::regclass;
			SELECT n.nspname, c.relname, c.relowner INTO v_schema, v_relname, v_owner
				FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
				WHERE c.oid = v_table;

			IF NOT pg_catalog.pg_has_role(current_user, v_owner, 'USAGE') THEN
				RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = pg_catalog.format('must be owner of table %s', v_relname);
			END IF;

			SELECT oid INTO v_constraint FROM pg_catalog.pg_constraint WHERE conrelid = v_table AND conname = p_constraint;
			IF NOT FOUND THEN
				RAISE EXCEPTION USING ERRCODE = '42704',
					MESSAGE = pg_catalog.format('constraint "%s" of relation "%s" does not exist', p_constraint, v_relname);
			END IF;

			RETURN sys.record_job('VALIDATE_CONSTRAINT', 2606, v_constraint,
				pg_catalog.format('ALTER TABLE %I.%I VALIDATE CONSTRAINT %I', v_schema, v_relname, p_constraint),
				pg_catalog.current_setting('search_path'), v_schema, v_relname, v_schema, p_constraint, false);
		END
		$$;

		-- CALL sys.wait_for_job('<id>'): the endpoint waits for the job before the call runs; the procedure reports
		-- the outcome. Being a procedure, SELECT sys.wait_for_job(...) fails with 42809 as on DSQL.
		CREATE OR REPLACE PROCEDURE sys.wait_for_job(job_id text, INOUT succeeded boolean DEFAULT NULL)
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog
			AS $$
		DECLARE
			v_status text;
		BEGIN
			-- DSQL reads a job id (26 base32 characters) as a UUID first: anything else fails as DSQL answers it
			-- (22P02 'Unable to convert text to UUID', recorded on DSQL 2026-09-15 for CALL sys.wait_for_job('no-such-job')).
			IF wait_for_job.job_id IS NULL OR wait_for_job.job_id !~ '^[a-z2-7]{26}$' THEN
				RAISE EXCEPTION USING ERRCODE = '22P02', MESSAGE = 'Unable to convert text to UUID';
			END IF;
			SELECT j.status INTO v_status FROM sys.jobs j WHERE j.job_id = wait_for_job.job_id;
			IF NOT FOUND THEN
				RAISE EXCEPTION USING ERRCODE = '42704', MESSAGE = pg_catalog.format('job "%s" does not exist', wait_for_job.job_id);
			END IF;
			IF v_status = 'completed' THEN
				succeeded := true;
			ELSIF v_status = 'failed' THEN
				succeeded := false;
			ELSE
				RAISE EXCEPTION USING ERRCODE = '55000',
					MESSAGE = pg_catalog.format('job "%s" has not finished (status: %s)', wait_for_job.job_id, v_status),
					HINT = 'sys.wait_for_job waits only outside an explicit transaction block.';
			END IF;
		END
		$$;
		""";
}
