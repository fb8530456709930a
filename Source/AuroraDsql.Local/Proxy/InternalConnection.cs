using System.Text;
using AuroraDsql.Local.Protocol;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// The endpoint's own connection to the backend (bootstrap, job worker): simple query protocol only, text results.
/// Not thread-safe: one query at a time.
/// </summary>
sealed class InternalConnection : IAsyncDisposable
{
	readonly BackendConnection _connection;
	readonly PgMessageBuilder _builder = new();

	InternalConnection(BackendConnection connection, int processId)
	{
		_connection = connection;
		ProcessId   = processId;
	}

	/// <summary>The backend's process id.</summary>
	public int ProcessId { get; }

	/// <summary>Connects as the endpoint's superuser (or as <paramref name="role"/> on the endpoint's own cluster).</summary>
	public static async Task<InternalConnection> OpenAsync(BackendEndpoint endpoint, CancellationToken cancellationToken, string? role = null, string applicationName = "aurora-dsql-local")
	{
		var connection = await BackendConnection.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);

		try
		{
			var user = endpoint.Impersonate || role is null ? endpoint.SuperUser : role;
			await Task.Run(() => connection.Startup(user, endpoint.Password,
				[new("database", endpoint.Database), new("application_name", applicationName), new("client_encoding", "UTF8")]),
				cancellationToken).ConfigureAwait(false);

			var processId = 0;
			while (true)
			{
				var (type, body) = await connection.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
				if (type == BackendMessageCode.BackendKeyData)
				{
					var offset = 0;
					processId = PgMessageReader.ReadInt32(body, ref offset);
				}
				else if (type == BackendMessageCode.ErrorResponse)
					throw new PgServerException(PgMessageReader.ReadErrorFields(body));
				else if (type == BackendMessageCode.ReadyForQuery)
					break;
			}

			var result = new InternalConnection(connection, processId);
			if (endpoint.Impersonate && role != null)
				await result.ExecuteAsync("SET SESSION AUTHORIZATION " + Sql.SqlText.QuoteIdentifier(role), cancellationToken).ConfigureAwait(false);
			return result;
		}
		catch
		{
			await connection.DisposeAsync().ConfigureAwait(false);
			throw;
		}
	}

	/// <summary>Runs <paramref name="sql"/> (one or more statements) and returns the rows of the last result set.</summary>
	/// <exception cref="PgServerException">The first error the backend reported.</exception>
	public async Task<List<string?[]>> QueryAsync(string sql, CancellationToken cancellationToken)
	{
		_builder.Clear();
		_builder.Query(sql);
		await _connection.WriteAsync(_builder.WrittenMemory, cancellationToken).ConfigureAwait(false);

		var rows = new List<string?[]>();
		PgServerException? error = null;

		while (true)
		{
			var (type, body) = await _connection.ReadMessageAsync(cancellationToken).ConfigureAwait(false);

			switch (type)
			{
				case BackendMessageCode.RowDescription:
					rows = [];
					break;
				case BackendMessageCode.DataRow:
					rows.Add(ReadDataRow(body));
					break;
				case BackendMessageCode.ErrorResponse:
					error ??= new PgServerException(PgMessageReader.ReadErrorFields(body));
					break;
				case BackendMessageCode.CopyInResponse: // COPY FROM STDIN is not used internally; refuse it cleanly
					_builder.Clear();
					_builder.CopyFail("not supported on internal connections");
					await _connection.WriteAsync(_builder.WrittenMemory, cancellationToken).ConfigureAwait(false);
					break;
				case BackendMessageCode.ReadyForQuery:
					if (error != null)
						throw error;
					return rows;
			}
		}
	}

	/// <summary>Runs <paramref name="sql"/> and ignores its rows.</summary>
	public async Task ExecuteAsync(string sql, CancellationToken cancellationToken) =>
		await QueryAsync(sql, cancellationToken).ConfigureAwait(false);

	/// <summary>The single value of a one-row, one-column query.</summary>
	public async Task<string?> ScalarAsync(string sql, CancellationToken cancellationToken)
	{
		var rows = await QueryAsync(sql, cancellationToken).ConfigureAwait(false);
		return rows.Count > 0 && rows[0].Length > 0 ? rows[0][0] : null;
	}

	static string?[] ReadDataRow(byte[] body)
	{
		var offset = 0;
		var count  = PgMessageReader.ReadInt16(body, ref offset);
		var values = new string?[count];
		for (var k = 0; k < count; k++)
		{
			var length = PgMessageReader.ReadInt32(body, ref offset);
			if (length < 0)
				continue;
			values[k] = Encoding.UTF8.GetString(body, offset, length);
			offset += length;
		}

		return values;
	}

	/// <summary>Closes the socket at once (a query in progress fails).</summary>
	public void Abort() => _connection.Abort();

	public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
