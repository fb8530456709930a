using System.Linq.Expressions;
using System.Reflection;

using LinqToDB.Mapping;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

/// <summary>Keyset pagination over a query's primary key: the next page of keys, and the rows of a key range.</summary>
static class KeysetPages
{
	/// <summary>The next <paramref name="size"/> keys of <paramref name="query"/> after <paramref name="after"/>, in key order (only key members set).</summary>
	public static IQueryable<T> Page<T>(IQueryable<T> query, ColumnDescriptor[] keys, T? after, int size)
		where T : class
	{
		if (after != null)
			query = query.Where(Compare(keys, after, ExpressionType.GreaterThan));

		IOrderedQueryable<T>? ordered = null;
		foreach (var key in keys)
		{
			var row    = Expression.Parameter(typeof(T), "t");
			var member = Expression.Lambda(Expression.MakeMemberAccess(row, key.MemberInfo), row);
			var method = ordered is null ? nameof(Queryable.OrderBy) : nameof(Queryable.ThenBy);

			ordered = (IOrderedQueryable<T>)query.Provider.CreateQuery<T>(Expression.Call(
				typeof(Queryable), method, [typeof(T), key.MemberType], (ordered ?? query).Expression, Expression.Quote(member)));
		}

		return ordered!.Take(size).Select(KeyProjection<T>(keys));
	}

	/// <summary>Rows whose key lies between the keys of <paramref name="first"/> and <paramref name="last"/> (inclusive).</summary>
	public static Expression<Func<T, bool>> Range<T>(ColumnDescriptor[] keys, T first, T last)
		where T : class
	{
		var from = Compare(keys, first, ExpressionType.GreaterThanOrEqual);
		var to   = Compare(keys, last,  ExpressionType.LessThanOrEqual);
		var row  = from.Parameters[0];

		return Expression.Lambda<Func<T, bool>>(Expression.AndAlso(from.Body, new ParameterReplacer(to.Parameters[0], row).Visit(to.Body)), row);
	}

	/// <summary><c>t =&gt; new T { Key1 = t.Key1, … }</c>: reads only the key columns.</summary>
	static Expression<Func<T, T>> KeyProjection<T>(ColumnDescriptor[] keys)
	{
		if (typeof(T).GetConstructor(Type.EmptyTypes) is null)
			throw new NotSupportedException($"Batched operations read the keys of the rows into {typeof(T).Name}, which needs a parameterless constructor.");

		var row  = Expression.Parameter(typeof(T), "t");
		var init = Expression.MemberInit(Expression.New(typeof(T)), keys.Select(k => Expression.Bind(k.MemberInfo, Expression.MakeMemberAccess(row, k.MemberInfo))));

		return Expression.Lambda<Func<T, T>>(init, row);
	}

	static readonly MethodInfo[] _rowMethods = typeof(Sql).GetMethods(BindingFlags.Public | BindingFlags.Static)
		.Where(m => m.Name == nameof(Sql.Row) && m.IsGenericMethodDefinition)
		.ToArray();

	/// <summary><c>Sql.Row(t.K1, …) &lt;op&gt; Sql.Row(v1, …)</c>, or a plain comparison for a single key.</summary>
	static Expression<Func<T, bool>> Compare<T>(ColumnDescriptor[] keys, T item, ExpressionType comparison)
		where T : class
	{
		var row = Expression.Parameter(typeof(T), "t");

		if (keys.Length == 1)
		{
			var key = keys[0];
			return Expression.Lambda<Func<T, bool>>(Expression.MakeBinary(comparison,
				Expression.MakeMemberAccess(row, key.MemberInfo),
				Expression.Constant(key.MemberAccessor.GetValue(item), key.MemberType)), row);
		}

		var method = _rowMethods.Single(m => m.GetParameters().Length == keys.Length).MakeGenericMethod(keys.Select(k => k.MemberType).ToArray());
		var left   = Expression.Call(method, keys.Select(k => (Expression)Expression.MakeMemberAccess(row, k.MemberInfo)));
		var right  = Expression.Call(method, keys.Select(k => (Expression)Expression.Constant(k.MemberAccessor.GetValue(item), k.MemberType)));

		return Expression.Lambda<Func<T, bool>>(Expression.MakeBinary(comparison, left, right), row);
	}

	sealed class ParameterReplacer(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
	{
		protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
	}
}
