using AuroraDsql.Sql;

namespace AuroraDsql.Rules;

/// <summary>
/// Matchers for built-in features DSQL refuses when a statement uses them (not only in DDL): text-search configurations
/// other than <c>simple</c>, and geometric types in expressions. Recorded on DSQL 2026-09-18: <c>to_tsvector('english', …)</c>
/// fails with 42704 <c>text search configuration "english" does not exist</c>, <c>line(…)</c> and <c>circle(…)</c> with
/// 0A000 <c>datatype line not supported</c>.
/// </summary>
static class RuntimeFeatures
{
	/// <summary>Functions whose first of several arguments is a text-search configuration.</summary>
	static readonly HashSet<string> ConfigurationFunctions = new(StringComparer.Ordinal)
	{
		"to_tsvector", "to_tsquery", "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery", "ts_headline",
		"json_to_tsvector", "jsonb_to_tsvector", "ts_debug",
	};

	/// <summary>PostgreSQL's geometric types (and their constructor functions).</summary>
	static readonly HashSet<string> GeometricTypes = new(StringComparer.Ordinal) { "point", "line", "lseg", "box", "path", "polygon", "circle" };

	/// <summary>
	/// A text-search configuration other than <c>simple</c>, as a literal first argument of a text-search function (of two
	/// or more arguments) or cast to <c>regconfig</c>: its name as written.
	/// </summary>
	public static string[]? TextSearchConfiguration(StatementShape s, DsqlRuleSet rules)
	{
		for (var k = s.First; k < s.Count; k++)
		{
			if (s.Tokens[k].Kind != TokenKind.String)
				continue;

			var configuration =
				(k >= 2 && s.Sym(k - 1, "(") && s.Name(k - 2) is { } function && ConfigurationFunctions.Contains(function) && s.Sym(k + 1, ","))
				|| (s.Sym(k + 1, "::") && s.Name(k + 2) == "regconfig");
			if (!configuration)
				continue;

			var name = SqlText.StringValue(s.Text, s.Tokens[k]);
			if (name is not null && name.Trim().ToLowerInvariant() is not ("simple" or "pg_catalog.simple"))
				return [name];
		}

		return null;
	}

	/// <summary>A geometric type in an expression: a constructor call (<c>circle(…)</c>), a cast (<c>::point</c>) or a typed literal (<c>box '…'</c>).</summary>
	public static string[]? GeometricType(StatementShape s, DsqlRuleSet rules)
	{
		for (var k = s.First; k < s.Count; k++)
		{
			if (s.Tokens[k].Kind != TokenKind.Identifier || !GeometricTypes.Contains(s.Lower(k)))
				continue;

			var qualified = k >= 1 && s.Sym(k - 1, ".");
			if (qualified && (k < 2 || s.Name(k - 2) != "pg_catalog"))
				continue; // a column or a function of another schema

			var call     = s.Sym(k + 1, "(");
			var cast     = k >= 1 && s.Sym(k - 1, "::") || (qualified && k >= 3 && s.Sym(k - 3, "::"));
			var literal  = k + 1 < s.Count && s.Tokens[k + 1].Kind == TokenKind.String;
			if (call || cast || literal)
				return [s.Lower(k)];
		}

		return null;
	}
}
