namespace AuroraDsql.Local.Tests.Infrastructure;

sealed class FakeTimeProvider : TimeProvider
{
	public FakeTimeProvider(DateTimeOffset now) => Now = now;

	public DateTimeOffset Now { get; set; }

	public override DateTimeOffset GetUtcNow() => Now;
}
