namespace AuroraDsql.Local.Proxy;

/// <summary>
/// The snapshot of a transaction that was rolled back, kept alive so that the transaction can be run again on it: an
/// internal connection's REPEATABLE READ transaction imported the snapshot the transaction exported
/// (<c>pg_export_snapshot()</c>) before it was rolled back, and exports it again as <see cref="Id"/>, which stays
/// importable (<c>SET TRANSACTION SNAPSHOT</c>) until this is disposed.
/// </summary>
sealed class KeptSnapshot : IDisposable
{
	/// <summary>At most this many snapshots are kept at once, endpoint-wide (each holds a backend connection).</summary>
	public const int Limit = 32;

	readonly EndpointServices _services;
	InternalConnection? _connection;

	KeptSnapshot(EndpointServices services, InternalConnection connection, string id)
	{
		_services   = services;
		_connection = connection;
		Id          = id;
	}

	/// <summary>The snapshot's id for <c>SET TRANSACTION SNAPSHOT</c>.</summary>
	public string Id { get; }

	/// <summary>Imports <paramref name="exportedId"/> (still importable: its transaction is open). Null when no more may be kept.</summary>
	public static async Task<KeptSnapshot?> KeepAsync(EndpointServices services, string exportedId, CancellationToken cancellationToken)
	{
		if (!services.TryReserveKeptSnapshot())
			return null;

		InternalConnection? connection = null;
		try
		{
			connection = await InternalConnection.OpenAsync(services.Backend, cancellationToken, applicationName: "aurora-dsql-local snapshot").ConfigureAwait(false);
			var id = await connection.ScalarAsync(
				$"BEGIN ISOLATION LEVEL REPEATABLE READ; SET TRANSACTION SNAPSHOT {Sql.SqlText.QuoteLiteral(exportedId)}; SELECT pg_catalog.pg_export_snapshot()",
				cancellationToken).ConfigureAwait(false);
			return new KeptSnapshot(services, connection, id!);
		}
		catch
		{
			if (connection != null)
				await connection.DisposeAsync().ConfigureAwait(false);
			services.ReleaseKeptSnapshot();
			throw;
		}
	}

	/// <summary>Ends the keeping transaction (closes its connection, in the background).</summary>
	public void Dispose()
	{
		var connection = Interlocked.Exchange(ref _connection, null);
		if (connection == null)
			return;

		_services.ReleaseKeptSnapshot();
		_ = Task.Run(async () =>
		{
			try
			{
				await connection.DisposeAsync().ConfigureAwait(false);
			}
			catch (Exception ex) when (ex is not (OutOfMemoryException or StackOverflowException))
			{
				// the connection is gone either way
			}
		});
	}
}
