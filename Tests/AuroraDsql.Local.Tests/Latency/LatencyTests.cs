using System.Diagnostics;
using AuroraDsql.Local.Tests.Infrastructure;
using Npgsql;

namespace AuroraDsql.Local.Tests.Latency;

/// <summary>
/// The simulated network and commit latency: each answer is held for the network latency (a commit's for the commit
/// latency too), in order, without one session's holds delaying another's. The held times are checked on the endpoint's
/// clock, which moves only when the test advances it; the wall clock is only checked for a lower bound.
/// </summary>
public sealed class LatencyTests
{
	static readonly TimeSpan Network = TimeSpan.FromMilliseconds(5);
	static readonly TimeSpan Commit = TimeSpan.FromMilliseconds(20);
	static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

	static Task<LocalDsqlEndpoint> StartAsync(FakeTimeProvider clock, TimeSpan? lockTimeout = null) => LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
	{
		NetworkLatency = Network,
		CommitLatency  = Commit,
		TimeProvider   = clock,
		LockTimeout    = lockTimeout ?? TimeSpan.FromMilliseconds(100),
	});

	/// <summary>
	/// Waits until the endpoint holds the whole of <paramref name="answers"/> answers (the backend may send an answer in
	/// pieces), advances its clock to just before <paramref name="expected"/>: still held; then to it: the client gets them.
	/// </summary>
	static async Task<List<RawPgClient.Message>> HeldForAsync(LocalDsqlEndpoint endpoint, FakeTimeProvider clock, Task<List<RawPgClient.Message>> pending, TimeSpan expected, int answers = 1)
	{
		await Eventually.UntilAsync(() => endpoint.HeldReadyForQuery >= answers, "the endpoint to hold the whole answer");
		clock.Advance(expected - Tick);
		endpoint.HeldAnswers.Should().BeGreaterThan(0, "the answer is held for {0} ms", expected.TotalMilliseconds);
		pending.IsCompleted.Should().BeFalse();

		clock.Advance(Tick);
		var answer = await pending.WithSafetyLimit("the held answer");
		await Eventually.UntilAsync(() => endpoint.HeldAnswers == 0, "the endpoint to hold nothing");
		return answer;
	}

	[Test]
	public async Task EachRoundTripIsHeldForTheNetworkLatencyAndEachCommitForTheCommitLatencyToo()
	{
		var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
		await using var endpoint = await StartAsync(clock);
		var table = EndpointFixture.UniqueName("latency");
		var (client, _) = await RawPgClient.ConnectAsync(endpoint);
		await using var _ = client;

		// DDL outside a transaction block commits on its own
		(await HeldForAsync(endpoint, clock, client.QueryAsync($"CREATE TABLE {table} (id int PRIMARY KEY)"), Network + Commit)).Last().ToString().Should().Be("Z(I)");
		(await HeldForAsync(endpoint, clock, client.QueryAsync("SELECT 1"), Network)).Select(m => m.ToString())
			.Should().Equal("T", "D(1)", "C(SELECT 1)", "Z(I)");

		// a transaction: each statement is a round trip, the COMMIT costs the commit latency on top
		(await HeldForAsync(endpoint, clock, client.QueryAsync("BEGIN"), Network)).Last().ToString().Should().Be("Z(T)");
		(await HeldForAsync(endpoint, clock, client.QueryAsync($"INSERT INTO {table} VALUES (1)"), Network)).Last().ToString().Should().Be("Z(T)");
		(await HeldForAsync(endpoint, clock, client.QueryAsync("COMMIT"), Network + Commit)).Select(m => m.ToString()).Should().Equal("C(COMMIT)", "Z(I)");

		// a write outside a transaction block commits on its own; a read does not
		(await HeldForAsync(endpoint, clock, client.QueryAsync($"INSERT INTO {table} VALUES (2)"), Network + Commit)).Last().ToString().Should().Be("Z(I)");
		(await HeldForAsync(endpoint, clock, client.QueryAsync($"SELECT count(*) FROM {table}"), Network)).Select(m => m.ToString())
			.Should().Equal("T", "D(2)", "C(SELECT 1)", "Z(I)");

		var statistics = endpoint.GetSessionStatistics(client.ProcessId)!;
		statistics.RoundTrips.Should().Be(7);
		statistics.Statements.Should().Be(7);
		statistics.Commits.Should().Be(3);
	}

	[Test]
	public async Task PipelinedAnswersKeepTheirOrderAndNothingOvertakesAHeldCommit()
	{
		var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
		await using var endpoint = await StartAsync(clock);
		var (client, _) = await RawPgClient.ConnectAsync(endpoint);
		await using var _ = client;

		(await HeldForAsync(endpoint, clock, client.QueryAsync("BEGIN"), Network)).Last().ToString().Should().Be("Z(T)");

		// COMMIT and two queries in one write: the queries' answers, due after the network latency, wait for the COMMIT's
		await client.SendAsync(RawPgClient.Build('Q', RawPgClient.CString("COMMIT")), RawPgClient.Build('Q', RawPgClient.CString("SELECT 2")),
			RawPgClient.Build('Q', RawPgClient.CString("SELECT 3")));
		var pending = ReadAnswersAsync(client, 3);
		var answers = await HeldForAsync(endpoint, clock, pending, Network + Commit, answers: 3);
		answers.Select(m => m.ToString()).Should().Equal("C(COMMIT)", "Z(I)", "T", "D(2)", "C(SELECT 1)", "Z(I)", "T", "D(3)", "C(SELECT 1)", "Z(I)");

		var statistics = endpoint.GetSessionStatistics(client.ProcessId)!;
		statistics.RoundTrips.Should().Be(2, "the three pipelined queries were sent before any answer came");
		statistics.Statements.Should().Be(4);
		statistics.Commits.Should().Be(1);
	}

	[TestCase(false, TestName = "AnAnswerTheBackendSendsInPiecesIsHeldForTheNetworkLatencyFromItsFirstPiece")]
	[TestCase(true, TestName = "ACommitTheBackendAnswersInPiecesIsHeldForTheNetworkAndCommitLatencyFromItsFirstPiece")]
	public async Task AnAnswerInPiecesIsHeldFromItsFirstPiece(bool commits)
	{
		var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
		// the second piece waits for a row lock the test holds: long enough for the test to let it go, never a timeout
		await using var endpoint = await StartAsync(clock, lockTimeout: TimeSpan.FromMinutes(5));
		var table = EndpointFixture.UniqueName("pieces");
		var (client, _) = await RawPgClient.ConnectAsync(endpoint);
		await using var _ = client;
		await HeldForAsync(endpoint, clock, client.QueryAsync($"CREATE TABLE {table} (id int PRIMARY KEY, v int)"), Network + Commit);
		await HeldForAsync(endpoint, clock, client.QueryAsync($"INSERT INTO {table} VALUES (1, 1)"), Network + Commit);

		await using var backend = await EndpointFixture.OpenBackendAsync(endpoint);
		await using var rowLock = await backend.BeginTransactionAsync();
		await EndpointFixture.ExecuteAsync(backend, $"SELECT id FROM {table} WHERE id = 1 FOR UPDATE", rowLock);

		// One round trip, in one write: SELECT 1, a Flush (the backend sends what it has: the first piece), then a statement
		// that waits for the row, then Sync. Outside a transaction block the UPDATE commits on its own at the Sync.
		var second = commits ? $"UPDATE {table} SET v = 2 WHERE id = 1" : $"SELECT v FROM {table} WHERE id = 1 FOR UPDATE";
		await client.SendAsync([.. RawPgClient.Parse("SELECT 1"), .. RawPgClient.Bind(), .. RawPgClient.Execute(), .. RawPgClient.Build('H'),
			.. RawPgClient.Parse(second), .. RawPgClient.Bind(), .. RawPgClient.Execute(), .. RawPgClient.Sync()]);
		var pending = client.ReadUntilReadyAsync();

		// the first piece is held from the start of the answer; the backend sends the rest later (here: 3 ms later)
		await Eventually.UntilAsync(() => endpoint.HeldAnswers > 0, "the endpoint to hold the first piece");
		clock.Advance(Network - 2 * Tick);
		endpoint.HeldReadyForQuery.Should().Be(0, "the rest of the answer waits for the row");
		await rowLock.RollbackAsync();

		// the whole answer still goes out the latency after its first piece, not after its last one
		var expected = commits ? Network + Commit : Network;
		var answer = await HeldForAsync(endpoint, clock, pending, expected - (Network - 2 * Tick));
		string[] rest = commits ? ["C(UPDATE 1)", "Z(I)"] : ["D(1)", "C(SELECT 1)", "Z(I)"];
		answer.Select(m => m.ToString()).Should().Equal(["1", "2", "D(1)", "C(SELECT 1)", "1", "2", .. rest]);

		var statistics = endpoint.GetSessionStatistics(client.ProcessId)!;
		statistics.RoundTrips.Should().Be(3);
		statistics.Commits.Should().Be(commits ? 3 : 2);
	}

	[Test]
	public async Task TheEndOfACopysDataIsARoundTripOfItsOwnWhoseAnswerIsHeldFromWhenItArrives()
	{
		var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
		await using var endpoint = await StartAsync(clock);
		var table = EndpointFixture.UniqueName("copy");
		var (client, _) = await RawPgClient.ConnectAsync(endpoint);
		await using var _ = client;
		await HeldForAsync(endpoint, clock, client.QueryAsync($"CREATE TABLE {table} (id int PRIMARY KEY)"), Network + Commit);

		// the COPY's first answer (CopyInResponse) has no ReadyForQuery: the answer stays open while the client sends data
		await client.SendAsync(RawPgClient.Build('Q', RawPgClient.CString($"COPY {table} FROM STDIN")));
		var copyIn = client.ReadAsync();
		await Eventually.UntilAsync(() => endpoint.HeldAnswers > 0, "the endpoint to hold the CopyInResponse");
		clock.Advance(Network - Tick);
		copyIn.IsCompleted.Should().BeFalse();
		clock.Advance(Tick);
		(await copyIn.WithSafetyLimit("the CopyInResponse")).Type.Should().Be('G');
		await Eventually.UntilAsync(() => endpoint.HeldAnswers == 0, "the endpoint to hold nothing");

		// well after the COPY began, the client ends the data: a new round trip, whose answer is held from when it arrives
		clock.Advance(2 * (Network + Commit));
		await client.SendAsync([.. RawPgClient.Build('d', "1\n"u8.ToArray()), .. RawPgClient.Build('c')]);
		var done = client.ReadUntilReadyAsync();
		await Eventually.UntilAsync(() => endpoint.HeldReadyForQuery > 0 || done.IsCompleted, "the endpoint to hold the COPY's end");
		done.IsCompleted.Should().BeFalse("the answer is held from when it arrived, not from the start of the COPY");
		(await HeldForAsync(endpoint, clock, done, Network + Commit)).Select(m => m.ToString()).Should().Equal("C(COPY 1)", "Z(I)");

		var statistics = endpoint.GetSessionStatistics(client.ProcessId)!;
		statistics.RoundTrips.Should().Be(3);
		statistics.Commits.Should().Be(2);
	}

	static async Task<List<RawPgClient.Message>> ReadAnswersAsync(RawPgClient client, int queries)
	{
		var messages = new List<RawPgClient.Message>();
		for (var k = 0; k < queries; k++)
			messages.AddRange(await client.ReadUntilReadyAsync());
		return messages;
	}

	[Test]
	public async Task FiftySessionsHoldTheirAnswersAtTheSameTimeAndOneLatencyReleasesThemAll()
	{
		var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
		await using var endpoint = await StartAsync(clock);

		var clients = new List<RawPgClient>();
		try
		{
			for (var k = 0; k < 50; k++)
				clients.Add((await RawPgClient.ConnectAsync(endpoint)).Client);

			var pending = clients.Select((client, k) => client.QueryAsync($"SELECT {k}")).ToList();

			// every session's answer is held at once: none waits for another's hold to end
			await Eventually.UntilAsync(() => endpoint.HeldReadyForQuery == 50, "all 50 answers to be held");
			clock.Advance(Network - Tick);
			endpoint.HeldReadyForQuery.Should().Be(50);
			pending.Should().OnlyContain(task => !task.IsCompleted);

			clock.Advance(Tick);
			var answers = await Task.WhenAll(pending).WithSafetyLimit("the 50 answers");
			for (var k = 0; k < 50; k++)
				answers[k][1].ToString().Should().Be($"D({k})");
		}
		finally
		{
			foreach (var client in clients)
				await client.DisposeAsync();
		}
	}

	[Test]
	public async Task OnTheWallClockEachRoundTripTakesAtLeastTheNetworkLatencyAndACommitTheCommitLatencyToo()
	{
		var network = TimeSpan.FromMilliseconds(20);
		var commit = TimeSpan.FromMilliseconds(30);
		await using var endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { NetworkLatency = network, CommitLatency = commit });
		await using var connection = await EndpointFixture.OpenAsync(endpoint: endpoint);
		var before = endpoint.GetSessionStatistics(connection.ProcessID)!;

		var watch = Stopwatch.StartNew();
		for (var k = 0; k < 5; k++)
			(await EndpointFixture.ScalarAsync(connection, $"SELECT {k}")).Should().Be(k);
		watch.Elapsed.Should().BeGreaterThanOrEqualTo(5 * network);

		watch.Restart();
		await using (var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead))
		{
			await EndpointFixture.ExecuteAsync(connection, "SELECT 1", transaction);
			await transaction.CommitAsync();
		}

		watch.Elapsed.Should().BeGreaterThanOrEqualTo(2 * network + commit);
		var statistics = endpoint.GetSessionStatistics(connection.ProcessID)!;
		(statistics.RoundTrips - before.RoundTrips).Should().Be(7, "5 reads, BEGIN with the first statement, COMMIT");
		(statistics.Commits - before.Commits).Should().Be(1);
	}

	[Test]
	public async Task TheCommandLineOffersTheLatencyOptions()
	{
		var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
		start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "aurora-dsql-local.dll"));
		start.ArgumentList.Add("--help");
		using var process = Process.Start(start)!;
		var output = await process.StandardOutput.ReadToEndAsync();
		await process.WaitForExitAsync();
		output.Should().Contain("--network-latency").And.Contain("--commit-latency");
	}

	[Test]
	public async Task NegativeLatenciesAreRefused()
	{
		var act = () => LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { NetworkLatency = TimeSpan.FromMilliseconds(-1) });
		(await act.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().Contain("NetworkLatency");
		act = () => LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { CommitLatency = TimeSpan.FromMilliseconds(-1) });
		(await act.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().Contain("CommitLatency");
	}
}
