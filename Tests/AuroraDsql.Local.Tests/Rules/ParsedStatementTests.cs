using System.Collections.Concurrent;
using AuroraDsql.Local.Classification;
using AuroraDsql.Local.Proxy;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Tests.Rules;

/// <summary>
/// A statement text a session parses again (an unprepared command sends Parse, Bind and Execute at every execution) is
/// classified once, while per-transaction rules still apply at every execution and refusals are decided again.
/// </summary>
public sealed class ParsedStatementTests
{
	const string DdlAndDml = "ddl and dml are not supported in the same transaction";

	LocalDsqlEndpoint _endpoint = null!;
	readonly CountingClassifier _classifier = new();

	/// <summary>Counts what it is asked to classify; refuses TRUNCATE; depends on the text alone.</summary>
	sealed class CountingClassifier : IStatementClassifier
	{
		public ConcurrentQueue<string> Seen { get; } = new();

		public bool DependsOnTextAndSessionOnly => true;

		public StatementPlan? Classify(StatementContext context)
		{
			Seen.Enqueue(context.Statement.StatementText);
			return context.Statement.IsKeyword(0, "truncate") ? StatementPlan.Refuse(context.Statement, "0A000", "unsupported statement: Truncate") : null;
		}
	}

	[OneTimeSetUp]
	public async Task StartAsync() =>
		_endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { Classifiers = [_classifier] });

	[OneTimeTearDown]
	public async Task StopAsync() => await _endpoint.DisposeAsync();

	static string Outcome(List<RawPgClient.Message> messages) => string.Join(" ", messages.Where(m => m.Type is 'C' or 'E' or 'Z' or 'D').Select(m => m.ToString()));

	[Test]
	public async Task AnUnpreparedStatementRunThreeTimesIsClassifiedOnce()
	{
		var (client, _) = await RawPgClient.ConnectAsync(_endpoint);
		await using var __ = client;
		const string sql = "SELECT 40 + $1::int AS parsed_again";

		for (var k = 0; k < 3; k++)
		{
			await client.SendAsync(RawPgClient.Parse(sql), RawPgClient.Bind("", "", k.ToString(System.Globalization.CultureInfo.InvariantCulture)), RawPgClient.Execute(), RawPgClient.Sync());
			Outcome(await client.ReadUntilReadyAsync()).Should().Be($"D({40 + k}) C(SELECT 1) Z(I)");
		}

		_classifier.Seen.Count(s => s == sql).Should().Be(1);
	}

	[Test]
	public async Task ARefusalIsDecidedAgainAtEveryParse()
	{
		var (client, _) = await RawPgClient.ConnectAsync(_endpoint);
		await using var __ = client;
		const string sql = "TRUNCATE parsed_statement_refused";

		for (var k = 0; k < 2; k++)
		{
			await client.SendAsync(RawPgClient.Parse(sql), RawPgClient.Bind(), RawPgClient.Execute(), RawPgClient.Sync());
			Outcome(await client.ReadUntilReadyAsync()).Should().Be("E(0A000: unsupported statement: Truncate) Z(I)");
		}

		_classifier.Seen.Count(s => s == sql).Should().Be(2);
	}

	[Test]
	public async Task AStatementParsedAgainIsCheckedInEachTransaction()
	{
		var table = EndpointFixture.UniqueName("reparsed");
		var other = EndpointFixture.UniqueName("reparsed_ddl");
		var (client, _) = await RawPgClient.ConnectAsync(EndpointFixture.Endpoint);
		await using var __ = client;
		await client.QueryAsync($"CREATE TABLE {table} (id int PRIMARY KEY)");
		var insert = $"INSERT INTO {table} VALUES ($1::int)";

		async Task<string> InsertAsync(int id)
		{
			await client.SendAsync(RawPgClient.Parse(insert), RawPgClient.Bind("", "", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), RawPgClient.Execute(), RawPgClient.Sync());
			return Outcome(await client.ReadUntilReadyAsync());
		}

		(await InsertAsync(1)).Should().Be("C(INSERT 0 1) Z(I)");

		// the same text again after DDL in a block: its plan is kept, its per-transaction check runs again
		await client.QueryAsync("BEGIN");
		Outcome(await client.QueryAsync($"CREATE TABLE {other} (a int)")).Should().Be("C(CREATE TABLE) Z(T)");
		(await InsertAsync(2)).Should().Be($"E(0A000: {DdlAndDml}) Z(E)");
		Outcome(await client.QueryAsync("COMMIT")).Should().Be("C(ROLLBACK) Z(I)");

		(await InsertAsync(3)).Should().Be("C(INSERT 0 1) Z(I)");
		Outcome(await client.QueryAsync($"SELECT string_agg(id::text, ',' ORDER BY id) FROM {table}")).Should().Be("D(1,3) C(SELECT 1) Z(I)");
	}

	[Test]
	public void KeepsPlansThatNeedNothingOfTheText()
	{
		var statement = StatementSplitter.Split("SELECT 1")[0];
		ParsedStatementCache.MayKeep(null).Should().BeTrue();
		ParsedStatementCache.MayKeep(new StatementPlan { OnExecute = _ => { } }).Should().BeTrue();
		ParsedStatementCache.MayKeep(new StatementPlan { Sql = "SELECT 2" }).Should().BeFalse();
		ParsedStatementCache.MayKeep(StatementPlan.Refuse(statement, "0A000", "no")).Should().BeFalse();
		ParsedStatementCache.MayKeep(new StatementPlan { InjectBefore = ["SELECT 3"] }).Should().BeFalse();
		ParsedStatementCache.MayKeep(new StatementPlan { WaitForJob = new JobReference("j", 0) }).Should().BeFalse();
	}

	[Test]
	public void ATextKeptUnderOneStandardConformingStringsIsNotFoundUnderTheOther()
	{
		var cache = new ParsedStatementCache();
		var text = "SELECT 'a\\'; SELECT 1; --'"u8.ToArray();
		var info = new PreparedStatementInfo(null, TransactionControl.Begin);

		cache.Add(text, standardConformingStrings: true, new ParsedStatementCache.Entry(info));
		cache.TryGet(text, standardConformingStrings: true, out var kept).Should().BeTrue();
		kept.Info.Should().BeSameAs(info);
		cache.TryGet(text, standardConformingStrings: false, out _).Should().BeFalse();
		cache.TryGet("SELECT 'a\\'; SELECT 1; --' "u8, standardConformingStrings: true, out _).Should().BeFalse();

		cache.Add(text, standardConformingStrings: false, new ParsedStatementCache.Entry(null));
		cache.TryGet(text, standardConformingStrings: true, out _).Should().BeFalse();
		cache.TryGet(text, standardConformingStrings: false, out kept).Should().BeTrue();
		kept.Info.Should().BeNull();
	}

	[Test]
	public void KeepsAtMostItsLimitOfTexts()
	{
		var cache = new ParsedStatementCache();
		for (var k = 0; k < ParsedStatementCache.MaxEntries * 3; k++)
			cache.Add(System.Text.Encoding.UTF8.GetBytes($"SELECT {k}"), true, new ParsedStatementCache.Entry(null));

		cache.Count.Should().BeInRange(1, ParsedStatementCache.MaxEntries);
		cache.TryGet(System.Text.Encoding.UTF8.GetBytes($"SELECT {ParsedStatementCache.MaxEntries * 3 - 1}"), true, out _).Should().BeTrue();
	}
}
