namespace AuroraDsql.Rules;

/// <summary>
/// Matchers for statements about types. DSQL has no user-defined types but domains: it refuses CREATE, ALTER and DROP TYPE,
/// each with its own message (recorded on DSQL, 2026-09-15, for CREATE TYPE … AS ENUM/AS (…)/AS RANGE, ALTER TYPE … ADD
/// VALUE, ALTER TYPE … RENAME TO and DROP TYPE; the other ALTER TYPE forms are matched apart, their texts not recorded).
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

	/// <summary><c>ALTER TYPE … ADD VALUE</c> (the form recorded on DSQL).</summary>
	public static string[]? AlterTypeAddValue(StatementShape s, DsqlRuleSet rules) =>
		s.Verb == "alter" && s.ObjectKind == "type" && s.Kw(AfterName(s), "add") && s.Kw(AfterName(s) + 1, "value") ? [] : null;

	/// <summary><c>ALTER TYPE</c> other than ADD VALUE and renames (RENAME VALUE, OWNER TO, SET SCHEMA, attributes…).</summary>
	public static string[]? AlterTypeOther(StatementShape s, DsqlRuleSet rules) =>
		s.Verb == "alter" && s.ObjectKind == "type" && !IsRename(s) && AlterTypeAddValue(s, rules) == null ? [] : null;

	/// <summary><c>ALTER TYPE … RENAME TO</c>: refused as a rename of an object DSQL does not have (recorded on DSQL).</summary>
	public static string[]? RenameType(StatementShape s, DsqlRuleSet rules) =>
		s.Verb == "alter" && s.ObjectKind == "type" && IsRename(s) && !IsRenameAttribute(s) ? [] : null;

	/// <summary><c>ALTER TYPE … RENAME ATTRIBUTE</c>: taken to be refused like the other renames of a type.</summary>
	public static string[]? RenameTypeAttribute(StatementShape s, DsqlRuleSet rules) =>
		s.Verb == "alter" && s.ObjectKind == "type" && IsRenameAttribute(s) ? [] : null;

	/// <summary><c>DROP TYPE</c> (also of a domain, which DROP DOMAIN drops).</summary>
	public static string[]? DropType(StatementShape s, DsqlRuleSet rules) => s.Verb == "drop" && s.ObjectKind == "type" ? [] : null;

	static int AfterName(StatementShape s) => s.SkipQualifiedName(s.SkipIfExists(s.ObjectIndex));

	static bool IsRename(StatementShape s)
	{
		var k = AfterName(s);
		return s.Kw(k, "rename") && !s.Kw(k + 1, "value");
	}

	static bool IsRenameAttribute(StatementShape s)
	{
		var k = AfterName(s);
		return s.Kw(k, "rename") && s.Kw(k + 1, "attribute");
	}
}
