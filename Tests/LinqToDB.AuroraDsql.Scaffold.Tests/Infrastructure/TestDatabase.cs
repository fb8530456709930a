using System.Globalization;

using AuroraDsql.Local.Backend;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Interceptors;

using Npgsql;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>
/// The database behind these tests, started once per run and removed at the end, with <see cref="TestSchema"/> created in it.
/// This is the one place that decides what stands behind the tests: today a throwaway PostgreSQL cluster
/// (<see cref="PostgresCluster"/>); to run against the local DSQL endpoint instead, start the endpoint here, point
/// <see cref="ConnectionString"/> and the admin connection at it, and set <see cref="AsyncIndexes"/>.
/// </summary>
[SetUpFixture]
public sealed class TestDatabase
{
	/// <summary>The (non-admin) role the tests connect as.</summary>
	public const string User = "scaffold_user";

	static PostgresCluster? _cluster;
	static string           _adminConnectionString = null!;

	/// <summary>
	/// Whether indexes are built with <c>CREATE INDEX ASYNC</c> plus <c>CALL sys.wait_for_job(…)</c>, as DSQL requires.
	/// Plain PostgreSQL has neither; <see cref="TestSchema"/> then uses <c>CREATE INDEX</c> (and <c>CONCURRENTLY</c> to leave a failed
	/// unique index invalid). Set to <see langword="true"/> when the local DSQL endpoint stands behind the tests.
	/// </summary>
	public static bool AsyncIndexes => false;

	/// <summary>Provider options for the test role, through <c>UseAuroraDsqlConnectionString</c>.</summary>
	public static DataOptions Options { get; private set; } = null!;

	/// <summary>Npgsql connection string of the test role (password included; tests check it is never printed).</summary>
	public static string ConnectionString { get; private set; } = null!;

	/// <summary>The test role's password.</summary>
	public static string Password { get; private set; } = null!;

	[OneTimeSetUp]
	public async Task StartAsync()
	{
		_cluster = await PostgresCluster.StartAsync();
		_adminConnectionString = _cluster.SuperUserConnectionString;

		Password = "pw-" + Guid.NewGuid().ToString("N");

		// DSQL: roles are created by admin and mapped to IAM identities; locally a password login does the same job.
		await ExecuteAsAdminAsync($"CREATE ROLE {User} LOGIN PASSWORD '{Password}'");

		ConnectionString = new NpgsqlConnectionStringBuilder
		{
			Host     = "127.0.0.1",
			Port     = _cluster.Port,
			Username = User,
			Password = Password,
			Database = "postgres",
			Pooling  = true,
		}.ConnectionString;

		Options = new DataOptions().UseAuroraDsqlConnectionString(ConnectionString);

		await TestSchema.CreateAsync();
	}

	[OneTimeTearDown]
	public async Task StopAsync()
	{
		NpgsqlConnection.ClearAllPools();

		if (_cluster != null)
			await _cluster.DisposeAsync();
	}

	/// <summary>A data connection as the test role, optionally with an interceptor.</summary>
	public static DataConnection Connect(IInterceptor? interceptor = null) =>
		new(interceptor is null ? Options : Options.UseInterceptor(interceptor));

	/// <summary>Runs one statement as the test role, in its own (implicit) transaction.</summary>
	public static Task ExecuteAsync(string sql) => ExecuteAsync(ConnectionString, sql);

	/// <summary>Runs one statement as the admin role (schemas and grants), in its own transaction.</summary>
	public static Task ExecuteAsAdminAsync(string sql) => ExecuteAsync(_adminConnectionString, sql);

	/// <summary>Runs one statement as the test role and returns the first column of the first row.</summary>
	public static async Task<T> ScalarAsync<T>(string sql)
	{
		await using var connection = new NpgsqlConnection(ConnectionString);
		await connection.OpenAsync();
		await using var command = new NpgsqlCommand(sql, connection);
		var value = await command.ExecuteScalarAsync();
		return (T)Convert.ChangeType(value!, typeof(T), CultureInfo.InvariantCulture);
	}

	static async Task ExecuteAsync(string connectionString, string sql)
	{
		await using var connection = new NpgsqlConnection(connectionString);
		await connection.OpenAsync();
		await using var command = new NpgsqlCommand(sql, connection);
		await command.ExecuteNonQueryAsync();
	}
}
