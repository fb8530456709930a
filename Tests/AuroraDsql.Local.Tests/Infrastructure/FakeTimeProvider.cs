namespace AuroraDsql.Local.Tests;

sealed class FakeTimeProvider : TimeProvider
{
	public FakeTimeProvider(DateTimeOffset now) => Now = now;

	public DateTimeOffset Now { get; set; }

	public override DateTimeOffset GetUtcNow() => Now;
}
