using System.Globalization;

using AuroraDsql.Local;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Interceptors;

using Npgsql;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>
/// The database behind these tests, started once per run and removed at the end, with <see cref="TestSchema"/> created in it:
/// a local DSQL endpoint (TLS, IAM tokens, DSQL's rules, async index jobs) in front of a throwaway PostgreSQL.
/// This is the one place that decides what stands behind the tests.
/// </summary>
[SetUpFixture]
public sealed class TestDatabase
{
	/// <summary>The (non-admin) role the tests connect as.</summary>
	public const string User = "scaffold_user";

	static LocalDsqlEndpoint? _endpoint;
	static string           _adminConnectionString = null!;

	/// <summary>
	/// Whether indexes are built with <c>CREATE INDEX ASYNC</c> plus <c>CALL sys.wait_for_job(…)</c>, as DSQL requires.
	/// Plain PostgreSQL has neither; <see cref="TestSchema"/> then uses <c>CREATE INDEX</c> (and <c>CONCURRENTLY</c> to leave a failed
	/// unique index invalid).
	/// </summary>
	public static bool AsyncIndexes => true;

	/// <summary>Provider options for the test role, through <c>UseAuroraDsqlConnectionString</c>.</summary>
	public static DataOptions Options { get; private set; } = null!;

	/// <summary>Npgsql connection string of the test role (an IAM token as password; tests check it is never printed).</summary>
	public static string ConnectionString { get; private set; } = null!;

	/// <summary>The test role's password: an IAM token valid for the whole run.</summary>
	public static string Password { get; private set; } = null!;

	[OneTimeSetUp]
	public async Task StartAsync()
	{
		_endpoint = await LocalDsqlEndpoint.StartAsync();

		_adminConnectionString = new NpgsqlConnectionStringBuilder(_endpoint.CreateConnectionString())
		{
			Password = _endpoint.GenerateToken("admin", TimeSpan.FromHours(2)),
		}.ConnectionString;

		// As on DSQL: admin creates the role; it logs in with a DbConnect token.
		await ExecuteAsAdminAsync($"CREATE ROLE {User} LOGIN");

		Password = _endpoint.GenerateToken(User, TimeSpan.FromHours(2));

		ConnectionString = new NpgsqlConnectionStringBuilder(_endpoint.CreateConnectionString(User))
		{
			Password = Password,
			Pooling  = true,
		}.ConnectionString;

		Options = new DataOptions().UseAuroraDsqlConnectionString(ConnectionString);

		await TestSchema.CreateAsync();
	}

	[OneTimeTearDown]
	public async Task StopAsync()
	{
		NpgsqlConnection.ClearAllPools();

		if (_endpoint != null)
			await _endpoint.DisposeAsync();
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
