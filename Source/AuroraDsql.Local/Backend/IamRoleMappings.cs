using System.Text;
using AuroraDsql.Rules;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Backend;

/// <summary>
/// DSQL's mapping of IAM identities to custom database roles, created by <see cref="BackendBootstrap"/> (idempotently, as
/// the superuser): the mappings are rows of <c>sys.iam_role_mapping_store</c> (no client may read or write it), shown by
/// the read-only view <c>sys.iam_pg_role_mappings</c> with DSQL's columns, and changed only by <c>sys.aws_iam_grant</c> and
/// <c>sys.aws_iam_revoke</c> (the endpoint rewrites <c>AWS IAM GRANT role TO 'arn'</c> and <c>AWS IAM REVOKE role FROM 'arn'</c>
/// to them), which admin alone may call. A role's mappings go with it when it is dropped. At login, a DbConnect token is
/// accepted for a role only when the identity that signed it is mapped to the role (see <c>Proxy/ClientSession.Startup</c>).
/// </summary>
static class IamRoleMappings
{
	/// <summary>The ARNs <c>AWS IAM GRANT</c> accepts: an IAM role or user of any partition, with an optional path.</summary>
	public const string ArnPattern = "^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/([!-~]+/)*[A-Za-z0-9+=,.@_-]+$";

	/// <summary>
	/// The query answering one row when <paramref name="arn"/> is mapped to <paramref name="role"/>; run in the new session
	/// before the client gets it, qualified throughout so that no setting of the role can change what it means.
	/// </summary>
	public static string IsMappedQuery(string role, string arn) =>
		"SELECT 1 FROM sys.iam_pg_role_mappings WHERE pg_role_name OPERATOR(pg_catalog.=) " + SqlText.QuoteLiteral(role) + "::pg_catalog.name" +
		" AND arn OPERATOR(pg_catalog.=) " + SqlText.QuoteLiteral(arn) + "::pg_catalog.text";

	/// <summary>The SQL creating the above.</summary>
	public static string Script()
	{
		var script = new StringBuilder(Template);
		script.Replace("{arn_pattern}", SqlText.QuoteLiteral(ArnPattern));
		foreach (var id in new[] { "iam-mapping-admin", "iam-mapping-role", "iam-arn", "iam-mapping-missing" })
		{
			var rule = DsqlRuleCatalog.All.Single(r => r.Id == id);
			script.Replace("{message:" + id + "}", SqlText.QuoteLiteral(rule.Message.Replace("{0}", "%s", StringComparison.Ordinal).Replace("{1}", "%s", StringComparison.Ordinal)));
			script.Replace("{hint:" + id + "}", SqlText.QuoteLiteral(rule.Hint!));
		}

		return script.ToString();
	}

	const string Template = """
		CREATE TABLE IF NOT EXISTS sys.iam_role_mapping_store (
			iam_oid             bigint GENERATED ALWAYS AS IDENTITY (START WITH 26000) PRIMARY KEY,
			arn                 text NOT NULL,
			pg_role_oid         oid  NOT NULL,
			grantor_pg_role_oid oid  NOT NULL,
			UNIQUE (arn, pg_role_oid)
		);
		REVOKE ALL ON sys.iam_role_mapping_store FROM PUBLIC;

		CREATE OR REPLACE VIEW sys.iam_pg_role_mappings AS
			SELECT m.iam_oid::oid AS iam_oid, m.arn, m.pg_role_oid, r.rolname AS pg_role_name,
				m.grantor_pg_role_oid, g.rolname AS grantor_pg_role_name
			FROM sys.iam_role_mapping_store m
			JOIN pg_catalog.pg_roles r ON r.oid = m.pg_role_oid
			LEFT JOIN pg_catalog.pg_roles g ON g.oid = m.grantor_pg_role_oid;
		REVOKE ALL ON sys.iam_pg_role_mappings FROM PUBLIC;
		GRANT SELECT ON sys.iam_pg_role_mappings TO PUBLIC;

		-- The role a mapping names: an ordinary role other than admin (whose tokens are DbConnectAdmin tokens).
		CREATE OR REPLACE FUNCTION sys.iam_mapping_role(p_role text, p_arn text) RETURNS oid
			LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
			AS $$
		DECLARE
			v_oid oid;
		BEGIN
			IF session_user <> 'admin' THEN
				RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = {message:iam-mapping-admin}, HINT = {hint:iam-mapping-admin};
			END IF;
			SELECT oid INTO v_oid FROM pg_roles WHERE rolname = p_role;
			IF NOT FOUND THEN
				RAISE EXCEPTION USING ERRCODE = '42704', MESSAGE = format('role "%s" does not exist', p_role);
			END IF;
			IF p_role = 'admin' OR NOT sys.is_ordinary_role(v_oid) THEN
				RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format({message:iam-mapping-role}, p_role), HINT = {hint:iam-mapping-role};
			END IF;
			IF p_arn IS NULL OR p_arn !~ {arn_pattern} THEN
				RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format({message:iam-arn}, coalesce(p_arn, '')), HINT = {hint:iam-arn};
			END IF;
			RETURN v_oid;
		END
		$$;
		REVOKE ALL ON FUNCTION sys.iam_mapping_role(text, text) FROM PUBLIC;

		CREATE OR REPLACE PROCEDURE sys.aws_iam_grant(p_role text, p_arn text)
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
			AS $$
		DECLARE
			v_role oid := sys.iam_mapping_role(p_role, p_arn);
		BEGIN
			INSERT INTO sys.iam_role_mapping_store (arn, pg_role_oid, grantor_pg_role_oid)
				SELECT p_arn, v_role, r.oid FROM pg_roles r WHERE r.rolname = session_user
				ON CONFLICT (arn, pg_role_oid) DO NOTHING;
		END
		$$;

		CREATE OR REPLACE PROCEDURE sys.aws_iam_revoke(p_role text, p_arn text)
			LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
			AS $$
		DECLARE
			v_role oid := sys.iam_mapping_role(p_role, p_arn);
		BEGIN
			DELETE FROM sys.iam_role_mapping_store WHERE arn = p_arn AND pg_role_oid = v_role;
			IF NOT FOUND THEN
				RAISE EXCEPTION USING ERRCODE = '42704', MESSAGE = format({message:iam-mapping-missing}, p_arn, p_role), HINT = {hint:iam-mapping-missing};
			END IF;
		END
		$$;
		""";
}
