using System.Linq.Expressions;

using AuroraDsql.Sql;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.SqlProvider;
using LinqToDB.Mapping;
using LinqToDB.SqlQuery;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

/// <summary>
/// Turns a LINQ index description or an <see cref="AuroraDsqlIndexAttribute"/> into an <see cref="IndexDefinition"/>,
/// refusing what DSQL cannot index before anything is sent.
/// </summary>
static class IndexDefinitionFactory
{
	public const int MaxKeys = 8;

	public static IndexDefinition FromExpression<T>(DataConnection db, ITable<T> table, string name, Expression<Func<T, object?>> keys, AuroraDsqlIndexOptions<T> options)
		where T : class
	{
		var context  = new Context<T>(db, table, name);
		var row      = keys.Parameters[0];
		var keyParts = Flatten(keys.Body).Select(part => context.Key(row, part)).ToList();

		var include = options.Include is null
			? []
			: Flatten(options.Include.Body).Select(part => context.IncludedColumn(options.Include.Parameters[0], part)).ToList();

		var predicate = options.Where is null ? null : ExpressionSql.Predicate(table, options.Where);

		return context.Create(keyParts, include, options.Unique, options.NullsNotDistinct, predicate, options.IfNotExists);
	}

	public static IndexDefinition FromAttribute<T>(DataConnection db, ITable<T> table, AuroraDsqlIndexAttribute attribute, bool ifNotExists)
		where T : class
	{
		var context  = new Context<T>(db, table, attribute.Name);
		var keyParts = attribute.Keys.Select(context.Key).ToList();
		var include  = attribute.Include.Select(context.IncludedColumn).ToList();

		return context.Create(keyParts, include, attribute.Unique, attribute.NullsNotDistinct, attribute.Predicate, ifNotExists);
	}

	/// <summary>The parts of <c>x =&gt; new { … }</c> (or a single expression), without boxing conversions.</summary>
	static IEnumerable<Expression> Flatten(Expression body)
	{
		body = StripConvert(body);
		return body is NewExpression { Arguments.Count: > 0 } anonymous ? anonymous.Arguments.Select(StripConvert) : [body];
	}

