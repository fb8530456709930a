using LinqToDB.Data;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

public sealed class RetryClassificationTests
{
	static PostgresException Pg(string sqlState, string message) => new(message, "ERROR", "ERROR", sqlState);

	[Test]
	public void ConflictsAreRecognizedThroughWrappers()
	{
		var oc000 = Pg("40001", "change conflicts with another transaction (OC000)");
		var oc001 = Pg("40001", "schema has been updated by another transaction (OC001)");

		AuroraDsqlErrors.IsOptimisticConcurrencyConflict(oc000).Should().BeTrue();
		AuroraDsqlErrors.IsOptimisticConcurrencyConflict(new LinqToDBException("wrapped", oc000)).Should().BeTrue();
		AuroraDsqlErrors.IsOptimisticConcurrencyConflict(new AggregateException(new InvalidOperationException("x"), oc001)).Should().BeTrue();
		AuroraDsqlErrors.IsOptimisticConcurrencyConflict(new InvalidOperationException("change conflicts with another transaction, please retry: (OC000)")).Should().BeTrue();
		AuroraDsqlErrors.IsSchemaChangeConflict(oc001).Should().BeTrue();
		AuroraDsqlErrors.IsSchemaChangeConflict(oc000).Should().BeFalse();

		AuroraDsqlErrors.IsOptimisticConcurrencyConflict(Pg("23505", "duplicate key value violates unique constraint")).Should().BeFalse();
	}

	[TestCase("40001", "change conflicts with another transaction (OC000)", true)]
	[TestCase("XX000", "server unavailable", true)]
	[TestCase("XX000", "internal error", false)]
	[TestCase("53400", "Unable to accept connection, rate exceeded.", true)]
	[TestCase("53300", "Unable to accept connection, too many open connections.", true)]
	[TestCase("54000", "transaction row limit exceeded", false)]
	[TestCase("0A000", "unsupported statement: Truncate", false)]
	[TestCase("23505", "duplicate key", false)]
	public void TransientErrors(string sqlState, string message, bool transient) =>
		AuroraDsqlErrors.IsTransient(Pg(sqlState, message)).Should().Be(transient);

	static readonly AuroraDsqlRetryOptions _instant = new() { MaxRetries = 2, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero };

	static IEnumerable<TestCaseData> StatementFailures()
	{
		yield return new TestCaseData(Pg("40001", "change conflicts with another transaction (OC000)"), 3).SetName("a conflict is retried");
		yield return new TestCaseData(Pg("53300", "Unable to accept connection, too many open connections."), 3).SetName("a connection limit is retried");
		yield return new TestCaseData(new NpgsqlException("Failed to connect to 127.0.0.1:5432", new System.Net.Sockets.SocketException(111)), 3)
			.SetName("a failure to connect is retried");
		yield return new TestCaseData(new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01"), 1)
			.SetName("a session ended by the server is not retried on its dead connection");
		yield return new TestCaseData(new NpgsqlException("Exception while reading from stream", new EndOfStreamException()), 1)
			.SetName("a session lost on the network is not retried on its dead connection");
	}

	[TestCaseSource(nameof(StatementFailures))]
	public void TheStatementPolicyRetriesOnlyWhereAnotherTryCanWork(Exception failure, int attempts)
	{
		using var db = Infrastructure.OfflineDatabase.Connect(out _);
		var policy = new AuroraDsqlRetryPolicy(db, _instant);
		var tries = 0;

		FluentActions.Invoking(() => policy.Execute<int>(() =>
			{
				tries++;
				throw failure;
			}))
			.Should().Throw<Exception>();

		tries.Should().Be(attempts);
	}

	[Test]
	public void TransactionLimits() =>
		AuroraDsqlErrors.IsTransactionLimitExceeded(new LinqToDBException("x", Pg("54000", "transaction row limit exceeded"))).Should().BeTrue();

	[Test]
	public void DelaysGrowExponentiallyWithBoundedJitter()
	{
		var options = new AuroraDsqlRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1), Multiplier = 2, Jitter = 0.25 };

		for (var i = 0; i < 50; i++)
		{
			options.GetDelay(0).TotalMilliseconds.Should().BeInRange(100, 125);
			options.GetDelay(2).TotalMilliseconds.Should().BeInRange(400, 500);
			options.GetDelay(10).TotalMilliseconds.Should().BeInRange(1000, 1250, "the delay is capped before jitter");
		}

		(options with { Jitter = 0 }).GetDelay(1).Should().Be(TimeSpan.FromMilliseconds(200));
	}

	[Test]
	public void InvalidRetryOptionsAreRefused()
	{
		FluentActions.Invoking(() => new AuroraDsqlRetryOptions { MaxRetries = -1 }).Should().Throw<ArgumentOutOfRangeException>();
		FluentActions.Invoking(() => new AuroraDsqlRetryOptions { Jitter = 1.5 }).Should().Throw<ArgumentOutOfRangeException>();
		FluentActions.Invoking(() => new AuroraDsqlRetryOptions { Multiplier = 0.5 }).Should().Throw<ArgumentOutOfRangeException>();
	}

	[Test]
	public void PolicyRetriesTransientErrorsUpToTheLimit()
	{
		var policy   = AuroraDsqlRetryPolicy.ForAutocommit(new AuroraDsqlOptions { RetryOptions = new AuroraDsqlRetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.Zero } });
		var attempts = 0;

		FluentActions.Invoking(() => policy.Execute(() =>
			{
				attempts++;
				throw Pg("40001", "change conflicts with another transaction (OC000)");
			}))
			.Should().Throw<PostgresException>();

		attempts.Should().Be(4);

		attempts = 0;
		policy.Execute(() => ++attempts < 3 ? throw Pg("XX000", "server unavailable") : attempts).Should().Be(3);

		attempts = 0;
		FluentActions.Invoking(() => policy.Execute(() => { attempts++; throw Pg("23505", "duplicate"); })).Should().Throw<PostgresException>();
		attempts.Should().Be(1, "non-transient errors are not retried");
	}

	[Test]
	public async Task OnePolicyInstanceServesConcurrentCallers()
	{
		var policy = AuroraDsqlRetryPolicy.ForAutocommit(new AuroraDsqlOptions { RetryOptions = new AuroraDsqlRetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(1) } });

		var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => policy.ExecuteAsync(async _ =>
		{
			await Task.Yield();
			return i;
		}))));

		results.Should().BeEquivalentTo(Enumerable.Range(0, 32));

		var failures = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
		{
			var calls = 0;
			try
			{
				await policy.ExecuteAsync<int>(_ => { calls++; throw Pg("40001", "(OC000)"); });
			}
			catch (PostgresException)
			{
			}

			return calls;
		})));

		failures.Should().AllBeEquivalentTo(3, "each caller gets its own retry budget");
	}
}
