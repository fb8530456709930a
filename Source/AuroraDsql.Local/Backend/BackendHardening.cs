using System.Text;
using AuroraDsql.Rules;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Backend;

/// <summary>
/// What keeps the roles clients log in as (admin included) ordinary roles of the backend, whatever SQL reaches it,
/// created by <see cref="BackendBootstrap"/> (idempotently, as the superuser). The same on PostgreSQL 15 and 16: nothing
/// here relies on what CREATEROLE means in a particular version, because no client role has it.
/// <list type="bullet">
/// <item><c>admin</c> has no CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS, and no role but a superuser is a member of a
/// predefined role (<c>pg_execute_server_program</c>, <c>pg_read_server_files</c>, <c>pg_write_server_files</c>,
/// <c>pg_write_all_data</c>…): no path to server-side programs or files, nor to other roles' data.</item>
/// <item>Role management goes through <c>sys.create_role</c>, <c>sys.alter_role</c>, <c>sys.rename_role</c>,
/// <c>sys.drop_roles</c>, <c>sys.grant_roles</c> and <c>sys.revoke_roles</c> (the endpoint rewrites CREATE/ALTER/DROP ROLE
/// and GRANT/REVOKE of roles to them): they run as the superuser for admin (and roles granted admin) and take part only
/// in ordinary roles: no superuser, no predefined role, no CREATEROLE/CREATEDB/REPLICATION/BYPASSRLS, nor a member of such
/// a role; admin itself cannot be changed or dropped. Anything else about roles fails in the backend for lack of CREATEROLE.</item>
/// <item>Clients may not execute <c>pg_catalog.set_config</c> (a function can be reached by text the endpoint never
/// sees, such as <c>query_to_xml('SELECT set_config(…)')</c>): <c>sys.set_config</c> sets only what SET may, and
/// <c>client_encoding</c> only to UTF-8; the endpoint rewrites clients' calls to it.</item>
/// <item>PL/pgSQL is not usable by clients (DSQL has only SQL functions); untrusted languages never were.</item>
/// </list>
/// </summary>
static class BackendHardening
{
	/// <summary>The SQL applying the above.</summary>
	public static string Script()
	{
		var script = new StringBuilder(Template);
		script.Replace("{settable}", "ARRAY[" + string.Join(", ", DsqlRuleCatalog.SettableParameters.Select(SqlText.QuoteLiteral)) + "]::text[]");
		var setParameter = DsqlRuleCatalog.All.Single(r => r.Id == "set-parameter");
		var clientEncoding = DsqlRuleCatalog.All.Single(r => r.Id == "client-encoding");
		script.Replace("{message:set-parameter}", SqlText.QuoteLiteral(setParameter.Message.Replace("{0}", "%s", StringComparison.Ordinal)));
		script.Replace("{hint:set-parameter}", SqlText.QuoteLiteral(setParameter.Hint!));
		script.Replace("{message:client-encoding}", SqlText.QuoteLiteral(clientEncoding.Message.Replace("{0}", "%s", StringComparison.Ordinal)));
		script.Replace("{hint:client-encoding}", SqlText.QuoteLiteral(clientEncoding.Hint!));
		return script.ToString();
	}

