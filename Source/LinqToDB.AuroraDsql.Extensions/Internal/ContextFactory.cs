using LinqToDB.Remote;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.DependencyInjection;

/// <summary>Creates contexts outside the container's scopes (for singletons and background work); the caller disposes them.</summary>
sealed class ContextFactory<TContext>(Func<TContext> create) : IDataContextFactory<TContext>
	where TContext : IDataContext
{
	public TContext CreateDataContext(string? configuration = null) => create();
}
