using System.Text;
using AuroraDsql.Local.Classification;
using AuroraDsql.Rules;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Enforcement;

/// <summary>
/// Role management statements → calls of the backend's checked procedures (see <c>Backend/BackendHardening</c>), because
/// the roles clients log in as have no CREATEROLE:
/// <list type="bullet">
/// <item><c>CREATE ROLE|USER|GROUP name [WITH] options</c> → <c>CALL sys.create_role(…)</c>;</item>
/// <item><c>ALTER ROLE|USER name [WITH] options</c>, <c>… RENAME TO</c>, <c>ALTER GROUP g ADD|DROP USER …</c>;</item>
/// <item><c>DROP ROLE|USER|GROUP [IF EXISTS] …</c>;</item>
/// <item><c>GRANT role, … TO role, … [WITH ADMIN OPTION]</c>, <c>REVOKE [ADMIN OPTION FOR] role, … FROM role, … [CASCADE]</c>;</item>
/// <item>DSQL's <c>AWS IAM GRANT role TO 'arn'</c> and <c>AWS IAM REVOKE role FROM 'arn'</c> (see <c>Backend/IamRoleMappings</c>).</item>
/// </list>
/// The procedures check the caller and every role involved themselves (clients may call them directly). A form not
/// recognized here is left as it is: it then fails in the backend for lack of CREATEROLE, as nothing else can do it.
/// </summary>
static class RoleStatementRewriter
{
	static readonly string[] Attributes =
	[
		"superuser", "nosuperuser", "createdb", "nocreatedb", "createrole", "nocreaterole", "inherit", "noinherit", "login", "nologin",
		"replication", "noreplication", "bypassrls", "nobypassrls",
	];

	/// <summary>The plan replacing a role management statement, or <see langword="null"/> for any other statement.</summary>
	public static StatementPlan? Rewrite(StatementShape s)
	{
		if (s.IsExplain || s.IsPrepare || s.Statement.HasLexicalError)
			return null;

		return s.Verb switch
		{
			"create" when s.ObjectKind is "role" or "user" or "group" => Create(s),
			"alter" when s.ObjectKind is "role" or "user" or "group"  => Alter(s),
			"drop" when s.ObjectKind is "role" or "user" or "group"   => Drop(s),
			"grant"                                                    => Grant(s),
			"revoke"                                                   => Revoke(s),
			"aws" when s.Kw(s.First + 1, "iam")                        => IamMapping(s),
			_                                                          => null,
		};
	}

	static StatementPlan? Create(StatementShape s)
	{
		if (s.Name(s.ObjectIndex) is not { } name)
			return null;

		var options = new List<(string Name, string? Value)>();
		List<string> inRoles = [], roles = [], admins = [];
		var k = s.ObjectIndex + 1;
		if (s.Kw(k, "with"))
			k++;

		while (k < s.Count)
		{
			if (ReadOption(s, ref k, options))
				continue;

			List<string>? list = null;
			if (s.Kw(k, "in") && s.KwAny(k + 1, "role", "group"))
			{
				list = inRoles;
				k += 2;
			}
			else if (s.KwAny(k, "role", "user"))
			{
				list = roles;
				k++;
			}
			else if (s.Kw(k, "admin"))
			{
				list = admins;
				k++;
			}
			else if (s.Kw(k, "sysid") && k + 1 < s.Count && s.Tokens[k + 1].Kind == TokenKind.Number)
			{
				k += 2; // ignored by PostgreSQL too
				continue;
			}

			if (list is null || !ReadRoleList(s, ref k, list))
				return null;
		}

		var sql = new StringBuilder("CALL sys.create_role(");
		sql.Append(SqlText.QuoteLiteral(name)).Append(", ").Append(SqlText.QuoteLiteral(s.ObjectKind)).Append(", ");
		AppendOptions(sql, options);
		sql.Append(", ").Append(TextArray(inRoles)).Append(", ").Append(TextArray(roles)).Append(", ").Append(TextArray(admins)).Append(')');
		return Plan(sql, "CREATE ROLE");
	}

