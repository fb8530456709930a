using System.Runtime.ExceptionServices;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>
/// The chunks of a sequential bulk copy. For a binary COPY it reads one chunk ahead: when a chunk is handed out, the chunk
/// after it has been read from the source too (outside any transaction), and while the server inserts the chunk handed
/// out, the next one is encoded (<see cref="EncodedChunk{T}.WhileServerWorks"/>). The client's encoding overlaps the
/// server's inserting instead of taking turns with it, and the source is never read while a chunk's transaction is open
/// (a slow source cannot stretch a transaction). What reading or encoding the next chunk throws is kept and thrown when
/// that chunk is asked for, after the current one has committed, as if it had not been read ahead.
/// </summary>
sealed class ChunkReader<T> : IDisposable, IAsyncDisposable
	where T : notnull
{
	const int InitialBufferSize = 64 * 1024;

	readonly IEnumerator<List<T>>?      _chunks;
	readonly IAsyncEnumerator<List<T>>? _asyncChunks;
	readonly BinaryCopyWriter<T>?       _writer;
	readonly Func<bool>                 _encode;

	// The chunk being copied and the one encoded ahead use the two buffers in turn.
	readonly BinaryCopyBuffer?[] _buffers = new BinaryCopyBuffer?[2];
	int _encoded;

	bool                   _started;
	bool                   _stopEncoding;
	EncodedChunk<T>?       _current;
	List<T>?               _next;        // read ahead, not handed out yet
	EncodedChunk<T>?       _nextEncoded; // _next, once encoded ahead
	ExceptionDispatchInfo? _failure;     // reading or encoding _next failed

	/// <param name="chunks">The chunks.</param>
	/// <param name="writer">The binary COPY writer, or <see langword="null"/> when the rows are not copied by binary COPY (then nothing is read ahead).</param>
	/// <param name="encode">Asked before a chunk is encoded: whether to (not when the server turned binary COPY down).</param>
	public ChunkReader(IEnumerator<List<T>> chunks, BinaryCopyWriter<T>? writer, Func<bool> encode)
	{
		_chunks = chunks;
		_writer = writer;
		_encode = encode;
	}

	/// <inheritdoc cref="ChunkReader{T}(IEnumerator{List{T}}, BinaryCopyWriter{T}?, Func{bool})"/>
	public ChunkReader(IAsyncEnumerator<List<T>> chunks, BinaryCopyWriter<T>? writer, Func<bool> encode)
	{
		_asyncChunks = chunks;
		_writer      = writer;
		_encode      = encode;
	}

	bool ReadsAhead => _writer != null;

	/// <summary>The next chunk, or <see langword="null"/> at the end of the source.</summary>
	public EncodedChunk<T>? Next()
	{
		if (!_started || !ReadsAhead)
		{
			_started = true;
			_next    = _chunks!.MoveNext() ? _chunks.Current : null;
		}

		var chunk = Take();

		if (chunk != null && ReadsAhead)
		{
			try
			{
				_next = _chunks!.MoveNext() ? _chunks.Current : null;
			}
			catch (Exception ex)
			{
				_failure = ExceptionDispatchInfo.Capture(ex);
			}
		}

		return chunk;
	}

	/// <inheritdoc cref="Next"/>
	public async ValueTask<EncodedChunk<T>?> NextAsync()
	{
		if (!_started || !ReadsAhead)
		{
			_started = true;
			_next    = await _asyncChunks!.MoveNextAsync().ConfigureAwait(false) ? _asyncChunks.Current : null;
		}

		var chunk = Take();

		if (chunk != null && ReadsAhead)
		{
			try
			{
				_next = await _asyncChunks!.MoveNextAsync().ConfigureAwait(false) ? _asyncChunks.Current : null;
			}
			catch (Exception ex)
			{
				_failure = ExceptionDispatchInfo.Capture(ex);
			}
		}

		return chunk;
	}

	/// <summary>Encodes the chunk after <paramref name="chunk"/> (CPU work only), if it is the current one and that was not done yet.</summary>
	internal void EncodeAhead(EncodedChunk<T> chunk)
	{
		if (!ReferenceEquals(chunk, _current) || _next is null || _nextEncoded != null || _failure != null)
			return;

		try
		{
			_nextEncoded = Encode(_next);
		}
		catch (Exception ex)
		{
			_failure = ExceptionDispatchInfo.Capture(ex);
		}
	}

	/// <summary>The copy does not send encoded rows (another path took the chunk): encoding them would be wasted.</summary>
	internal void StopEncoding() => _stopEncoding = true;

	EncodedChunk<T>? Take()
	{
		if (_failure is { } failure)
		{
			_failure = null;
			_current = null;
			failure.Throw();
		}

		_current     = _next is null ? null : _nextEncoded ?? Encode(_next);
		_next        = null;
		_nextEncoded = null;
		return _current;
	}

	EncodedChunk<T> Encode(List<T> rows)
	{
		if (_writer is null || _stopEncoding || !_encode())
			return new EncodedChunk<T>(rows, null, null, this);

		var buffer = _buffers[_encoded++ % 2] ??= new BinaryCopyBuffer(InitialBufferSize);
		buffer.Clear();

		foreach (var row in rows)
			_writer.EncodeRow(buffer, row);

		return new EncodedChunk<T>(rows, _writer, buffer, this);
	}

	public void Dispose()
	{
		try
		{
			_chunks?.Dispose();
		}
		finally
		{
			DisposeBuffers();
		}
	}

	public async ValueTask DisposeAsync()
	{
		try
		{
			if (_asyncChunks != null)
				await _asyncChunks.DisposeAsync().ConfigureAwait(false);
			_chunks?.Dispose();
		}
		finally
		{
			DisposeBuffers();
		}
	}

	void DisposeBuffers()
	{
		foreach (var buffer in _buffers)
			buffer?.Dispose();
	}
}
