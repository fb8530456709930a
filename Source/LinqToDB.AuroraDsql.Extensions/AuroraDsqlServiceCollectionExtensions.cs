using System.Diagnostics.CodeAnalysis;
using System.Reflection;

using LinqToDB;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.DependencyInjection;
using LinqToDB.Remote;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers linq2db's Aurora DSQL provider in an <see cref="IServiceCollection"/>, the way linq2db.Extensions registers
/// linq2db (<c>AddLinqToDB</c>, <c>AddLinqToDBContext&lt;TContext&gt;</c>): the options, the context (scoped by default), a
/// context factory; plus the data source behind them, one per registration, created on first use and disposed with the
/// container. The settings come from code, from a configuration section, or both (code runs after binding); the
/// container's <c>ILoggerFactory</c> receives Npgsql's and the provider's logs.
/// </summary>
public static class AuroraDsqlServiceCollectionExtensions
{
	const ServiceLifetime DefaultLifetime = ServiceLifetime.Scoped;

	/// <summary>
	/// Registers <see cref="DataOptions"/> (singleton), <see cref="DataConnection"/> and <see cref="IDataContext"/> (the same
	/// instance, with <paramref name="lifetime"/>), <see cref="IDataContextFactory{TContext}"/> of <see cref="DataConnection"/>,
	/// and the <see cref="NpgsqlDataSource"/> (keyed by <c>typeof(DataConnection)</c>), configured in code.
	/// </summary>
	/// <param name="services">The services.</param>
	/// <param name="configure">Sets the endpoint and the other settings.</param>
	/// <param name="lifetime">Lifetime of the data connection; default <see cref="ServiceLifetime.Scoped"/> (one per request).</param>
	public static IServiceCollection AddAuroraDsql(this IServiceCollection services, Action<AuroraDsqlServiceOptions> configure, ServiceLifetime lifetime = DefaultLifetime)
	{
		ArgumentNullException.ThrowIfNull(configure);
		return services.AddAuroraDsql(null, configure, lifetime);
	}

	/// <summary>
	/// Registers <see cref="DataOptions"/>, <see cref="DataConnection"/>, <see cref="IDataContext"/> and a context factory as
	/// <see cref="AddAuroraDsql(IServiceCollection, Action{AuroraDsqlServiceOptions}, ServiceLifetime)"/> does, with the
	/// settings bound from <paramref name="configuration"/> (for example <c>builder.Configuration.GetSection("AuroraDsql")</c>)
	/// and then adjusted by <paramref name="configure"/>.
	/// </summary>
	/// <param name="services">The services.</param>
	/// <param name="configuration">The section holding <c>Endpoint</c>, <c>Region</c>, <c>User</c>, <c>Profile</c>, pool settings, <c>Retry</c>….</param>
	/// <param name="configure">Adjusts the bound settings (credentials, hooks).</param>
	/// <param name="lifetime">Lifetime of the data connection; default <see cref="ServiceLifetime.Scoped"/>.</param>
	public static IServiceCollection AddAuroraDsql(this IServiceCollection services, IConfiguration? configuration, Action<AuroraDsqlServiceOptions>? configure = null, ServiceLifetime lifetime = DefaultLifetime)
	{
		ArgumentNullException.ThrowIfNull(services);

		AddSettings<DataConnection>(services, configuration, configure);

		services.TryAddSingleton(static provider => provider.GetRequiredService<AuroraDsqlRegistration<DataConnection>>().DataOptions);
		services.TryAdd(new ServiceDescriptor(typeof(DataConnection), static provider => new DataConnection(provider.GetRequiredService<DataOptions>()), lifetime));
		services.TryAdd(new ServiceDescriptor(typeof(IDataContext), static provider => provider.GetRequiredService<DataConnection>(), lifetime));
		services.TryAddSingleton<IDataContextFactory<DataConnection>>(static provider =>
		{
			var options = provider.GetRequiredService<DataOptions>();
			return new ContextFactory<DataConnection>(() => new DataConnection(options));
		});

		return services;
	}

