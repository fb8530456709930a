namespace AuroraDsql.Local.Protocol;

/// <summary>An ErrorResponse from the backend on an internal connection.</summary>
sealed class PgServerException : Exception
{
	public PgServerException(IReadOnlyDictionary<char, string> fields)
		: base(fields.TryGetValue('M', out var message) ? message : "server error")
	{
		Fields   = fields;
		SqlState = fields.TryGetValue('C', out var code) ? code : "XX000";
		Severity = fields.TryGetValue('V', out var severity) ? severity : fields.TryGetValue('S', out var s) ? s : "ERROR";
	}

	public PgServerException() : this(new Dictionary<char, string>()) { }

	public PgServerException(string message) : base(message)
	{
		Fields   = new Dictionary<char, string>();
		SqlState = "XX000";
		Severity = "ERROR";
	}

	public PgServerException(string message, Exception innerException) : base(message, innerException)
	{
		Fields   = new Dictionary<char, string>();
		SqlState = "XX000";
		Severity = "ERROR";
	}

	public IReadOnlyDictionary<char, string> Fields { get; }

	public string SqlState { get; }

	public string Severity { get; }
}
