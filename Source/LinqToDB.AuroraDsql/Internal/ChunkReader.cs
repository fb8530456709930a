using System.Runtime.ExceptionServices;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>
/// The chunks of a sequential bulk copy, read one ahead. For a binary COPY each chunk's rows are encoded when it is read, and
/// the next chunk is read from the source and encoded while the server inserts the current one (after its rows went out,
/// before its COPY ends and commits; <see cref="EncodedChunk{T}.WhileServerWorks"/>): the client's work overlaps the
/// server's instead of taking turns with it. What reading or encoding the next chunk throws is kept and thrown when that
/// chunk is asked for, after the current one has committed, as if it had not been read ahead.
/// </summary>
sealed class ChunkReader<T> : IDisposable, IAsyncDisposable
	where T : notnull
{
	const int InitialBufferSize = 64 * 1024;

	readonly IEnumerator<List<T>>?      _chunks;
	readonly IAsyncEnumerator<List<T>>? _asyncChunks;
	readonly BinaryCopyWriter<T>?       _writer;
	readonly Func<bool>                 _encode;

	// The chunk being copied and the one read ahead use the two buffers in turn.
	readonly BinaryCopyBuffer?[] _buffers = new BinaryCopyBuffer?[2];
	int _encoded;

	EncodedChunk<T>?       _current;
	EncodedChunk<T>?       _next;
	ExceptionDispatchInfo? _failure;
	bool                   _readAhead;

	/// <param name="chunks">The chunks.</param>
	/// <param name="writer">The binary COPY writer, or <see langword="null"/> when the rows are not copied by binary COPY.</param>
	/// <param name="encode">Asked before each chunk: whether to encode it (not when the server turned binary COPY down).</param>
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

	/// <summary>The next chunk, or <see langword="null"/> at the end of the source.</summary>
	public EncodedChunk<T>? Next()
	{
		if (!_readAhead)
			Read();

		return Take();
	}

	/// <inheritdoc cref="Next"/>
	public async ValueTask<EncodedChunk<T>?> NextAsync()
	{
		if (!_readAhead)
			await ReadAsync().ConfigureAwait(false);

		return Take();
	}

	/// <summary>Reads the chunk after <paramref name="chunk"/>, if it is the current one and that was not done yet.</summary>
	internal void ReadAhead(EncodedChunk<T> chunk)
	{
		if (ReferenceEquals(chunk, _current) && !_readAhead)
			Read();
	}

	/// <inheritdoc cref="ReadAhead"/>
	internal ValueTask ReadAheadAsync(EncodedChunk<T> chunk) =>
		ReferenceEquals(chunk, _current) && !_readAhead ? ReadAsync() : ValueTask.CompletedTask;

	EncodedChunk<T>? Take()
	{
		_readAhead = false;

		if (_failure is { } failure)
		{
			_failure = null;
			_current = null;
			failure.Throw();
		}

		_current = _next;
		_next    = null;
		return _current;
	}

	void Read()
	{
		_readAhead = true;

		try
		{
			_next = _chunks!.MoveNext() ? Encode(_chunks.Current) : null;
		}
		catch (Exception ex)
		{
			_failure = ExceptionDispatchInfo.Capture(ex);
		}
	}

	async ValueTask ReadAsync()
	{
		_readAhead = true;

		try
		{
			_next = await _asyncChunks!.MoveNextAsync().ConfigureAwait(false) ? Encode(_asyncChunks.Current) : null;
		}
		catch (Exception ex)
		{
			_failure = ExceptionDispatchInfo.Capture(ex);
		}
	}

	EncodedChunk<T> Encode(List<T> rows)
	{
		if (_writer is null || !_encode())
			return new EncodedChunk<T>(rows, null, null, this);

		var buffer = _buffers[_encoded++ % 2] ??= new BinaryCopyBuffer(InitialBufferSize);
		buffer.Clear();

		foreach (var row in rows)
			_writer.EncodeRow(buffer, row);

		return new EncodedChunk<T>(rows, _writer, buffer, this);
	}

	public void Dispose()
	{
		_chunks?.Dispose();
		DisposeBuffers();
	}

	public async ValueTask DisposeAsync()
	{
		if (_asyncChunks != null)
			await _asyncChunks.DisposeAsync().ConfigureAwait(false);
		_chunks?.Dispose();
		DisposeBuffers();
	}

	void DisposeBuffers()
	{
		foreach (var buffer in _buffers)
			buffer?.Dispose();
	}
}
