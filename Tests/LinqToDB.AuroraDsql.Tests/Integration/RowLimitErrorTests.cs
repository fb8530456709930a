using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// A plain <c>INSERT … SELECT</c>, <c>UPDATE</c> or <c>DELETE</c> over DSQL's 3,000-row limit fails at the server with a
/// bare 54000; the provider turns it into <see cref="AuroraDsqlRowLimitExceededException"/>, which names the batched
/// operation to use instead and keeps the server's error.
/// </summary>
public sealed class RowLimitErrorTests
{
	[Table]
	sealed class Staged
	{
		[PrimaryKey]      public int    Id     { get; set; }
		[Column, NotNull] public string Name   { get; set; } = "";
		[Column]          public int    Amount { get; set; }
	}

	[Table]
	sealed class Ledger
	{
		[PrimaryKey]      public int    Id     { get; set; }
		[Column, NotNull] public string Name   { get; set; } = "";
		[Column]          public int    Amount { get; set; }
	}

	DataConnection _dsql = null!;
	readonly List<string> _tables = [];

	[SetUp]
	public void Connect() => _dsql = TestDatabase.Connect();

	[TearDown]
	public async Task DropAsync()
	{
		foreach (var table in _tables)
			await _dsql.ExecuteAsync($"DROP TABLE IF EXISTS {table}");

		_tables.Clear();
		await _dsql.DisposeAsync();
	}

	async Task<ITable<T>> TableAsync<T>(string prefix, IEnumerable<T>? rows = null)
		where T : class
	{
		var name = TestNames.Unique(prefix);
		_tables.Add(name);

		var table = await _dsql.CreateTableAsync<T>(name);
		if (rows != null)
			await table.BulkCopyAsync(rows);
		return table;
	}

	static IEnumerable<Staged> StagedRows(int count) =>
		Enumerable.Range(1, count).Select(i => new Staged { Id = i, Name = $"row {i}", Amount = i % 97 });

	[Test]
	public async Task AnInsertSelectOverTheLimitNamesInsertInBatches()
	{
		var staged = await TableAsync("batch_staged", StagedRows(3_200));
		var ledger = await TableAsync<Ledger>("batch_ledger");

		var error = (await FluentActions.Awaiting(() => staged.InsertAsync(ledger, s => new Ledger { Id = s.Id, Name = s.Name, Amount = s.Amount }))
			.Should().ThrowAsync<AuroraDsqlRowLimitExceededException>()
			.WithMessage("*more than Aurora DSQL's limit of 3,000 rows*nothing was changed*InsertInBatches*")).Which;

		error.SqlState.Should().Be("54000");
		error.InnerException.Should().BeOfType<PostgresException>().Which.SqlState.Should().Be("54000");
		AuroraDsqlErrors.IsTransactionLimitExceeded(error).Should().BeTrue();
		(await ledger.CountAsync()).Should().Be(0);
	}

	[Test]
	public async Task AnUpdateOrDeleteOverTheLimitNamesTheBatchedOperation()
	{
		var staged = await TableAsync("batch_staged", StagedRows(3_200));

		(await FluentActions.Awaiting(() => staged.Where(s => s.Id > 0).Set(s => s.Amount, s => s.Amount + 1).UpdateAsync())
			.Should().ThrowAsync<AuroraDsqlRowLimitExceededException>()).WithMessage("*UpdateInBatches*");

		FluentActions.Invoking(() => staged.Where(s => s.Id > 0).Delete())
			.Should().Throw<AuroraDsqlRowLimitExceededException>().WithMessage("*DeleteInBatches*")
			.Which.InnerException.Should().BeOfType<PostgresException>();

		(await staged.CountAsync()).Should().Be(3_200);
		(await staged.SumAsync(s => s.Amount)).Should().Be(StagedRows(3_200).Sum(s => s.Amount));
	}

	[Test]
	public async Task InsideATransactionTheLimitErrorSaysTheTransactionIsAborted()
	{
		var staged = await TableAsync("batch_staged", StagedRows(3_200));

		await using var tx = await _dsql.BeginTransactionAsync();

		await FluentActions.Awaiting(() => staged.Where(s => s.Id > 0).DeleteAsync())
			.Should().ThrowAsync<AuroraDsqlRowLimitExceededException>().WithMessage("*took its transaction past*aborted*rolled back*outside the transaction*DeleteInBatches*");
	}
}
