namespace LinqToDB.AuroraDsql.Scaffold.Templates;

/// <summary>A template that does not compile or fails while it runs; <see cref="Exception.Message"/> lists the problems with their lines.</summary>
public sealed class TemplateException : Exception
{
	/// <summary>Creates the exception.</summary>
	/// <param name="message">What went wrong.</param>
	/// <param name="problems">The problems, one per entry, as <c>file(line,column): text</c>.</param>
	public TemplateException(string message, IReadOnlyList<string> problems)
		: base(problems is { Count: > 0 } ? message + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)) : message)
	{
		Problems = problems ?? [];
	}

	/// <summary>Creates the exception for a template that threw.</summary>
	/// <param name="message">What went wrong.</param>
	/// <param name="innerException">What the template threw.</param>
	public TemplateException(string message, Exception innerException)
		: base(message, innerException)
	{
		Problems = [];
	}

	/// <summary>The problems, one per entry.</summary>
	public IReadOnlyList<string> Problems { get; }
}
