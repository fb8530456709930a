namespace AuroraDsql.Local.Classification;

/// <summary>What a classifier may know about the client session.</summary>
sealed class SessionInfo
{
	public SessionInfo(string role, string database, SessionTransactionTracker transactions)
	{
		Role         = role;
		Database     = database;
		Transactions = transactions;
	}

	/// <summary>The database role the client authenticated as.</summary>
	public string Role { get; }

	public string Database { get; }

	/// <summary>The session's process id, as the client sees it.</summary>
	public int ProcessId { get; init; }

	/// <summary>The last value the backend reported for each run-time parameter (ParameterStatus).</summary>
	public IReadOnlyDictionary<string, string> Parameters => ParameterValues;

	internal Dictionary<string, string> ParameterValues { get; } = new(StringComparer.Ordinal);

	/// <summary>The last reported value of one run-time parameter (thread-safe), or <see langword="null"/>.</summary>
	public string? Parameter(string name)
	{
		lock (ParameterValues)
			return ParameterValues.GetValueOrDefault(name);
	}

	/// <summary>The session's <c>standard_conforming_strings</c> (lexing depends on it).</summary>
	public bool StandardConformingStrings =>
		!ParameterValues.TryGetValue("standard_conforming_strings", out var value) || !value.Equals("off", StringComparison.OrdinalIgnoreCase);

	public SessionTransactionTracker Transactions { get; }
}