	static StatementPlan? Alter(StatementShape s)
	{
		var k = s.ObjectIndex;
		if (RoleSpec(s, k) is not { } role)
			return null;
		k++;

		// ALTER … RENAME TO new
		if (s.Kw(k, "rename") && s.Kw(k + 1, "to") && s.Name(k + 2) is { } newName && k + 3 == s.Count)
			return Plan(new StringBuilder($"CALL sys.rename_role({role}, {SqlText.QuoteLiteral(newName)})"), "ALTER ROLE");

		// ALTER GROUP g ADD|DROP USER u, …
		if (s.ObjectKind == "group")
		{
			if (!s.KwAny(k, "add", "drop") || !s.Kw(k + 1, "user"))
				return null;
			var add = s.Kw(k, "add");
			k += 2;
			var members = new List<string>();
			if (!ReadRoleList(s, ref k, members) || k != s.Count)
				return null;
			return Plan(new StringBuilder(add
				? $"CALL sys.grant_roles(ARRAY[{role}]::text[], {TextArray(members)}, false)"
				: $"CALL sys.revoke_roles(ARRAY[{role}]::text[], {TextArray(members)}, false, false)"), "ALTER ROLE");
		}

		// ALTER ROLE|USER r [WITH] options (SET/RESET/IN DATABASE are left to the backend)
		if (s.Kw(k, "with"))
			k++;
		var options = new List<(string Name, string? Value)>();
		while (k < s.Count)
		{
			if (!ReadOption(s, ref k, options))
				return null;
		}

		var sql = new StringBuilder("CALL sys.alter_role(").Append(role).Append(", ");
		AppendOptions(sql, options);
		sql.Append(')');
		return Plan(sql, "ALTER ROLE");
	}

	static StatementPlan? Drop(StatementShape s)
	{
		var k = s.ObjectIndex;
		var ifExists = s.Kw(k, "if") && s.Kw(k + 1, "exists");
		if (ifExists)
			k += 2;

		var names = new List<string>();
		if (!ReadRoleList(s, ref k, names) || k != s.Count)
			return null;

		return Plan(new StringBuilder($"CALL sys.drop_roles({TextArray(names)}, {(ifExists ? "true" : "false")})"), "DROP ROLE");
	}

	/// <summary><c>GRANT role, … TO role, … [WITH ADMIN OPTION | WITH ADMIN TRUE|FALSE]</c> (no <c>ON</c>: not privileges).</summary>
	static StatementPlan? Grant(StatementShape s)
	{
		var k = s.First + 1;
		var roles = new List<string>();
		if (!ReadRoleList(s, ref k, roles) || !s.Kw(k, "to"))
			return null;
		k++;

		var members = new List<string>();
		if (!ReadRoleList(s, ref k, members))
			return null;

		var adminOption = false;
		if (s.Kw(k, "with") && s.Kw(k + 1, "admin"))
		{
			if (s.KwAny(k + 2, "option", "true"))
				adminOption = true;
			else if (!s.Kw(k + 2, "false"))
				return null;
			k += 3;
		}

		if (k != s.Count)
			return null;

		return Plan(new StringBuilder($"CALL sys.grant_roles({TextArray(roles)}, {TextArray(members)}, {(adminOption ? "true" : "false")})"), "GRANT ROLE");
	}

	/// <summary><c>REVOKE [ADMIN OPTION FOR] role, … FROM role, … [CASCADE | RESTRICT]</c>.</summary>
	static StatementPlan? Revoke(StatementShape s)
	{
		var k = s.First + 1;
		var adminOption = s.Kw(k, "admin") && s.Kw(k + 1, "option") && s.Kw(k + 2, "for");
		if (adminOption)
			k += 3;

		var roles = new List<string>();
		if (!ReadRoleList(s, ref k, roles) || !s.Kw(k, "from"))
			return null;
		k++;

		var members = new List<string>();
		if (!ReadRoleList(s, ref k, members))
			return null;

		var cascade = s.Kw(k, "cascade");
		if (cascade || s.Kw(k, "restrict"))
			k++;
		if (k != s.Count)
			return null;

		return Plan(new StringBuilder(
			$"CALL sys.revoke_roles({TextArray(roles)}, {TextArray(members)}, {(adminOption ? "true" : "false")}, {(cascade ? "true" : "false")})"), "REVOKE ROLE");
	}

