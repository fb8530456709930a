using System.Linq.Expressions;
using System.Reflection;
using System.Text;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

/// <summary>
/// Renders LINQ expressions over one entity as SQL fragments with unqualified column names (for index keys and
/// predicates, CHECK constraints), using linq2db's own translation with parameters inlined.
/// </summary>
static class ExpressionSql
{
	// The lambda parameter is renamed to this, which linq2db uses as the table alias; it is then removed from the SQL.
	const string Alias = "dsql_row";

	static readonly SqlGenerationOptions _inline = new() { InlineParameters = true };

	static readonly MethodInfo _asSql = typeof(Sql).GetMethods(BindingFlags.Public | BindingFlags.Static)
		.Single(m => m.Name == nameof(Sql.AsSql) && m.IsGenericMethodDefinition && m.GetParameters().Length == 1);

	static readonly MethodInfo _toSqlQuery = typeof(LinqExtensions).GetMethods(BindingFlags.Public | BindingFlags.Static)
		.Single(m => m.Name == nameof(LinqExtensions.ToSqlQuery) && m.GetGenericArguments().Length == 1 && m.GetParameters()[0].ParameterType.IsGenericType
			&& m.GetParameters()[0].ParameterType.GetGenericTypeDefinition() == typeof(IQueryable<>));

	/// <summary>SQL of a value expression over one row, for example <c>lower("Email")</c>.</summary>
	public static string Value<T>(ITable<T> table, ParameterExpression row, Expression body)
		where T : notnull
	{
		var parameter = Expression.Parameter(typeof(T), Alias);
		var visited   = new ParameterReplacer(row, parameter).Visit(body);

		// Sql.AsSql: all of it on the server. A projection may otherwise compute parts in .NET after reading the row
		// (p.Tag ?? "x", p.Born.AddDays(1), p.Code.ToString()) and leave only the column in the SQL.
		var serverSide = visited is MemberExpression ? visited : Expression.Call(_asSql.MakeGenericMethod(body.Type), visited);
		var lambda    = Expression.Lambda(serverSide, parameter);
		var select    = Expression.Call(typeof(Queryable), nameof(Queryable.Select), [typeof(T), body.Type], table.Expression, Expression.Quote(lambda));
		var query     = table.Provider.CreateQuery(select);

		var sql = Render(query, body.Type);
		var from = sql.LastIndexOf("\nFROM", StringComparison.Ordinal);
		var selectStart = sql.IndexOf("SELECT", StringComparison.Ordinal);

		if (selectStart < 0 || from < 0)
			throw new NotSupportedException($"Cannot render '{body}' as an index or constraint expression.");

		return Unqualify(sql[(selectStart + "SELECT".Length)..from].Trim(), AliasOf(sql, from));
	}

	/// <summary>SQL of a predicate over one row, for example <c>"Deleted" = false</c>.</summary>
	public static string Predicate<T>(ITable<T> table, Expression<Func<T, bool>> predicate)
		where T : notnull
	{
		var parameter = Expression.Parameter(typeof(T), Alias);
		var lambda    = Expression.Lambda<Func<T, bool>>(new ParameterReplacer(predicate.Parameters[0], parameter).Visit(predicate.Body), parameter);
		var query     = table.Where(lambda).Select(_ => 1);

		var sql   = Render(query, typeof(int));
		var from  = sql.IndexOf("\nFROM", StringComparison.Ordinal);
		var where = sql.IndexOf("\nWHERE", StringComparison.Ordinal);

		if (where < 0 || from < 0)
			throw new NotSupportedException($"The predicate '{predicate}' is always true; a partial index or CHECK constraint needs a condition.");

		return Unqualify(sql[(where + "\nWHERE".Length)..].Trim(), AliasOf(sql, from));
	}

	static string Render(IQueryable query, Type elementType)
	{
		var querySql = (QuerySql)_toSqlQuery.MakeGenericMethod(elementType).Invoke(null, [query, _inline])!;
		return querySql.Sql.ReplaceLineEndings("\n");
	}

	/// <summary>The table alias linq2db chose: the last word of the line after <c>FROM</c>.</summary>
	static string AliasOf(string sql, int from)
	{
		var line = sql[(from + "\nFROM".Length)..].TrimStart('\n', '\t', ' ');
		var end  = line.IndexOf('\n', StringComparison.Ordinal);
		var words = (end < 0 ? line : line[..end]).Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);

		// The alias may be quoted ("dsql_row") depending on the identifier quote mode: compare unquoted.
		return words.Length > 1 ? words[^1].Trim('"') : Alias;
	}

	/// <summary>Removes the row alias qualifier (<c>alias.</c>) outside string literals and quoted identifiers.</summary>
	internal static string Unqualify(string sql, string alias)
	{
		var result = new StringBuilder(sql.Length);
		var prefix       = alias + ".";
		var quotedPrefix = "\"" + alias.Replace("\"", "\"\"", StringComparison.Ordinal) + "\".";

		for (var i = 0; i < sql.Length; i++)
		{
			var c = sql[i];

			if (c == '"' && string.CompareOrdinal(sql, i, quotedPrefix, 0, quotedPrefix.Length) == 0
				&& (i == 0 || !(char.IsLetterOrDigit(sql[i - 1]) || sql[i - 1] is '_' or '$')))
			{
				i += quotedPrefix.Length - 1;
				continue;
			}

			if (c is '\'' or '"')
			{
				var end = i + 1;
				while (end < sql.Length && (sql[end] != c || (end + 1 < sql.Length && sql[end + 1] == c && ++end > 0)))
					end++;

				result.Append(sql, i, Math.Min(end + 1, sql.Length) - i);
				i = end;
				continue;
			}

			var atWordStart = i == 0 || !(char.IsLetterOrDigit(sql[i - 1]) || sql[i - 1] is '_' or '$' or '"');
			if (atWordStart && string.CompareOrdinal(sql, i, prefix, 0, prefix.Length) == 0)
			{
				i += prefix.Length - 1;
				continue;
			}

			if (atWordStart && string.CompareOrdinal(sql, i, quotedPrefix, 0, quotedPrefix.Length) == 0)
			{
				i += quotedPrefix.Length - 1;
				continue;
			}

			result.Append(c);
		}

		return result.ToString();
	}

	sealed class ParameterReplacer(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
	{
		protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
	}
}