	const string Template = """
		-- ---- client roles are ordinary roles ------------------------------------------------------------------------
		ALTER ROLE admin NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

		DO $hardening$
		DECLARE
			v_grant record;
		BEGIN
			-- Memberships in predefined roles (granted while admin still had CREATEROLE, or by hand) are taken back from every
			-- role but superusers: pg_execute_server_program runs programs on the host, pg_*_server_files reach its files.
			FOR v_grant IN SELECT r.rolname AS granted, m.rolname AS member, g.rolname AS grantor
				FROM pg_catalog.pg_auth_members am
				JOIN pg_catalog.pg_roles r ON r.oid = am.roleid
				JOIN pg_catalog.pg_roles m ON m.oid = am.member
				JOIN pg_catalog.pg_roles g ON g.oid = am.grantor
				WHERE r.oid < 16384 AND r.rolname <> 'pg_database_owner' AND m.oid >= 16384 AND NOT m.rolsuper
			LOOP
				EXECUTE pg_catalog.format('REVOKE %I FROM %I GRANTED BY %I CASCADE', v_grant.granted, v_grant.member, v_grant.grantor);
			END LOOP;
		END
		$hardening$;

		REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC;

		-- ---- run-time parameters ---------------------------------------------------------------------------------------
		REVOKE EXECUTE ON FUNCTION pg_catalog.set_config(text, text, boolean) FROM PUBLIC;

		CREATE OR REPLACE FUNCTION sys.check_setting(p_name text, p_value text) RETURNS boolean
			LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
			AS $$
		BEGIN
			IF p_name IS NULL OR NOT (lower(p_name) = ANY ({settable})) THEN
				RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format({message:set-parameter}, coalesce(p_name, '')), HINT = {hint:set-parameter};
			END IF;
			-- PostgreSQL ignores case and anything but letters and digits in encoding names.
			IF lower(p_name) = 'client_encoding'
				AND NOT (regexp_replace(lower(coalesce(p_value, '')), '[^a-z0-9]', '', 'g') = ANY (ARRAY['utf8', 'unicode', 'sqlascii'])) THEN
				RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format({message:client-encoding}, coalesce(p_value, '')), HINT = {hint:client-encoding};
			END IF;
			RETURN true;
		END
		$$;

		-- SQL, qualified throughout (no search_path lookup can reach a client's object); without a SET clause, so that the
		-- setting outlives the call as set_config's does.
		CREATE OR REPLACE FUNCTION sys.set_config(p_name text, p_value text, p_local boolean) RETURNS text
			LANGUAGE sql SECURITY DEFINER
			AS $$ SELECT CASE WHEN sys.check_setting(p_name, p_value) THEN pg_catalog.set_config(p_name, p_value, p_local) END $$;

		-- ---- role management -------------------------------------------------------------------------------------------
		CREATE OR REPLACE FUNCTION sys.is_ordinary_role(p_role oid) RETURNS boolean
			LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
			AS $$
			SELECT r.oid >= 16384 AND NOT r.rolsuper AND NOT r.rolcreaterole AND NOT r.rolcreatedb AND NOT r.rolreplication AND NOT r.rolbypassrls
				AND NOT EXISTS (SELECT FROM pg_roles x
					WHERE x.oid <> r.oid AND x.rolname <> 'pg_database_owner' AND pg_has_role(r.oid, x.oid, 'MEMBER')
						AND (x.oid < 16384 OR x.rolsuper OR x.rolcreaterole OR x.rolcreatedb OR x.rolreplication OR x.rolbypassrls))
			FROM pg_roles r WHERE r.oid = p_role
			$$;

		CREATE OR REPLACE FUNCTION sys.check_role_manager(p_action text) RETURNS void
			LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
			AS $$
		BEGIN
			IF NOT pg_has_role(session_user, 'admin', 'MEMBER') THEN
				RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format('permission denied to %s role', p_action),
					DETAIL = 'Only admin (and roles granted admin) may create, change or drop roles and grant or revoke role membership.';
			END IF;
		END
		$$;

		-- p_admin_allowed: admin may take part (as a granted role or a member), not be changed itself.
		CREATE OR REPLACE FUNCTION sys.check_ordinary_role(p_role text, p_action text, p_admin_allowed boolean) RETURNS void
			LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
			AS $$
		DECLARE
			v_oid oid;
		BEGIN
			SELECT oid INTO v_oid FROM pg_roles WHERE rolname = p_role;
			IF NOT FOUND THEN
				RAISE EXCEPTION USING ERRCODE = '42704', MESSAGE = format('role "%s" does not exist', p_role);
			END IF;
			IF (p_role = 'admin' AND NOT p_admin_allowed) OR NOT sys.is_ordinary_role(v_oid) THEN
				RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format('permission denied to %s role "%s"', p_action, p_role),
					DETAIL = CASE WHEN p_role = 'admin' THEN 'Role "admin" belongs to the endpoint: it cannot be changed or dropped.'
						ELSE 'Only ordinary roles can take part: not superusers, predefined roles, roles with CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS, or their members.' END;
			END IF;
		END
		$$;

		CREATE OR REPLACE FUNCTION sys.role_options(p_options text[], p_values text[], p_action text) RETURNS text
			LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
			AS $$
		DECLARE
			v_sql text := '';
			v_option text;
			i int;
		BEGIN
			FOR i IN 1 .. coalesce(array_length(p_options, 1), 0) LOOP
				v_option := lower(p_options[i]);
				CASE
					WHEN v_option IN ('login', 'nologin', 'inherit', 'noinherit', 'nosuperuser', 'nocreatedb', 'nocreaterole', 'noreplication', 'nobypassrls') THEN
						v_sql := v_sql || ' ' || upper(v_option);
					WHEN v_option IN ('superuser', 'createdb', 'createrole', 'replication', 'bypassrls') THEN
						RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format('permission denied to %s role', p_action),
							DETAIL = format('Only roles with the %s attribute may %s roles with the %s attribute.', upper(v_option),
								CASE WHEN p_action = 'create' THEN 'create' ELSE 'change' END, upper(v_option));
					WHEN v_option = 'connection limit' THEN
						v_sql := v_sql || ' CONNECTION LIMIT ' || (p_values[i])::int;
					WHEN v_option = 'password' THEN
						v_sql := v_sql || ' PASSWORD ' || quote_nullable(p_values[i]);
					WHEN v_option = 'valid until' AND p_values[i] IS NOT NULL THEN
						v_sql := v_sql || ' VALID UNTIL ' || quote_literal(p_values[i]);
					ELSE
						RAISE EXCEPTION USING ERRCODE = '42601', MESSAGE = format('unrecognized role option "%s"', p_options[i]);
				END CASE;
			END LOOP;
			RETURN v_sql;
		END
		$$;

		CREATE OR REPLACE FUNCTION sys.role_list(p_roles text[], p_action text, p_admin_allowed boolean) RETURNS text
			LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
			AS $$
		DECLARE
			v_role text;
		BEGIN
			FOREACH v_role IN ARRAY coalesce(p_roles, '{}') LOOP
				PERFORM sys.check_ordinary_role(v_role, p_action, p_admin_allowed);
			END LOOP;
			RETURN (SELECT string_agg(quote_ident(r), ', ') FROM unnest(p_roles) r);
		END
		$$;

		CREATE OR REPLACE PROCEDURE sys.create_role(p_name text, p_kind text, p_options text[], p_values text[], p_in_roles text[], p_roles text[], p_admins text[])
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
			AS $$
		DECLARE
			v_sql text;
		BEGIN
			PERFORM sys.check_role_manager('create');
			v_sql := format('CREATE ROLE %I', p_name);
			IF lower(p_kind) = 'user' AND NOT (ARRAY['login', 'nologin'] && coalesce((SELECT array_agg(lower(o)) FROM unnest(p_options) o), '{}')) THEN
				v_sql := v_sql || ' LOGIN';
			END IF;
			v_sql := v_sql || sys.role_options(p_options, p_values, 'create');
			IF cardinality(p_in_roles) > 0 THEN
				v_sql := v_sql || ' IN ROLE ' || sys.role_list(p_in_roles, 'grant', true);
			END IF;
			IF cardinality(p_roles) > 0 THEN
				v_sql := v_sql || ' ROLE ' || sys.role_list(p_roles, 'grant', true);
			END IF;
			IF cardinality(p_admins) > 0 THEN
				v_sql := v_sql || ' ADMIN ' || sys.role_list(p_admins, 'grant', true);
			END IF;
			EXECUTE v_sql;
		END
		$$;

		CREATE OR REPLACE PROCEDURE sys.alter_role(p_name text, p_options text[], p_values text[])
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
			AS $$
		BEGIN
			PERFORM sys.check_role_manager('alter');
			PERFORM sys.check_ordinary_role(p_name, 'alter', false);
			EXECUTE format('ALTER ROLE %I', p_name) || sys.role_options(p_options, p_values, 'alter');
		END
		$$;

		CREATE OR REPLACE PROCEDURE sys.rename_role(p_name text, p_new_name text)
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
			AS $$
		BEGIN
			PERFORM sys.check_role_manager('rename');
			PERFORM sys.check_ordinary_role(p_name, 'rename', false);
			EXECUTE format('ALTER ROLE %I RENAME TO %I', p_name, p_new_name);
		END
		$$;

		CREATE OR REPLACE PROCEDURE sys.drop_roles(p_names text[], p_if_exists boolean)
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
			AS $$
		DECLARE
			v_name text;
		BEGIN
			PERFORM sys.check_role_manager('drop');
			FOREACH v_name IN ARRAY coalesce(p_names, '{}') LOOP
				IF p_if_exists AND NOT EXISTS (SELECT FROM pg_roles WHERE rolname = v_name) THEN
					RAISE NOTICE 'role "%" does not exist, skipping', v_name;
					CONTINUE;
				END IF;
				PERFORM sys.check_ordinary_role(v_name, 'drop', false);
				-- The role's IAM identity mappings go with it (see IamRoleMappings).
				DELETE FROM sys.iam_role_mapping_store WHERE pg_role_oid = (SELECT oid FROM pg_roles WHERE rolname = v_name);
				EXECUTE format('DROP ROLE %I', v_name);
			END LOOP;
		END
		$$;

		CREATE OR REPLACE PROCEDURE sys.grant_roles(p_roles text[], p_members text[], p_admin_option boolean)
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
			AS $$
		BEGIN
			PERFORM sys.check_role_manager('grant');
			EXECUTE format('GRANT %s TO %s', sys.role_list(p_roles, 'grant', true), sys.role_list(p_members, 'grant', true))
				|| CASE WHEN p_admin_option THEN ' WITH ADMIN OPTION' ELSE '' END;
		END
		$$;

		CREATE OR REPLACE PROCEDURE sys.revoke_roles(p_roles text[], p_members text[], p_admin_option boolean, p_cascade boolean)
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
			AS $$
		BEGIN
			PERFORM sys.check_role_manager('revoke');
			EXECUTE format('REVOKE %s%s FROM %s', CASE WHEN p_admin_option THEN 'ADMIN OPTION FOR ' ELSE '' END,
				sys.role_list(p_roles, 'revoke', true), sys.role_list(p_members, 'revoke', true))
				|| CASE WHEN p_cascade THEN ' CASCADE' ELSE '' END;
		END
		$$;

		REVOKE ALL ON FUNCTION sys.is_ordinary_role(oid), sys.check_role_manager(text), sys.check_ordinary_role(text, text, boolean),
			sys.role_options(text[], text[], text), sys.role_list(text[], text, boolean) FROM PUBLIC;
		""";
}
