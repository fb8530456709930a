using System.Reflection;

using LinqToDB.Data;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

/// <summary>
/// <c>GetTable&lt;T&gt;()</c> for the <c>T : notnull</c> of linq2db's bulk copy signatures (GetTable needs <c>T : class</c>;
/// mapped entities always are classes).
/// </summary>
static class TableFactory<T>
	where T : notnull
{
	static readonly Func<IDataContext, ITable<T>> _create = CreateFactory();

	public static ITable<T> Create(IDataContext context) => _create(context);

	/// <summary>The same table (name, schema, database, server, options) on another data context.</summary>
	public static ITable<T> Rebind(ITable<T> table, IDataContext context)
	{
		var rebound = Create(context);

		if (table.TableName    is { } name)     rebound = rebound.TableName(name);
		if (table.SchemaName   is { } schema)   rebound = rebound.SchemaName(schema);
		if (table.DatabaseName is { } database) rebound = rebound.DatabaseName(database);
		if (table.ServerName   is { } server)   rebound = rebound.ServerName(server);

		return rebound.TableOptions(table.TableOptions);
	}

	static Func<IDataContext, ITable<T>> CreateFactory()
	{
		if (!typeof(T).IsClass)
			return _ => throw new NotSupportedException($"Bulk copy needs a class entity; {typeof(T).Name} is a value type.");

		var method = typeof(TableFactory<T>).GetMethod(nameof(GetTable), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(typeof(T));
		return method.CreateDelegate<Func<IDataContext, ITable<T>>>();
	}

	static ITable<TEntity> GetTable<TEntity>(IDataContext context)
		where TEntity : class =>
		context.GetTable<TEntity>();
}
