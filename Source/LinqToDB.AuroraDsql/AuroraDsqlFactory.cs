using LinqToDB.Configuration;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// linq2db's <see cref="IDataProviderFactory"/> for Aurora DSQL, as <c>PostgreSQLFactory</c> is PostgreSQL's: configuration
/// that names a data provider by type (for example an <see cref="IDataProviderSettings"/> whose type name is
/// <c>LinqToDB.DataProvider.AuroraDsql.AuroraDsqlFactory, LinqToDB.AuroraDsql</c>) gets the Aurora DSQL provider.
/// Loading the type registers the provider under <see cref="AuroraDsqlTools.ProviderName"/> as well.
/// </summary>
public sealed class AuroraDsqlFactory : IDataProviderFactory
{
	/// <summary>The Aurora DSQL provider (there is one dialect: it takes no attributes).</summary>
	/// <param name="attributes">The configuration's provider attributes; must be empty.</param>
	/// <returns>The provider, the same instance as <see cref="AuroraDsqlTools.GetDataProvider"/>.</returns>
	/// <exception cref="ArgumentException">An attribute is given; the message names it.</exception>
	public IDataProvider GetDataProvider(IEnumerable<NamedValue> attributes)
	{
		ArgumentNullException.ThrowIfNull(attributes);

		if (attributes.FirstOrDefault() is { } attribute)
			throw new ArgumentException(
				$"The Aurora DSQL provider takes no attribute '{attribute.Name}': DSQL has one dialect, and connection settings (Region, Token Lifetime, Profile, Npgsql's keys) go in the connection string.",
				nameof(attributes));

		return AuroraDsqlTools.GetDataProvider();
	}
}
