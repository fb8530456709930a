using System.Buffers;
using System.Security.Cryptography;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// What is needed to run a transaction block again as its client ran it: every message the backend received after the
/// BEGIN (the client's, as forwarded, and the proxy's own queries among them), and a digest of every answer the backend
/// gave to them. A transaction rolled back because another one waited for its row (see
/// <see cref="ClientSession.TryAbortIdleTransaction"/>) is run again at its COMMIT on the snapshot it had; when the
/// answers are the same, it commits as the first committer does on DSQL (see ClientSession.Redo.cs).
/// </summary>
/// <remarks>
/// The frontend loop appends the messages (under the session's gate); the backend loop adds the answers to the digest.
/// A block whose messages grow past <see cref="MaxLogBytes"/> stops being recorded (it then loses as it did before).
/// </remarks>
sealed class TransactionRecord : IDisposable
{
	/// <summary>Past this many bytes of messages, a block is not recorded any more.</summary>
	public const int MaxLogBytes = 1 << 20;

	readonly object _lock = new();
	bool _disposed;
	readonly IncrementalHash _answers = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
	ArrayBufferWriter<byte>? _log = new(1024);

	/// <summary>Messages and answers are still being recorded (not after the block lost its rows, or gave up).</summary>
	public bool IsRecording { get; set; } = true;

	/// <summary>The record is complete and small enough to run the block again.</summary>
	public bool IsComplete => _log != null;

	/// <summary>Where the record's messages begin in the frontend's unflushed output (0 after a flush).</summary>
	public int PendingFrom { get; set; }

	/// <summary>The snapshot the block had, kept while it is lost (null when it could not be kept).</summary>
	public KeptSnapshot? Snapshot { get; set; }

	/// <summary>The messages sent to the backend since the BEGIN.</summary>
	public ReadOnlyMemory<byte> Log => _log?.WrittenMemory ?? ReadOnlyMemory<byte>.Empty;

	/// <summary>Appends messages as they go to the backend.</summary>
	public void Append(ReadOnlySpan<byte> messages)
	{
		if (!IsRecording || _log == null)
			return;

		if (_log.WrittenCount + messages.Length > MaxLogBytes)
		{
			GiveUp();
			return;
		}

		_log.Write(messages);
	}

	/// <summary>The block cannot be run again (too large, or it lost otherwise): stop recording and drop the messages.</summary>
	public void GiveUp()
	{
		IsRecording = false;
		_log = null;
	}

	/// <summary>Adds one of the backend's answers (a whole message) to the digest.</summary>
	public void AddAnswer(in ReadOnlySequence<byte> message)
	{
		lock (_lock)
		{
			if (_disposed)
				return;
			foreach (var segment in message)
				_answers.AppendData(segment.Span);
		}
	}

	/// <summary>The digest of the answers so far.</summary>
	public byte[] AnswersDigest()
	{
		lock (_lock)
			return _disposed ? [] : _answers.GetCurrentHash();
	}

	public void Dispose()
	{
		GiveUp();
		var snapshot = Snapshot;
		Snapshot = null;
		snapshot?.Dispose();
		lock (_lock)
		{
			_disposed = true;
			_answers.Dispose();
		}
	}
}
