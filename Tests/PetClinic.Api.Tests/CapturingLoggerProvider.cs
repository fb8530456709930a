using System.Collections.Concurrent;

using Microsoft.Extensions.Logging;

namespace PetClinic.Api.Tests;

/// <summary>Keeps every message the API logs, with its category and event id.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
	public sealed record Entry(string Category, LogLevel Level, int EventId, string Message);

	readonly ConcurrentQueue<Entry> _entries = new();

	public IReadOnlyList<Entry> Entries => _entries.ToArray();

	public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

	public void Dispose()
	{
	}

	sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
	{
		public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

		public bool IsEnabled(LogLevel logLevel) => true;

		public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
			entries.Enqueue(new Entry(category, logLevel, eventId.Id, formatter(state, exception)));
	}
}
