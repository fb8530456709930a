using System.Runtime.CompilerServices;

using LinqToDB.Async;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;
using LinqToDB.Metrics;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// A query run again reuses the SQL text built at its first run when that text cannot change with the parameter values.
/// Building it again costs client CPU at every run, a visible part of a single-row read, which on DSQL is one round trip.
/// Counted with linq2db's <see cref="ActivityID.BuildSql"/> activity, in this test's own async flow only.
/// </summary>
public sealed class CommandTextReuseTests
{
	[Table("ctr_account")]
	sealed class Account
	{
		[PrimaryKey] public int  Id      { get; set; }
		[Column]     public long Balance { get; set; }
	}

	static readonly AsyncLocal<StrongBox<int>?> _sqlBuilds = new();

	static CommandTextReuseTests() => ActivityService.AddFactory(id =>
	{
		if (id == ActivityID.BuildSql && _sqlBuilds.Value is { } builds)
			builds.Value++;
		return null;
	});

	DataConnection _db = null!;
	ITable<Account> _accounts = null!;

	[OneTimeSetUp]
	public async Task CreateAccountsAsync()
	{
		_db       = TestDatabase.Connect();
		_accounts = await _db.CreateTableAsync<Account>(tableName: TestNames.Unique("ctr_account"));
		await _accounts.BulkCopyAsync(Enumerable.Range(1, 5).Select(i => new Account { Id = i, Balance = i * 10 }));
	}

	[OneTimeTearDown]
	public async Task DropAccountsAsync()
	{
		await _accounts.DropAsync();
		await _db.DisposeAsync();
	}

	static async Task<(List<long> Balances, int SqlBuilds)> RunAsync(Func<int, Task<long>> read)
	{
		await read(1); // the first run builds the text

		var builds = new StrongBox<int>();
		_sqlBuilds.Value = builds;
		try
		{
			var balances = new List<long>();
			for (var id = 2; id <= 5; id++)
				balances.Add(await read(id));
			return (balances, builds.Value);
		}
		finally
		{
			_sqlBuilds.Value = null;
		}
	}

	[Test]
	public async Task FirstReusesItsCommandText()
	{
		var (balances, builds) = await RunAsync(async id => (await _accounts.FirstAsync(a => a.Id == id)).Balance);

		balances.Should().Equal(20, 30, 40, 50);
		builds.Should().Be(0, "LIMIT 1 is a literal: the text is the same at every run");
	}

	[Test]
	public async Task FirstOrDefaultReusesItsCommandText()
	{
		var (balances, builds) = await RunAsync(async id => (await _accounts.Where(a => a.Id == id).FirstOrDefaultAsync())!.Balance);

		balances.Should().Equal(20, 30, 40, 50);
		builds.Should().Be(0);
	}

	[Test]
	public async Task SingleReusesItsCommandText()
	{
		var (balances, builds) = await RunAsync(async id => (await _accounts.SingleAsync(a => a.Id == id)).Balance);

		balances.Should().Equal(20, 30, 40, 50);
		builds.Should().Be(0, "LIMIT 2 is a literal: the text is the same at every run");
	}

	[Test]
	public void SynchronousFirstReusesItsCommandText()
	{
		var (balances, builds) = RunAsync(id => Task.FromResult(_accounts.First(a => a.Id == id).Balance)).GetAwaiter().GetResult();

		balances.Should().Equal(20, 30, 40, 50);
		builds.Should().Be(0);
	}

	[Test]
	public async Task AListOfValuesStillBuildsItsTextAtEveryRun()
	{
		// the text of IN (…) depends on the list's length: built again, and each run reads its own rows
		var (balances, builds) = await RunAsync(async id =>
		{
			var ids = Enumerable.Range(1, id).ToArray();
			return (await _accounts.Where(a => ids.Contains(a.Id)).ToListAsync()).Sum(a => a.Balance);
		});

		balances.Should().Equal(30, 60, 100, 150);
		builds.Should().Be(4);
	}
}
