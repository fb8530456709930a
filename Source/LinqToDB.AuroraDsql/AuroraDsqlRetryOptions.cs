using System.Text;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// How <see cref="AuroraDsqlRetryPolicy"/> and the <c>InTransaction</c> helpers retry: exponential backoff with jitter,
/// <c>delay(n) = min(BaseDelay × Multiplier^n, MaxDelay) × (1 + random(0, Jitter))</c>.
/// </summary>
public sealed record AuroraDsqlRetryOptions
{
	/// <summary>The defaults.</summary>
	public static AuroraDsqlRetryOptions Default { get; } = new();

	/// <summary>Retries after the first attempt. Default 5.</summary>
	public int MaxRetries
	{
		get;
		init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxRetries), value, "MaxRetries cannot be negative.");
	} = 5;

	/// <summary>Delay before the first retry. Default 100 ms.</summary>
	public TimeSpan BaseDelay
	{
		get;
		init => field = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(BaseDelay), value, "BaseDelay cannot be negative.");
	} = TimeSpan.FromMilliseconds(100);

	/// <summary>Longest delay between attempts (before jitter). Default 5 seconds.</summary>
	public TimeSpan MaxDelay
	{
		get;
		init => field = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(MaxDelay), value, "MaxDelay cannot be negative.");
	} = TimeSpan.FromSeconds(5);

	/// <summary>Growth of the delay per attempt. Default 2.</summary>
	public double Multiplier
	{
		get;
		init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Multiplier), value, "Multiplier must be at least 1.");
	} = 2;

	/// <summary>Random extra delay, as a fraction of the delay (0 to 1). Default 0.25, so concurrent retries spread out.</summary>
	public double Jitter
	{
		get;
		init => field = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Jitter), value, "Jitter must be between 0 and 1.");
	} = 0.25;

	/// <summary>
	/// Whether <c>InTransaction</c> re-runs the work when COMMIT itself failed with an error that does not say whether the
	/// transaction applied (a dropped connection or <c>XX000 server unavailable</c> during COMMIT). Default
	/// <see langword="false"/>: such a failure is thrown as <see cref="AuroraDsqlAmbiguousCommitException"/>, because
	/// re-running non-idempotent work could apply it twice. A 40001 conflict at COMMIT is never ambiguous: it is retried.
	/// </summary>
	public bool RetryAmbiguousCommit { get; init; }

	/// <summary>Called before each retry with the error, the attempt that failed (1-based) and the delay.</summary>
	public Action<Exception, int, TimeSpan>? OnRetry { get; init; }

	/// <summary>The delay before retry number <paramref name="retry"/> (0-based), with jitter drawn from <see cref="Random.Shared"/>.</summary>
	public TimeSpan GetDelay(int retry)
	{
		var baseMs = BaseDelay.TotalMilliseconds * Math.Pow(Multiplier, Math.Max(0, retry));
		var capped = Math.Min(baseMs, MaxDelay.TotalMilliseconds);
		return TimeSpan.FromMilliseconds(capped * (1 + Random.Shared.NextDouble() * Jitter));
	}

	bool PrintMembers(StringBuilder builder)
	{
		builder.Append("MaxRetries = ").Append(MaxRetries)
			.Append(", BaseDelay = ").Append(BaseDelay)
			.Append(", MaxDelay = ").Append(MaxDelay)
			.Append(", Multiplier = ").Append(Multiplier)
			.Append(", Jitter = ").Append(Jitter)
			.Append(", RetryAmbiguousCommit = ").Append(RetryAmbiguousCommit);
		return true;
	}
}