	/// <summary><c>AWS IAM GRANT role TO 'arn'</c>, <c>AWS IAM REVOKE role FROM 'arn'</c>; any other form is a syntax error, as on DSQL.</summary>
	static StatementPlan IamMapping(StatementShape s)
	{
		var k = s.First + 2;
		var grant = s.Kw(k, "grant");
		if ((grant || s.Kw(k, "revoke")) && s.Name(k + 1) is { } role && s.Kw(k + 2, grant ? "to" : "from")
			&& StringAt(s, k + 3) is { } arn && k + 4 == s.Count)
		{
			return Plan(new StringBuilder($"CALL sys.{(grant ? "aws_iam_grant" : "aws_iam_revoke")}({SqlText.QuoteLiteral(role)}, {SqlText.QuoteLiteral(arn)})"),
				grant ? "AWS IAM GRANT" : "AWS IAM REVOKE");
		}

		// The first token that does not fit the grammar.
		var at = !(grant || s.Kw(k, "revoke")) ? k
			: s.Name(k + 1) is null ? k + 1
			: !s.Kw(k + 2, grant ? "to" : "from") ? k + 2
			: StringAt(s, k + 3) is null ? k + 3
			: k + 4;
		var message = at < s.Count ? $"syntax error at or near \"{s.TokenText(at)}\"" : "syntax error at end of input";
		return StatementPlan.Refuse(s.Statement, "42601", message, hint: "Write AWS IAM GRANT role TO 'arn' or AWS IAM REVOKE role FROM 'arn'.");
	}

	/// <summary>One role attribute option at <paramref name="k"/>; false (k unchanged) when there is none.</summary>
	static bool ReadOption(StatementShape s, ref int k, List<(string Name, string? Value)> options)
	{
		if (k < s.Count && s.Tokens[k].Kind == TokenKind.Identifier && Array.IndexOf(Attributes, s.Lower(k)) >= 0)
		{
			options.Add((s.Lower(k), null));
			k++;
			return true;
		}

		if (s.Kw(k, "connection") && s.Kw(k + 1, "limit"))
		{
			var j = k + 2;
			var negative = s.Sym(j, "-");
			if (negative)
				j++;
			if (j >= s.Count || s.Tokens[j].Kind != TokenKind.Number)
				return false;
			options.Add(("connection limit", (negative ? "-" : "") + s.TokenText(j)));
			k = j + 1;
			return true;
		}

		var p = k;
		if (s.KwAny(p, "encrypted", "unencrypted"))
			p++;
		if (s.Kw(p, "password"))
		{
			if (s.Kw(p + 1, "null"))
			{
				options.Add(("password", null));
				k = p + 2;
				return true;
			}

			if (StringAt(s, p + 1) is not { } password)
				return false;
			options.Add(("password", password));
			k = p + 2;
			return true;
		}

		if (s.Kw(k, "valid") && s.Kw(k + 1, "until") && StringAt(s, k + 2) is { } until)
		{
			options.Add(("valid until", until));
			k += 3;
			return true;
		}

		return false;
	}

	static string? StringAt(StatementShape s, int index) =>
		index < s.Count && s.Tokens[index].Kind == TokenKind.String
			? SqlText.StringValue(s.Text, s.Tokens[index], s.Statement.StandardConformingStrings)
			: null;

	/// <summary>A role specification as an SQL text expression: a quoted name, or <c>current_user</c>, <c>session_user</c>.</summary>
	static string? RoleSpec(StatementShape s, int k)
	{
		if (s.KwAny(k, "current_user", "current_role"))
			return "current_user::text";
		if (s.Kw(k, "session_user"))
			return "session_user::text";
		if (s.Kw(k, "public") || s.Kw(k, "all"))
			return null;
		return s.Name(k) is { } name ? SqlText.QuoteLiteral(name) : null;
	}

	static bool ReadRoleList(StatementShape s, ref int k, List<string> roles)
	{
		while (true)
		{
			if (RoleSpec(s, k) is not { } role)
				return false;
			roles.Add(role);
			k++;
			if (!s.Sym(k, ","))
				return true;
			k++;
		}
	}

	static string TextArray(List<string> roles) => "ARRAY[" + string.Join(", ", roles) + "]::text[]";

	static void AppendOptions(StringBuilder sql, List<(string Name, string? Value)> options)
	{
		sql.Append("ARRAY[").AppendJoin(", ", options.Select(o => SqlText.QuoteLiteral(o.Name))).Append("]::text[], ARRAY[");
		sql.AppendJoin(", ", options.Select(o => o.Value is null ? "NULL" : SqlText.QuoteLiteral(o.Value))).Append("]::text[]");
	}

	static StatementPlan Plan(StringBuilder sql, string tag) => new() { Sql = sql.ToString(), CommandTag = tag };
}
