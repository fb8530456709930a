using System.Reflection;

using AuroraDsql.Local;

using LinqToDB.AuroraDsql.Scaffold.Generation;
using LinqToDB.AuroraDsql.Scaffold.Naming;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;

using Npgsql;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>
/// The scaffolded model recreates the schema it was read from: scaffold schema <c>trip</c> with every constraint attribute,
/// compile the model, create a fresh database from it with <c>EnsureSchema</c>, scaffold that database: the output is the same,
/// byte for byte (keys, identity cache, UUID default, foreign keys with their actions, checks, indexes and their options).
/// </summary>
public sealed class RoundTripTests
{
	static readonly GenerationOptions Options = new()
	{
		Namespace              = "Trip.Model",
		ContextName            = "TripDb",
		ClassNaming            = ClassNaming.Pascal,
		Singularize            = true,
		Pluralize              = true,
		IncludeSchemas         = ["trip"],
		NullableReferenceTypes = true,
		IndexAttributes        = true,
		ForeignKeyAttributes   = true,
		CheckAttributes        = true,
		JsonType               = JsonMapping.JsonDocument,
	};

	[Test]
	public void TheTripModelMatchesGoldenFiles()
	{
		using var output = new TempDirectory();
		Cases.Generate(Options, output.Path);

		GoldenFiles.AssertMatches("Trip", output.Path);
	}

	[Test]
	public async Task AFreshDatabaseCreatedFromTheModelScaffoldsToTheSameModel()
	{
		using var first  = new TempDirectory();
		using var second = new TempDirectory();

		Cases.Generate(Options, first.Path);

		var image    = ModelCompiler.Compile("TripModel", Cases.Sources(first.Path));
		var assembly = ModelCompiler.Load(image);

		await using var fresh = await LocalDsqlEndpoint.StartAsync();

		var connectionString = new NpgsqlConnectionStringBuilder(fresh.CreateConnectionString())
		{
			Password = fresh.GenerateToken("admin", TimeSpan.FromHours(1)),
		}.ConnectionString;

		try
		{
			using (var db = new DataConnection(new DataOptions().UseAuroraDsqlConnectionString(connectionString)))
			{
				db.Execute("CREATE SCHEMA trip");

				foreach (var entity in InDependencyOrder(assembly))
					typeof(AuroraDsqlSchemaExtensions).GetMethod(nameof(AuroraDsqlSchemaExtensions.EnsureSchema))!.MakeGenericMethod(entity)
						.Invoke(null, [db, new AuroraDsqlEnsureSchemaOptions { WaitForIndexes = true }]);
			}

			using (var db = new DataConnection(new DataOptions().UseAuroraDsqlConnectionString(connectionString)))
				new Scaffolder(TextWriter.Null, quiet: true).Run(db, Options, second.Path);
		}
		finally
		{
			NpgsqlConnection.ClearAllPools();
		}

		GoldenFiles.AssertSameFiles(first.Path, second.Path);
	}

	// principals before the tables that reference them
	static List<Type> InDependencyOrder(Assembly assembly)
	{
		var entities = assembly.GetTypes().Where(t => t.GetCustomAttribute<LinqToDB.Mapping.TableAttribute>() is { IsView: false }).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
		var ordered  = new List<Type>();

		void Visit(Type type)
		{
			if (ordered.Contains(type))
				return;
			foreach (var key in type.GetCustomAttributes<AuroraDsqlForeignKeyAttribute>())
				if (key.Principal != type)
					Visit(key.Principal);
			ordered.Add(type);
		}

		entities.ForEach(Visit);
		return ordered;
	}
}
