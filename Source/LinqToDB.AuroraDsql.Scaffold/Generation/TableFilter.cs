using System.Text;
using System.Text.RegularExpressions;

using LinqToDB.AuroraDsql.Scaffold.Model;

namespace LinqToDB.AuroraDsql.Scaffold.Generation;

/// <summary>
/// Which tables and views to generate: patterns <c>table</c> (in any schema) or <c>schema.table</c>, with <c>*</c> (any run of
/// characters) and <c>?</c> (one character), compared case-sensitively like PostgreSQL's quoted names.
/// </summary>
sealed class TableFilter
{
	readonly List<Regex> _include;
	readonly List<Regex> _exclude;

	public TableFilter(IReadOnlyList<string> include, IReadOnlyList<string> exclude)
	{
		_include = include.Select(ToRegex).ToList();
		_exclude = exclude.Select(ToRegex).ToList();
	}

	/// <summary>Whether the table is generated: it matches an include pattern (or there is none) and no exclude pattern.</summary>
	public bool Includes(TableInfo table)
	{
		ArgumentNullException.ThrowIfNull(table);
		return (_include.Count == 0 || _include.Exists(r => Matches(r, table))) && !_exclude.Exists(r => Matches(r, table));
	}

	/// <summary>Whether the pattern names a table in a schema (<c>schema.table</c>) rather than a table in any schema.</summary>
	public static bool IsQualified(string pattern) => pattern.Contains('.', StringComparison.Ordinal);

	/// <summary>Whether a pattern matches a table (for per-table settings: exact names, no wildcards).</summary>
	public static bool NameMatches(string name, TableInfo table) =>
		IsQualified(name) ? name == table.QualifiedName : name == table.Name;

	static bool Matches(Regex pattern, TableInfo table) => pattern.IsMatch(table.QualifiedName) || pattern.IsMatch(table.Name);

	static Regex ToRegex(string pattern)
	{
		var regex = new StringBuilder("^");

		if (!IsQualified(pattern))
			regex.Append("(?:[^.]*\\.)?");

		foreach (var c in pattern)
		{
			regex.Append(c switch
			{
				'*' => ".*",
				'?' => ".",
				_   => Regex.Escape(c.ToString()),
			});
		}

		return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
	}
}