	/// <summary>
	/// Registers <typeparamref name="TContext"/> (with <paramref name="lifetime"/>), its options as
	/// <see cref="DataOptions{T}"/> of <typeparamref name="TContext"/> (singleton) when it has a constructor taking them (else
	/// as <see cref="DataOptions"/>), an <see cref="IDataContextFactory{TContext}"/>, and the <see cref="NpgsqlDataSource"/>
	/// (keyed by <c>typeof(TContext)</c>), configured in code. Each context type has settings and a data source of its own.
	/// </summary>
	/// <typeparam name="TContext">
	/// The context: for example a <see cref="DataConnection"/> subclass with a constructor taking <c>DataOptions&lt;TContext&gt;</c>
	/// (other constructor parameters are resolved from the container).
	/// </typeparam>
	/// <param name="services">The services.</param>
	/// <param name="configure">Sets the endpoint and the other settings.</param>
	/// <param name="lifetime">Lifetime of the context; default <see cref="ServiceLifetime.Scoped"/> (one per request).</param>
	public static IServiceCollection AddAuroraDsqlContext<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TContext>(
		this IServiceCollection services, Action<AuroraDsqlServiceOptions> configure, ServiceLifetime lifetime = DefaultLifetime)
		where TContext : class, IDataContext
	{
		ArgumentNullException.ThrowIfNull(configure);
		return services.AddAuroraDsqlContext<TContext>(null, configure, lifetime);
	}

	/// <summary>
	/// Registers <typeparamref name="TContext"/>, its options and a context factory as
	/// <see cref="AddAuroraDsqlContext{TContext}(IServiceCollection, Action{AuroraDsqlServiceOptions}, ServiceLifetime)"/>
	/// does, with the settings bound from <paramref name="configuration"/> and then adjusted by <paramref name="configure"/>.
	/// </summary>
	/// <typeparam name="TContext">The context, with a constructor taking <c>DataOptions&lt;TContext&gt;</c> or <see cref="DataOptions"/>.</typeparam>
	/// <param name="services">The services.</param>
	/// <param name="configuration">The section holding <c>Endpoint</c>, <c>Region</c>, <c>User</c>, <c>Profile</c>, pool settings, <c>Retry</c>….</param>
	/// <param name="configure">Adjusts the bound settings (credentials, hooks).</param>
	/// <param name="lifetime">Lifetime of the context; default <see cref="ServiceLifetime.Scoped"/>.</param>
	public static IServiceCollection AddAuroraDsqlContext<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TContext>(
		this IServiceCollection services, IConfiguration? configuration, Action<AuroraDsqlServiceOptions>? configure = null, ServiceLifetime lifetime = DefaultLifetime)
		where TContext : class, IDataContext
	{
		ArgumentNullException.ThrowIfNull(services);

		var typedOptions = TakesTypedOptions<TContext>();
		AddSettings<TContext>(services, configuration, configure);

		if (typedOptions)
			services.TryAddSingleton(static provider => new DataOptions<TContext>(provider.GetRequiredService<AuroraDsqlRegistration<TContext>>().DataOptions));
		else
			services.TryAddSingleton(static provider => provider.GetRequiredService<AuroraDsqlRegistration<TContext>>().DataOptions);

		services.TryAdd(new ServiceDescriptor(typeof(TContext), provider => Create<TContext>(provider, typedOptions), lifetime));
		services.TryAddSingleton<IDataContextFactory<TContext>>(provider => new ContextFactory<TContext>(() => Create<TContext>(provider, typedOptions)));

		return services;
	}

	static void AddSettings<TContext>(IServiceCollection services, IConfiguration? configuration, Action<AuroraDsqlServiceOptions>? configure)
		where TContext : IDataContext
	{
		var name    = AuroraDsqlRegistration<TContext>.Name;
		var options = services.AddOptions<AuroraDsqlServiceOptions>(name);

		if (configuration != null)
			options.Bind(configuration);
		if (configure != null)
			options.Configure(configure);

		services.TryAddSingleton<AuroraDsqlRegistration<TContext>>();
		services.TryAddKeyedSingleton(typeof(TContext), static (provider, _) => provider.GetRequiredService<AuroraDsqlRegistration<TContext>>().DataSource);
	}

	static TContext Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TContext>(IServiceProvider provider, bool typedOptions)
		where TContext : class, IDataContext =>
		typedOptions
			? ActivatorUtilities.CreateInstance<TContext>(provider, provider.GetRequiredService<DataOptions<TContext>>())
			: ActivatorUtilities.CreateInstance<TContext>(provider, provider.GetRequiredService<DataOptions>());

	/// <summary>Whether the context takes <c>DataOptions&lt;TContext&gt;</c>; else it must take <see cref="DataOptions"/>.</summary>
	static bool TakesTypedOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TContext>()
		where TContext : class, IDataContext
	{
		var constructors = typeof(TContext).GetConstructors(BindingFlags.Public | BindingFlags.Instance);

		if (constructors.Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(DataOptions<TContext>))))
			return true;

		if (constructors.Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(DataOptions))))
			return false;

		throw new ArgumentException(
			$"{typeof(TContext).Name} needs a public constructor taking DataOptions<{typeof(TContext).Name}> (or DataOptions) to be registered with AddAuroraDsqlContext, " +
			$"for example: public {typeof(TContext).Name}(DataOptions<{typeof(TContext).Name}> options) : base(options.Options) {{ }}.");
	}
}
