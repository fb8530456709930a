using System.Globalization;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Interceptors;

using Npgsql;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>
/// The database behind these tests: the run's endpoint (<see cref="TestEndpoint"/>, which decides what stands behind the
/// tests), with a non-admin test role and <see cref="TestSchema"/> created in it.
/// </summary>
[SetUpFixture]
public sealed class TestDatabase
{
	/// <summary>The (non-admin) role the tests connect as.</summary>
	public const string User = "scaffold_user";

	static string _adminConnectionString = null!;

	/// <summary>Provider options for the test role, through <c>UseAuroraDsqlConnectionString</c>.</summary>
	public static DataOptions Options { get; private set; } = null!;

	/// <summary>Npgsql connection string of the test role (an IAM token as password; tests check it is never printed).</summary>
	public static string ConnectionString { get; private set; } = null!;

	/// <summary>The test role's password: an IAM token valid for the whole run.</summary>
	public static string Password { get; private set; } = null!;

	[OneTimeSetUp]
	public async Task StartAsync()
	{
		await TestEndpoint.StartAsync();
		var endpoint = TestEndpoint.Local;

		_adminConnectionString = new NpgsqlConnectionStringBuilder(endpoint.CreateConnectionString())
		{
			Password = endpoint.GenerateToken("admin", TimeSpan.FromHours(2)),
		}.ConnectionString;

		// As on DSQL: admin creates the role; it logs in with a DbConnect token.
		await ExecuteAsAdminAsync($"CREATE ROLE {User} LOGIN");
		await ExecuteAsAdminAsync($"AWS IAM GRANT {User} TO '{endpoint.IdentityArn}'");

		Password = endpoint.GenerateToken(User, TimeSpan.FromHours(2));

		ConnectionString = new NpgsqlConnectionStringBuilder(endpoint.CreateConnectionString(User))
		{
			Password = Password,
			Pooling  = true,
		}.ConnectionString;

		Options = new DataOptions().UseAuroraDsqlConnectionString(ConnectionString);

		await TestSchema.CreateAsync();
	}

	[OneTimeTearDown]
	public Task StopAsync() => TestEndpoint.StopAsync();

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
