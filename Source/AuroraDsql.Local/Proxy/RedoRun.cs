using System.Buffers;
using System.Security.Cryptography;
using AuroraDsql.Local.Protocol;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// A lost transaction's recorded messages sent to the backend again (see ClientSession.Redo.cs): the backend loop
/// swallows the answers, adds them to a digest like the original's (<see cref="TransactionRecord"/>), and completes
/// with the transaction status after the last of them.
/// </summary>
sealed class RedoRun : IDisposable
{
	readonly IncrementalHash _answers = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
	int _remainingReady;

	/// <param name="readyForQuery">How many ReadyForQuery the messages are answered with (one per Query and Sync).</param>
	public RedoRun(int readyForQuery) => _remainingReady = readyForQuery;

	/// <summary>The first error the backend answered, if any.</summary>
	public string? Error { get; private set; }

	/// <summary>Completes with the status of the last ReadyForQuery (cancelled when the session ends first).</summary>
	public TaskCompletionSource<TransactionStatus> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

	/// <summary>One answer of the backend; true at the last (then call <see cref="Complete"/>).</summary>
	public bool OnMessage(BackendMessageCode type, in ReadOnlySequence<byte> message)
	{
		foreach (var segment in message)
			_answers.AppendData(segment.Span);

		if (type == BackendMessageCode.ErrorResponse && Error == null)
		{
			var fields = PgMessageReader.ReadErrorFields(message.Slice(5).ToArray());
			Error = $"{fields.GetValueOrDefault(ErrorFieldCode.SqlState)} {fields.GetValueOrDefault(ErrorFieldCode.Message)}";
		}

		if (type != BackendMessageCode.ReadyForQuery || --_remainingReady > 0)
			return false;

		_status = (TransactionStatus)message.Slice(5, 1).FirstSpan[0];
		return true;
	}

	TransactionStatus _status;

	/// <summary>After the last answer: completes <see cref="Completion"/> with the status it reported.</summary>
	public void Complete() => Completion.TrySetResult(_status);

	/// <summary>The digest of the answers (once <see cref="Completion"/> completed).</summary>
	public byte[] AnswersDigest() => _answers.GetCurrentHash();

	public void Dispose() => _answers.Dispose();
}
