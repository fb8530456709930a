using AuroraDsql.Local.Classification;
using AuroraDsql.Rules;

namespace AuroraDsql.Local.Enforcement;

/// <summary>
/// Deterministic fault injection: the next N COMMITs (of sessions matching an optional role and application_name) fail
/// like a real conflict, with SQLSTATE and message, the transaction ending rolled back. Thread-safe.
/// </summary>
sealed class CommitFailureInjector
{
	readonly object _lock = new();
	readonly List<Entry> _entries = [];
	int _pending;

	sealed class Entry
	{
		public required ExecutionVerdict Verdict { get; init; }

		public string? ApplicationName { get; init; }

		public string? Role { get; init; }

		public int Remaining { get; set; }

		public bool Matches(string role, string? applicationName) =>
			(Role is null || string.Equals(Role, role, StringComparison.Ordinal))
			&& (ApplicationName is null || string.Equals(ApplicationName, applicationName, StringComparison.Ordinal));
	}

	/// <summary>
	/// The error a COMMIT fails with for a failure code: <c>OC000</c> (40001 change conflict), <c>OC001</c> (40001 schema
	/// change) or <c>XX000</c> (server unavailable), with the rule set's texts; <see langword="null"/> for another code.
	/// </summary>
	public static ExecutionVerdict? Verdict(DsqlRuleSet rules, string code)
	{
		var rule = code switch
		{
			"OC000" => "oc000",
			"OC001" => "oc001",
			"XX000" => "server-unavailable",
			_       => null,
		};

		if (rule is null)
			return null;

		var definition = rules.Rule(rule);
		return new ExecutionVerdict(definition.SqlState, definition.Message, definition.Hint, FailsCommit: true);
	}

	/// <summary>Queues <paramref name="count"/> failures (after those already queued).</summary>
	public void Add(int count, ExecutionVerdict verdict, string? applicationName, string? role)
	{
		lock (_lock)
		{
			_entries.Add(new Entry { Verdict = verdict, ApplicationName = applicationName, Role = role, Remaining = count });
			_pending += count;
		}
	}

	/// <summary>Takes the next failure for a COMMIT of this session, if one is queued for it.</summary>
	public ExecutionVerdict? TryTake(string role, string? applicationName)
	{
		if (Volatile.Read(ref _pending) == 0)
			return null;

		lock (_lock)
		{
			for (var k = 0; k < _entries.Count; k++)
			{
				var entry = _entries[k];
				if (!entry.Matches(role, applicationName))
					continue;

				entry.Remaining--;
				_pending--;
				if (entry.Remaining == 0)
					_entries.RemoveAt(k);
				return entry.Verdict;
			}
		}

		return null;
	}

	/// <summary>Failures still queued with exactly this filter (<see langword="null"/> filters: all of them).</summary>
	public int Remaining(string? applicationName, string? role)
	{
		lock (_lock)
		{
			return _entries
				.Where(e => (applicationName is null || e.ApplicationName == applicationName) && (role is null || e.Role == role))
				.Sum(e => e.Remaining);
		}
	}

	/// <summary>Forgets every queued failure.</summary>
	public void Clear()
	{
		lock (_lock)
		{
			_entries.Clear();
			_pending = 0;
		}
	}
}
