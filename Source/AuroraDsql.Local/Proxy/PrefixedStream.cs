namespace AuroraDsql.Local.Proxy;

/// <summary>A stream that first returns bytes already read from the inner stream (the first byte of a direct TLS handshake).</summary>
sealed class PrefixedStream : Stream
{
	readonly Stream _inner;
	readonly byte[] _prefix;
	int _offset;

	public PrefixedStream(byte[] prefix, Stream inner)
	{
		_prefix = prefix;
		_inner  = inner;
	}

	public override bool CanRead => true;
	public override bool CanSeek => false;
	public override bool CanWrite => true;
	public override long Length => throw new NotSupportedException();
	public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

	public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

	public override int Read(Span<byte> buffer)
	{
		if (_offset < _prefix.Length)
		{
			var n = Math.Min(buffer.Length, _prefix.Length - _offset);
			_prefix.AsSpan(_offset, n).CopyTo(buffer);
			_offset += n;
			return n;
		}

		return _inner.Read(buffer);
	}

	public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
		ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

	public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
	{
		if (_offset < _prefix.Length)
			return ValueTask.FromResult(Read(buffer.Span));

		return _inner.ReadAsync(buffer, cancellationToken);
	}

	public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

	public override void Write(ReadOnlySpan<byte> buffer) => _inner.Write(buffer);

	public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
		_inner.WriteAsync(buffer, offset, count, cancellationToken);

	public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
		_inner.WriteAsync(buffer, cancellationToken);

	public override void Flush() => _inner.Flush();

	public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

	public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

	public override void SetLength(long value) => throw new NotSupportedException();

	protected override void Dispose(bool disposing)
	{
		if (disposing)
			_inner.Dispose();
		base.Dispose(disposing);
	}

	public override async ValueTask DisposeAsync()
	{
		await _inner.DisposeAsync().ConfigureAwait(false);
		await base.DisposeAsync().ConfigureAwait(false);
	}
}
