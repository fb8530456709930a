namespace AuroraDsql.Rules;

/// <summary>
/// Matchers for statements about types. DSQL has no user-defined types but domains: it refuses CREATE, ALTER and DROP TYPE,
/// each with its own message (recorded on DSQL, 2026-09-15).
/// </summary>
static class TypeStatements
{
	/// <summary>
	/// <c>CREATE TYPE name AS (…)</c> and <c>CREATE TYPE name AS RANGE (…)</c>: DSQL names their parse nodes
	/// (<c>CompositeType</c>, <c>CreateRange</c>); other CREATE TYPE forms get <c>CREATE TYPE not supported</c>.
	/// </summary>
	public static string[]? CreateTypeKind(StatementShape s, DsqlRuleSet rules)
	{
		if (s.Verb != "create" || s.ObjectKind != "type")
			return null;
		var k = s.SkipQualifiedName(s.ObjectIndex);
		if (!s.Kw(k, "as"))
			return null;
		return s.Sym(k + 1, "(") ? ["CompositeType"] : s.Kw(k + 1, "range") ? ["CreateRange"] : null;
	}

	/// <summary><c>CREATE TYPE</c> in any other form (enums, base and shell types).</summary>
	public static string[]? CreateType(StatementShape s, DsqlRuleSet rules) => s.Verb == "create" && s.ObjectKind == "type" ? [] : null;

	/// <summary><c>ALTER TYPE</c> other than a rename (ADD VALUE, RENAME VALUE, OWNER TO, SET SCHEMA, attributes…).</summary>
	public static string[]? AlterType(StatementShape s, DsqlRuleSet rules) => s.Verb == "alter" && s.ObjectKind == "type" && !IsRename(s) ? [] : null;

	/// <summary><c>ALTER TYPE … RENAME TO</c> / <c>RENAME ATTRIBUTE</c>: refused as a rename of an object DSQL does not have.</summary>
	public static string[]? RenameType(StatementShape s, DsqlRuleSet rules) => s.Verb == "alter" && s.ObjectKind == "type" && IsRename(s) ? [] : null;

	/// <summary><c>DROP TYPE</c> (also of a domain, which DROP DOMAIN drops).</summary>
	public static string[]? DropType(StatementShape s, DsqlRuleSet rules) => s.Verb == "drop" && s.ObjectKind == "type" ? [] : null;

	static bool IsRename(StatementShape s)
	{
		var k = s.SkipQualifiedName(s.SkipIfExists(s.ObjectIndex));
		return s.Kw(k, "rename") && !s.Kw(k + 1, "value");
	}
}
