using Npgsql;

namespace AuroraDsql.Local.Tests.Infrastructure;

/// <summary>
/// Keeps a client statement running until the test lets it finish, instead of a sleep of some length: a row locked by a
/// direct backend connection (a session the endpoint does not know, so its conflict rules leave it alone). A statement run
/// through the endpoint that locks the row (<see cref="WaitSql"/>) waits, busy, until <see cref="OpenAsync"/>.
/// </summary>
sealed class BackendGate : IAsyncDisposable
{
	readonly LocalDsqlEndpoint _endpoint;
	readonly NpgsqlConnection _backend;
	NpgsqlTransaction? _lock;

	BackendGate(LocalDsqlEndpoint endpoint, string table, NpgsqlConnection backend)
	{
		_endpoint = endpoint;
		Table     = table;
		_backend  = backend;
	}

	/// <summary>The gate's table (one row).</summary>
	public string Table { get; }

	/// <summary>A statement that waits at the gate while it is closed.</summary>
	public string WaitSql => $"SELECT id FROM {Table} WHERE id = 1 FOR UPDATE";

	/// <summary>A closed gate on <paramref name="endpoint"/>'s backend.</summary>
	public static async Task<BackendGate> CloseAsync(LocalDsqlEndpoint endpoint)
	{
		var table = TestEndpoint.UniqueName("gate");
		await using (var admin = await TestEndpoint.OpenAsync(endpoint: endpoint))
		{
			await EndpointFixture.ExecuteAsync(admin, $"CREATE TABLE {table} (id int PRIMARY KEY)");
			await EndpointFixture.ExecuteAsync(admin, $"INSERT INTO {table} VALUES (1)");
		}

		var gate = new BackendGate(endpoint, table, await TestEndpoint.OpenBackendAsync(endpoint));
		await gate.CloseAsync();
		return gate;
	}

	/// <summary>Closes the gate (again).</summary>
	public async Task CloseAsync()
	{
		_lock = await _backend.BeginTransactionAsync();
		await EndpointFixture.ExecuteAsync(_backend, $"SELECT id FROM {Table} WHERE id = 1 FOR UPDATE", _lock);
	}

	/// <summary>Lets the statements waiting at the gate go on.</summary>
	public async Task OpenAsync()
	{
		if (_lock is null)
			return;
		await _lock.RollbackAsync();
		await _lock.DisposeAsync();
		_lock = null;
	}

	/// <summary>Waits until <paramref name="sessions"/> backend sessions wait for a lock (at the gate, or for a row a waiting session holds).</summary>
	public async Task WaitForWaitersAsync(int sessions)
	{
		await using var backend = await TestEndpoint.OpenBackendAsync(_endpoint);
		await Eventually.UntilAsync(
			async () => (long)(await EndpointFixture.ScalarAsync(backend, "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted"))! >= sessions,
			$"{sessions} backend session(s) waiting for a lock");
	}

	public async ValueTask DisposeAsync()
	{
		await OpenAsync();
		await _backend.DisposeAsync();
	}
}
