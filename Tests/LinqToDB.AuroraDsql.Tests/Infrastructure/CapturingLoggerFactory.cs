using System.Collections.Concurrent;

using Microsoft.Extensions.Logging;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;

/// <summary>An <see cref="ILoggerFactory"/> that keeps every message logged at any level, with its structured values.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory
{
	public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> Values, Exception? Exception)
	{
		public object? this[string name] => Values.FirstOrDefault(v => v.Key == name).Value;

		/// <summary>Everything the entry carries, as text: message, values, exception with its inner ones.</summary>
		public string AllText() =>
			string.Join('\n', [Category, Message, .. Values.Select(v => $"{v.Key}={v.Value}"), Exception?.ToString() ?? ""]);
	}

	readonly ConcurrentQueue<Entry> _entries = new();

	public IReadOnlyList<Entry> Entries => _entries.ToArray();

	public IEnumerable<Entry> Of(string categoryPrefix) => Entries.Where(e => e.Category.StartsWith(categoryPrefix, StringComparison.Ordinal));

	public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

	public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

	public void Dispose()
	{
	}

	sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
	{
		public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

		public bool IsEnabled(LogLevel logLevel) => true;

		public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
		{
			var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
			entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception), values.ToArray(), exception));
		}
	}
}