	static Expression StripConvert(Expression expression)
	{
		while (expression is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
			expression = convert.Operand;
		return expression;
	}

	sealed class Context<T>
		where T : class
	{
		readonly DataConnection   _db;
		readonly ITable<T>        _table;
		readonly string           _name;
		readonly EntityDescriptor _entity;
		readonly ISqlBuilder      _sql;

		public Context(DataConnection db, ITable<T> table, string name)
		{
			if (string.IsNullOrWhiteSpace(name))
				throw new ArgumentException("An index needs a name.", nameof(name));

			if (name.Contains('.', StringComparison.Ordinal))
				throw new AuroraDsqlNotSupportedException($"Index name '{name}' is schema-qualified; Aurora DSQL creates an index in its table's schema and refuses a qualified name. Pass the bare name.");

			_db     = db;
			_table  = table;
			_name   = name;
			_entity = db.MappingSchema.GetEntityDescriptor(typeof(T), db.Options.ConnectionOptions.OnEntityDescriptorCreated);
			_sql    = db.DataProvider.CreateSqlBuilder(db.MappingSchema, db.Options);
		}

		string Quote(string name) => _sql.ConvertInline(name, ConvertType.NameToQueryField);

		public IndexDefinition Create(List<IndexKey> keys, List<string> include, bool unique, bool nullsNotDistinct, string? predicate, bool ifNotExists)
		{
			if (keys.Count == 0)
				throw new ArgumentException($"Index '{_name}' has no key.");

			if (keys.Count > MaxKeys)
				throw new AuroraDsqlNotSupportedException($"Index '{_name}' has {keys.Count} key parts; Aurora DSQL allows at most {MaxKeys}. Move the extra columns to INCLUDE.");

			if (nullsNotDistinct && !unique)
				throw new ArgumentException($"Index '{_name}': NULLS NOT DISTINCT only applies to a unique index.");

			var table = _sql.BuildObjectName(
				new(),
				new SqlObjectName(_table.TableName, Schema: _table.SchemaName, Database: _table.DatabaseName, Server: _table.ServerName),
				ConvertType.NameToQueryTable,
				true,
				_table.TableOptions).ToString();

			return new IndexDefinition(_sql.ConvertInline(_name, ConvertType.NameToQueryTable), table, keys, include, unique, nullsNotDistinct, predicate, ifNotExists);
		}

		#region LINQ

		public IndexKey Key(ParameterExpression row, Expression part)
		{
			string? nulls = null;

			if (part is MethodCallExpression call && call.Method.DeclaringType == typeof(AuroraDsqlIndex))
			{
				nulls = call.Method.Name == nameof(AuroraDsqlIndex.NullsFirst) ? "FIRST" : "LAST";
				part  = StripConvert(call.Arguments[0]);
			}

			if (ColumnOf(row, part) is { } column)
				return new IndexKey(Quote(CheckKeyType(column).ColumnName), nulls);

			return new IndexKey("(" + ExpressionSql.Value(_table, row, part) + ")", nulls);
		}

		public string IncludedColumn(ParameterExpression row, Expression part) =>
			ColumnOf(row, part) is { } column
				? Quote(column.ColumnName)
				: throw new AuroraDsqlNotSupportedException($"Index '{_name}': INCLUDE takes columns only, not the expression '{part}' (DSQL: expressions are not supported in included columns).");

		ColumnDescriptor? ColumnOf(ParameterExpression row, Expression part) =>
			part is MemberExpression member && member.Expression == row
				? _entity.Columns.FirstOrDefault(c => c.MemberInfo == member.Member || c.MemberName == member.Member.Name)
				  ?? throw new ArgumentException($"Index '{_name}': {typeof(T).Name}.{member.Member.Name} is not a mapped column.")
				: null;

		#endregion

		#region Attribute

		public IndexKey Key(string key)
		{
			var text  = key.Trim();
			var upper = text.ToUpperInvariant();

			if (text.StartsWith('('))
			{
				// An expression key, written as SQL: passed through, but without a sort order either.
				var tail = StatementSplitter.Split(text) is [var expression] && expression.Tokens.Count > 0 ? expression : null;
				if (tail != null && Enumerable.Range(0, tail.Tokens.Count).Any(i => tail.IsKeyword(i, "asc") || tail.IsKeyword(i, "desc")))
					throw SortOrderRefusal(key);

				return new IndexKey(text, null);
			}

			string? nulls = null;

			foreach (var order in new[] { "FIRST", "LAST" })
			{
				if (upper.EndsWith(" NULLS " + order, StringComparison.Ordinal))
				{
					nulls = order;
					text  = text[..^(" NULLS ".Length + order.Length)].TrimEnd();
					upper = text.ToUpperInvariant();
				}
			}

			if (upper.EndsWith(" ASC", StringComparison.Ordinal) || upper.EndsWith(" DESC", StringComparison.Ordinal))
				throw SortOrderRefusal(key);

			return new IndexKey(Quote(CheckKeyType(Column(text)).ColumnName), nulls);
		}

		public string IncludedColumn(string include)
		{
			if (include.TrimStart().StartsWith('('))
				throw new AuroraDsqlNotSupportedException($"Index '{_name}': INCLUDE takes columns only, not the expression '{include}'.");

			return Quote(Column(include.Trim()).ColumnName);
		}

		AuroraDsqlNotSupportedException SortOrderRefusal(string key) =>
			new($"Index '{_name}' key '{key}' has a sort order; Aurora DSQL does not support ASC/DESC on index keys (only NULLS FIRST/LAST). Remove it: scans run in either direction.");

		ColumnDescriptor Column(string memberOrColumn) =>
			_entity.Columns.FirstOrDefault(c => string.Equals(c.MemberName, memberOrColumn, StringComparison.Ordinal))
			?? _entity.Columns.FirstOrDefault(c => string.Equals(c.ColumnName, memberOrColumn, StringComparison.Ordinal))
			?? throw new ArgumentException($"Index '{_name}': '{memberOrColumn}' is neither a member nor a column of {typeof(T).Name}.");

		#endregion

		ColumnDescriptor CheckKeyType(ColumnDescriptor column)
		{
			var unsupported = ColumnTypes.UnindexableKeyType(column.GetDbDataType(true));

			if (unsupported != null)
				throw new AuroraDsqlNotSupportedException(
					$"Index '{_name}': column {column.ColumnName} is {unsupported}, which Aurora DSQL cannot use as an index key. " +
					"Index an expression of it instead (for example a text extract of a jsonb field), or keep it out of the key.");

			return column;
		}
	}
}
