using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>
/// One binary <c>COPY … FROM STDIN</c> on Npgsql's raw COPY stream, fed from a <see cref="BinaryCopyBuffer"/> a block at a
/// time. The first block goes out at once, so the server starts on it while the rest is encoded. Disposed without
/// <see cref="Complete"/>, the COPY is cancelled (CopyFail): nothing of it is inserted.
/// </summary>
sealed class BinaryCopyStream : IDisposable, IAsyncDisposable
{
	/// <summary>Encoded bytes handed to Npgsql at a time.</summary>
	public const int BlockSize = 32 * 1024;

	readonly NpgsqlRawCopyStream _stream;
	bool _sentFirstBlock;
	bool _ended;

	BinaryCopyStream(NpgsqlRawCopyStream stream, BinaryCopyBuffer buffer, int? timeoutSeconds)
	{
		_stream = stream;
		Buffer  = buffer;

		// As Npgsql's binary importer: a configured timeout of zero or less waits without limit; none configured leaves
		// the connection's command timeout.
		if (timeoutSeconds is { } seconds)
			_stream.ReadTimeout = _stream.WriteTimeout = seconds > 0 ? (int)Math.Min(int.MaxValue, seconds * 1000L) : 0;

		buffer.Clear();
		buffer.WriteHeader();
	}

	/// <summary>Where the rows are encoded (the COPY header is already in it).</summary>
	public BinaryCopyBuffer Buffer { get; }

	/// <summary>Starts the COPY; a server error in answer to the statement is marked as such (<see cref="CopyRefusal"/>).</summary>
	public static BinaryCopyStream Begin(NpgsqlConnection connection, string command, BinaryCopyBuffer buffer, int? timeoutSeconds)
	{
		try
		{
			return new(connection.BeginRawBinaryCopy(command), buffer, timeoutSeconds);
		}
		catch (PostgresException ex) when (CopyRefusal.MarkAtStart(ex))
		{
			throw;
		}
	}

	/// <inheritdoc cref="Begin"/>
	public static async Task<BinaryCopyStream> BeginAsync(NpgsqlConnection connection, string command, BinaryCopyBuffer buffer, int? timeoutSeconds, CancellationToken cancellationToken)
	{
		try
		{
			return new(await connection.BeginRawBinaryCopyAsync(command, cancellationToken).ConfigureAwait(false), buffer, timeoutSeconds);
		}
		catch (PostgresException ex) when (CopyRefusal.MarkAtStart(ex))
		{
			throw;
		}
	}

	/// <summary>Sends the encoded rows once there is a block of them.</summary>
	public void SendIfFull()
	{
		if (Buffer.Length >= BlockSize)
			Send();
	}

	/// <summary>Sends the encoded rows once there is a block of them; completes synchronously unless Npgsql has to wait for the server.</summary>
	public ValueTask SendIfFullAsync(CancellationToken cancellationToken) =>
		Buffer.Length >= BlockSize ? SendAsync(cancellationToken) : ValueTask.CompletedTask;

	/// <summary>
	/// Sends rows encoded ahead (<see cref="EncodedChunk{T}"/>) in one go, after the header, and flushes them: the server
	/// inserts them while the caller does other work before <see cref="Complete"/>.
	/// </summary>
	public void SendEncoded(ReadOnlySpan<byte> rows)
	{
		_stream.Write(Buffer.Written.Span);
		Buffer.Clear();

		// A block per CopyData message: the server (and a proxy) takes a message whole before it parses any row of it.
		for (var offset = 0; offset < rows.Length; offset += BlockSize)
			_stream.Write(rows.Slice(offset, Math.Min(BlockSize, rows.Length - offset)));

		_stream.Flush();
		_sentFirstBlock = true;
	}

	/// <inheritdoc cref="SendEncoded"/>
	public async Task SendEncodedAsync(ReadOnlyMemory<byte> rows, CancellationToken cancellationToken)
	{
		await _stream.WriteAsync(Buffer.Written, cancellationToken).ConfigureAwait(false);
		Buffer.Clear();

		for (var offset = 0; offset < rows.Length; offset += BlockSize)
			await _stream.WriteAsync(rows.Slice(offset, Math.Min(BlockSize, rows.Length - offset)), cancellationToken).ConfigureAwait(false);

		await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
		_sentFirstBlock = true;
	}

	/// <summary>
	/// Sends the rest and the end of the data, and waits for the server's result (as <see cref="NpgsqlBinaryImporter.Complete"/>).
	/// The wait for the result is bounded by the timeout, not by the cancellation token: Npgsql's raw COPY stream takes none
	/// there, and the server has every row by then.
	/// </summary>
	public void Complete()
	{
		// The rest goes out with the end of the data, in one write (no flush of its own even as a first block).
		Buffer.WriteTrailer();
		_stream.Write(Buffer.Written.Span);
		Buffer.Clear();
		_ended = true;
		_stream.Dispose();
	}

	/// <inheritdoc cref="Complete"/>
	public async Task CompleteAsync(CancellationToken cancellationToken)
	{
		Buffer.WriteTrailer();
		await _stream.WriteAsync(Buffer.Written, cancellationToken).ConfigureAwait(false);
		Buffer.Clear();
		_ended = true;
		await _stream.DisposeAsync().ConfigureAwait(false);
	}

	void Send()
	{
		_stream.Write(Buffer.Written.Span);
		Buffer.Clear();

		if (!_sentFirstBlock)
		{
			_sentFirstBlock = true;
			_stream.Flush();
		}
	}

	async ValueTask SendAsync(CancellationToken cancellationToken)
	{
		await _stream.WriteAsync(Buffer.Written, cancellationToken).ConfigureAwait(false);
		Buffer.Clear();

		if (!_sentFirstBlock)
		{
			_sentFirstBlock = true;
			await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
		}
	}

	/// <summary>
	/// Cancels the COPY (the progress callback asked to stop): the server discards it. An error the server had already
	/// raised for the rows sent (a duplicate key, say) is thrown, not hidden behind the cancellation.
	/// </summary>
	public void Cancel()
	{
		_ended = true;
		_stream.Cancel();
	}

	/// <inheritdoc cref="Cancel"/>
	public Task CancelAsync()
	{
		_ended = true;
		return _stream.CancelAsync();
	}

	/// <summary>Cancels a COPY that was neither completed nor cancelled (an error is on its way out): the server discards it.</summary>
	public void Dispose()
	{
		if (_ended)
			return;

		_ended = true;
		try
		{
			_stream.Cancel();
		}
		catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException or ObjectDisposedException)
		{
			// The COPY had failed already (its error is the one being reported) or the connection is broken.
		}
	}

	/// <summary>Cancels a COPY that was neither completed nor cancelled (an error is on its way out): the server discards it.</summary>
	public async ValueTask DisposeAsync()
	{
		if (_ended)
			return;

		_ended = true;
		try
		{
			await _stream.CancelAsync().ConfigureAwait(false);
		}
		catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException or ObjectDisposedException)
		{
			// The COPY had failed already (its error is the one being reported) or the connection is broken.
		}
	}
}
