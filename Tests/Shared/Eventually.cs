namespace AuroraDsql.Testing;

/// <summary>
/// Waiting for an event in a test: a condition polled until it holds (a row appears, a session waits for a lock, a job
/// changes state). The safety limit only keeps a broken test from hanging the run, with a message that says what did not
/// happen; it is never what a test asserts, and a slow machine never comes near it.
/// </summary>
public static class Eventually
{
	/// <summary>How long a test waits for an event before it gives up.</summary>
	public static readonly TimeSpan SafetyLimit = TimeSpan.FromMinutes(3);

	/// <summary>Polls <paramref name="condition"/> until it holds; <paramref name="what"/> names the event for the failure message.</summary>
	public static async Task UntilAsync(Func<Task<bool>> condition, string what)
	{
		var started = DateTime.UtcNow;
		while (!await condition())
		{
			if (DateTime.UtcNow - started > SafetyLimit)
				throw new TimeoutException($"Gave up waiting for {what} (safety limit {SafetyLimit.TotalMinutes} minutes).");
			await Task.Delay(10);
		}
	}

	/// <summary>Polls <paramref name="condition"/> until it holds; <paramref name="what"/> names the event for the failure message.</summary>
	public static Task UntilAsync(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);

	/// <summary><paramref name="task"/>, failing with a clear message instead of hanging when it has not ended within the safety limit.</summary>
	public static async Task<T> WithSafetyLimit<T>(this Task<T> task, string what)
	{
		try
		{
			return await task.WaitAsync(SafetyLimit);
		}
		catch (TimeoutException)
		{
			throw new TimeoutException($"Gave up waiting for {what} (safety limit {SafetyLimit.TotalMinutes} minutes).");
		}
	}

	/// <summary><paramref name="task"/>, failing with a clear message instead of hanging when it has not ended within the safety limit.</summary>
	public static async Task WithSafetyLimit(this Task task, string what)
	{
		try
		{
			await task.WaitAsync(SafetyLimit);
		}
		catch (TimeoutException)
		{
			throw new TimeoutException($"Gave up waiting for {what} (safety limit {SafetyLimit.TotalMinutes} minutes).");
		}
	}
}
