using LinqToDB.DataProvider.AuroraDsql.Testing;
using System.Data;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

public sealed class TransactionTests
{
	[Table("tx_eager_parent")]
	sealed class Parent
	{
		[PrimaryKey] public int Id { get; set; }
		[Association(ThisKey = nameof(Id), OtherKey = nameof(Child.ParentId))]
		public List<Child> Children { get; set; } = [];
	}

	[Table("tx_eager_child")]
	sealed class Child
	{
		[PrimaryKey] public int Id       { get; set; }
		[Column]     public int ParentId { get; set; }
	}

	static string CurrentIsolation(DataConnection db) => db.Execute<string>("SHOW transaction_isolation");

	[Test]
	public void BeginTransactionWithoutLevelRunsRepeatableRead()
	{
		using var db = TestDatabase.Connect();
		using var transaction = db.BeginTransaction();

		CurrentIsolation(db).Should().Be("repeatable read");
		db.Transaction!.IsolationLevel.Should().Be(IsolationLevel.RepeatableRead);
	}

	[Test]
	public async Task BeginTransactionAsyncWithoutLevelRunsRepeatableRead()
	{
		await using var db = TestDatabase.Connect();
		await using var transaction = await db.BeginTransactionAsync();

		CurrentIsolation(db).Should().Be("repeatable read");
	}

	[TestCase(IsolationLevel.RepeatableRead)]
	[TestCase(IsolationLevel.Snapshot)]
	public void SupportedLevelsRunRepeatableRead(IsolationLevel level)
	{
		using var db = TestDatabase.Connect();
		using var transaction = db.BeginTransaction(level);

		CurrentIsolation(db).Should().Be("repeatable read");
	}

	[TestCase(IsolationLevel.ReadCommitted)]
	[TestCase(IsolationLevel.Serializable)]
	public async Task OtherLevelsAreRefusedBeforeAnythingIsSent(IsolationLevel level)
	{
		var recorder = new SqlRecorder();
		await using var db = TestDatabase.Connect(o => o.UseInterceptor(recorder));

		FluentActions.Invoking(() => db.BeginTransaction(level))
			.Should().Throw<AuroraDsqlNotSupportedException>().WithMessage($"*REPEATABLE READ*refuses {level}*");
		await FluentActions.Awaiting(() => db.BeginTransactionAsync(level))
			.Should().ThrowAsync<AuroraDsqlNotSupportedException>();

		db.Transaction.Should().BeNull();
		CurrentIsolation(db).Should().Be("repeatable read", "the connection stays usable (the server default is repeatable read)");
	}

	[Test]
	public void NestedTransactionsAreRefusedAndTheOuterOneCarriesOn()
	{
		using var db = TestDatabase.Connect();
		using var transaction = db.BeginTransaction();

		// linq2db refuses a second BeginTransaction on a DataConnection itself; the connection refuses it when called directly.
		FluentActions.Invoking(() => db.BeginTransaction()).Should().Throw<InvalidOperationException>();
		FluentActions.Invoking(() => db.OpenDbConnection().BeginTransaction())
			.Should().Throw<AuroraDsqlNotSupportedException>().WithMessage("*no nested transactions or savepoints*");

		CurrentIsolation(db).Should().Be("repeatable read");
		transaction.Commit();
		db.Transaction.Should().BeNull();
	}

	[Test]
	public async Task EagerLoadingRunsInARepeatableReadTransaction()
	{
		await using var db = TestDatabase.Connect();
		var parents  = await db.CreateTableAsync<Parent>();
		var children = await db.CreateTableAsync<Child>();

		try
		{
			await parents.InsertAsync(() => new Parent { Id = 1 });
			await children.InsertAsync(() => new Child { Id = 10, ParentId = 1 });
			await children.InsertAsync(() => new Child { Id = 11, ParentId = 1 });

			var loaded = await parents
				.LoadWith(p => p.Children)
				.ToListAsync();

			loaded.Should().ContainSingle().Which.Children.Select(c => c.Id).Should().BeEquivalentTo([10, 11]);
		}
		finally
		{
			await children.DropAsync();
			await parents.DropAsync();
		}
	}

	[Test]
	public async Task CommitAndRollback()
	{
		await using var db = TestDatabase.Connect();
		var table = await db.CreateTableAsync<Child>(tableName: TestNames.Unique("tx_commit"));

		try
		{
			await using (var tx = await db.BeginTransactionAsync())
			{
				await table.InsertAsync(() => new Child { Id = 1, ParentId = 0 });
				await tx.CommitAsync();
			}

			await using (var tx = await db.BeginTransactionAsync())
			{
				await table.InsertAsync(() => new Child { Id = 2, ParentId = 0 });
				await tx.RollbackAsync();
			}

			(await table.Select(c => c.Id).ToListAsync()).Should().Equal(1);
		}
		finally
		{
			await table.DropAsync();
		}
	}
}
