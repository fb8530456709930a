using AuroraDsql.Local.Classification;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// A session's plans of the statement texts its Parse messages carried, by the text's UTF-8 bytes. A client that does not
/// prepare its commands (Npgsql's default) sends Parse, Bind and Execute for every execution: the statement is split,
/// lexed and classified once, and found again without a string or any other allocation. Only plans that need nothing of
/// the text later are kept (no rewrite, no job wait, no injected queries, no refusal, which classifiers log when they
/// decide it), and only while every classifier's plan depends on the text and the session alone
/// (<see cref="ClassifierChain.DependsOnTextAndSessionOnly"/>). Per-transaction rules are not decided here: they are the
/// plan's execution checks, run at every Bind and Execute. Kept by the text's hash and compared byte for byte (two texts
/// of one hash: the later replaces the earlier). Bounded: when the texts kept exceed <see cref="MaxBytes"/> or
/// <see cref="MaxEntries"/>, it starts again empty. Used by the frontend loop only.
/// </summary>
sealed class ParsedStatementCache
{
	internal const int MaxEntries = 256;
	internal const int MaxBytes = 256 * 1024;

	readonly Dictionary<int, (byte[] Text, Entry Entry)> _entries = [];
	bool _standardConformingStrings;
	int _bytes;

	/// <summary>What the session decided for a statement text: <see langword="null"/> when it has no plan nor any transaction control.</summary>
	public readonly record struct Entry(PreparedStatementInfo? Info);

	public int Count => _entries.Count;

	/// <summary>Whether a plan of this kind may be kept (see the type's remarks).</summary>
	public static bool MayKeep(StatementPlan? plan) =>
		plan is null or { Sql: null, WaitForJob: null, InjectBefore: null, IsRefusal: false, CompletionError: null };

	/// <summary>The entry of <paramref name="sql"/> split under <paramref name="standardConformingStrings"/>, if kept.</summary>
	public bool TryGet(ReadOnlySpan<byte> sql, bool standardConformingStrings, out Entry entry)
	{
		if (standardConformingStrings != _standardConformingStrings || _entries.Count == 0)
		{
			entry = default;
			return false;
		}

		if (_entries.TryGetValue(Hash(sql), out var kept) && sql.SequenceEqual(kept.Text))
		{
			entry = kept.Entry;
			return true;
		}

		entry = default;
		return false;
	}

	public void Add(ReadOnlySpan<byte> sql, bool standardConformingStrings, Entry entry)
	{
		if (!MayKeep(entry.Info?.Plan) || sql.Length > MaxBytes / 16)
			return;

		// The text splits differently under the other setting: what was kept is of no use now.
		if (standardConformingStrings != _standardConformingStrings || _entries.Count >= MaxEntries || _bytes + sql.Length > MaxBytes)
		{
			_entries.Clear();
			_bytes = 0;
			_standardConformingStrings = standardConformingStrings;
		}

		var hash = Hash(sql);
		if (_entries.TryGetValue(hash, out var replaced))
			_bytes -= replaced.Text.Length;
		_entries[hash] = (sql.ToArray(), entry);
		_bytes += sql.Length;
	}

	static int Hash(ReadOnlySpan<byte> text)
	{
		var hash = new HashCode();
		hash.AddBytes(text);
		return hash.ToHashCode();
	}
}
