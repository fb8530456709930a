using System.Data;
using Npgsql;

using static AuroraDsql.Local.Tests.EndpointFixture;

namespace AuroraDsql.Local.Tests.Transactions;

/// <summary>
/// On DSQL the first of two conflicting transactions to commit wins and the later committer's COMMIT fails with 40001
/// OC000, whoever wrote the row first. These tests play every order of writes and commits the endpoint can observe with
/// real Npgsql transactions, including the one where a writer that lost its row while idle commits before the
/// transaction that took it: it is run again on its snapshot and wins when its client would see the same answers.
/// </summary>
public sealed class FirstCommitterTests
{
	const string Oc000 = "change conflicts with another transaction (OC000)";

	/// <summary>Lock waits last a minute here: only the conflict monitor can let a waiter go on in time.</summary>
	LocalDsqlEndpoint _patient = null!;

	[OneTimeSetUp]
	public async Task StartAsync() => _patient = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions
	{
		LockTimeout = TimeSpan.FromMinutes(1),
		Log         = TestContext.Progress,
	});

	[OneTimeTearDown]
	public async Task StopAsync() => await _patient.DisposeAsync();

	[TearDown]
	public async Task NoSnapshotIsKeptAfterwardsAsync() =>
		await Eventually.UntilAsync(() => _patient.KeptSnapshots == 0, "the kept snapshots to be released");

	static async Task ShouldConflictAsync(Func<Task> act)
	{
		var error = (await act.Should().ThrowAsync<PostgresException>()).Which;
		(error.SqlState, error.MessageText).Should().Be(("40001", Oc000));
	}

	/// <summary>A transaction of the test: its connection, its block (begun, snapshot taken by a read) and its number.</summary>
	sealed class Writer(NpgsqlConnection connection, NpgsqlTransaction transaction, int number) : IAsyncDisposable
	{
		public NpgsqlConnection Connection { get; } = connection;
		public NpgsqlTransaction Transaction { get; } = transaction;
		public int Number { get; } = number;

		/// <summary>Adds its own amount (1, 10, 100…) to row 1 and sets the note to its name.</summary>
		public Task<int> WriteAsync(string table) =>
			ExecuteAsync(Connection, $"UPDATE {table} SET v = v + {Amount}, note = 'T{Number}' WHERE id = 1", Transaction);

		public int Amount => (int)Math.Pow(10, Number - 1);

		public async ValueTask DisposeAsync()
		{
			await Transaction.DisposeAsync();
			await Connection.DisposeAsync();
		}
	}

	async Task<Writer[]> BeginAsync(string table, int count)
	{
		var writers = new Writer[count];
		for (var k = 0; k < count; k++)
		{
			var connection = await EndpointFixture.OpenAsync(endpoint: _patient);
			var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
			// every snapshot is taken before any write or commit: all the transactions overlap
			(await ExecuteScalarAsync(connection, $"SELECT v FROM {table} WHERE id = 1", transaction)).Should().Be(0);
			writers[k] = new Writer(connection, transaction, k + 1);
		}

		return writers;
	}

	static async Task<object?> ExecuteScalarAsync(NpgsqlConnection connection, string sql, NpgsqlTransaction transaction)
	{
		await using var command = new NpgsqlCommand(sql, connection, transaction);
		return await command.ExecuteScalarAsync();
	}

	async Task<string> RowAsync(string table)
	{
		await using var reader = await EndpointFixture.OpenAsync(endpoint: _patient);
		return (string)(await ScalarAsync(reader, $"SELECT v || ':' || note FROM {table} WHERE id = 1"))!;
	}

	/// <summary>
	/// Plays <paramref name="order"/> (W1 = transaction 1 writes row 1, C2 = transaction 2 commits…): every write succeeds,
	/// the first COMMIT succeeds and the later one fails with OC000, and the row holds the winner's write only.
	/// </summary>
	[TestCase("W1 W2 C1 C2")]
	[TestCase("W1 W2 C2 C1")]
	[TestCase("W1 C1 W2 C2")]
	[TestCase("W2 W1 C1 C2")]
	[TestCase("W2 W1 C2 C1")]
	[TestCase("W2 C2 W1 C1")]
	public async Task TheFirstOfTwoConflictingTransactionsToCommitWinsInEveryOrder(string order)
	{
		var table = await CounterTableAsync(_patient);
		var writers = await BeginAsync(table, 2);
		int? winner = null;

		try
		{
			foreach (var step in order.Split(' '))
			{
				var writer = writers[step[1] - '1'];
				if (step[0] == 'W')
					(await writer.WriteAsync(table)).Should().Be(1, step);
				else if (winner == null)
				{
					await writer.Transaction.CommitAsync();
					winner = writer.Number;
				}
				else
					await ShouldConflictAsync(() => writer.Transaction.CommitAsync());
			}
		}
		finally
		{
			foreach (var writer in writers)
				await writer.DisposeAsync();
		}

		(await RowAsync(table)).Should().Be($"{writers[winner!.Value - 1].Amount}:T{winner}");
	}

	/// <summary>
	/// Three transactions write the same row one after the other (each takes it from the idle one before); whichever
	/// commits first wins, the other two fail at COMMIT.
	/// </summary>
	[TestCase("C1 C2 C3")]
	[TestCase("C2 C1 C3")]
	[TestCase("C3 C2 C1")]
	[TestCase("C1 C3 C2")]
	public async Task TheFirstOfThreeConflictingTransactionsToCommitWins(string order)
	{
		var table = await CounterTableAsync(_patient);
		var writers = await BeginAsync(table, 3);
		int? winner = null;

		try
		{
			foreach (var writer in writers)
				(await writer.WriteAsync(table)).Should().Be(1);

			foreach (var step in order.Split(' '))
			{
				var writer = writers[step[1] - '1'];
				if (winner == null)
				{
					await writer.Transaction.CommitAsync();
					winner = writer.Number;
				}
				else
					await ShouldConflictAsync(() => writer.Transaction.CommitAsync());
			}
		}
		finally
		{
			foreach (var writer in writers)
				await writer.DisposeAsync();
		}

		(await RowAsync(table)).Should().Be($"{writers[winner!.Value - 1].Amount}:T{winner}");
	}

	[Test]
	public async Task AWriterThatLostItsRowAndRollsBackLeavesItToTheTransactionThatTookIt()
	{
		var table = await CounterTableAsync(_patient);
		var writers = await BeginAsync(table, 2);
		await using var first = writers[0];
		await using var second = writers[1];

		(await first.WriteAsync(table)).Should().Be(1);
		(await second.WriteAsync(table)).Should().Be(1);
		await first.Transaction.RollbackAsync();
		await second.Transaction.CommitAsync();

		(await RowAsync(table)).Should().Be("10:T2");
	}

	[Test]
	public async Task AWriterThatLostItsRowCommitsWhenTheTransactionThatTookItRolledBack()
	{
		var table = await CounterTableAsync(_patient);
		var writers = await BeginAsync(table, 2);
		await using var first = writers[0];
		await using var second = writers[1];

		(await first.WriteAsync(table)).Should().Be(1);
		(await second.WriteAsync(table)).Should().Be(1);
		await second.Transaction.RollbackAsync();
		await first.Transaction.CommitAsync();

		(await RowAsync(table)).Should().Be("1:T1");
	}

	[Test]
	public async Task AWriterThatLostItsRowFailsAtItsNextStatementAndTheOtherCommits()
	{
		var table = await CounterTableAsync(_patient);
		var writers = await BeginAsync(table, 2);
		await using var first = writers[0];
		await using var second = writers[1];

		(await first.WriteAsync(table)).Should().Be(1);
		(await second.WriteAsync(table)).Should().Be(1);
		await ShouldConflictAsync(() => ExecuteScalarAsync(first.Connection, $"SELECT v FROM {table} WHERE id = 1", first.Transaction));
		await first.Transaction.RollbackAsync();
		await second.Transaction.CommitAsync();

		(await RowAsync(table)).Should().Be("10:T2");
	}

	[Test]
	public async Task AWriterRunAgainWithParametersAndPreparedStatementsCommitsWithEveryWrite()
	{
		var table = await CounterTableAsync(_patient, 3);
		var writers = await BeginAsync(table, 2);
		await using var first = writers[0];
		await using var second = writers[1];

		// extended protocol with bound values, a prepared (named) statement, and rows returned to the client
		await using (var update = new NpgsqlCommand($"UPDATE {table} SET v = v + @amount, note = @note WHERE id = @id RETURNING id, v", first.Connection, first.Transaction))
		{
			update.Parameters.AddWithValue("amount", 7);
			update.Parameters.AddWithValue("note", "first");
			update.Parameters.AddWithValue("id", 1);
			await update.PrepareAsync();
			await using (var reader = await update.ExecuteReaderAsync())
			{
				(await reader.ReadAsync()).Should().BeTrue();
				(reader.GetInt32(0), reader.GetInt32(1)).Should().Be((1, 7));
			}

			update.Parameters["amount"].Value = 5;
			update.Parameters["id"].Value = 2;
			(await update.ExecuteNonQueryAsync()).Should().Be(1);
		}

		await using (var read = new NpgsqlCommand($"SELECT string_agg(id || '=' || v, ',' ORDER BY id) FROM {table} WHERE id <= @last", first.Connection, first.Transaction))
		{
			read.Parameters.AddWithValue("last", 3);
			(await read.ExecuteScalarAsync()).Should().Be("1=7,2=5,3=0");
		}

		(await second.WriteAsync(table)).Should().Be(1);
		await first.Transaction.CommitAsync();
		await ShouldConflictAsync(() => second.Transaction.CommitAsync());

		await using var check = await EndpointFixture.OpenAsync(endpoint: _patient);
		(await ScalarAsync(check, $"SELECT string_agg(id || '=' || v || note, ',' ORDER BY id) FROM {table}")).Should().Be("1=7first,2=5first,3=0");
	}

	[Test]
	public async Task AWriterWhoseRunAgainReturnsOtherRowsFailsAtCommitAndTheOtherWins()
	{
		var table = await CounterTableAsync(_patient);
		var writers = await BeginAsync(table, 2);
		await using var first = writers[0];
		await using var second = writers[1];

		// the client saw a clock reading: run again, the transaction would return another one
		await using (var update = new NpgsqlCommand($"UPDATE {table} SET v = v + 1, note = 'T1' WHERE id = 1 RETURNING v, clock_timestamp()", first.Connection, first.Transaction))
		await using (var reader = await update.ExecuteReaderAsync())
			(await reader.ReadAsync()).Should().BeTrue();

		(await second.WriteAsync(table)).Should().Be(1);
		await ShouldConflictAsync(() => first.Transaction.CommitAsync());
		await second.Transaction.CommitAsync();

		(await RowAsync(table)).Should().Be("10:T2");
	}

	[Test]
	public async Task AnAutocommitWriteThatTookTheRowMakesTheIdleWriterFailAtCommit()
	{
		var table = await CounterTableAsync(_patient);
		var writers = await BeginAsync(table, 1);
		await using var first = writers[0];
		await using var other = await EndpointFixture.OpenAsync(endpoint: _patient);

		(await first.WriteAsync(table)).Should().Be(1);
		(await ExecuteAsync(other, $"UPDATE {table} SET v = v + 10, note = 'auto' WHERE id = 1")).Should().Be(1);
		await ShouldConflictAsync(() => first.Transaction.CommitAsync());

		(await RowAsync(table)).Should().Be("10:auto");
	}
}
