using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

/// <summary>Exact SQL of the DML shapes DSQL relies on: upserts as INSERT … ON CONFLICT, identities through RETURNING.</summary>
public sealed class DmlSqlTests
{
	[Table("account")]
	sealed class Account
	{
		[PrimaryKey]      public int    Id      { get; set; }
		[Column, NotNull] public string Name    { get; set; } = "";
		[Column]          public long   Balance { get; set; }
	}

	[Table("event")]
	sealed class Event
	{
		[PrimaryKey, Identity] public long   Id   { get; set; }
		[Column, NotNull]      public string Kind { get; set; } = "";
	}

	[Table("document")]
	sealed class Document
	{
		[PrimaryKey, Identity] public Guid   Id    { get; set; }
		[Column, NotNull]      public string Title { get; set; } = "";
	}

	[Test]
	public void InsertOrUpdateIsOnConflictDoUpdate()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		db.GetTable<Account>().InsertOrUpdate(() => new Account { Id = 7, Name = "cash", Balance = 10 }, a => new Account { Balance = a.Balance + 10 });

		recorder.OnlyCommand.Should().Be(
			"""
			INSERT INTO account AS t1
			(
				"Id",
				"Name",
				"Balance"
			)
			VALUES
			(
				7,
				'cash',
				10
			)
			ON CONFLICT ("Id") DO UPDATE SET
				"Balance" = t1."Balance" + 10

			""".ReplaceLineEndings("\n"));
	}

	[Test]
	public void InsertOrReplaceIsOnConflictDoUpdateOfEveryColumn()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		db.InsertOrReplace(new Account { Id = 7, Name = "cash", Balance = 10 });

		recorder.OnlyCommand.Should().Contain("ON CONFLICT (\"Id\") DO UPDATE SET").And.Contain("\"Name\" = :Name").And.NotContain("MERGE");
	}

	[Test]
	public void InsertWithInt64IdentityReturnsTheGeneratedKey()
	{
		using var db = OfflineDatabase.Connect(out var recorder);
		recorder.ScalarResult = 42L;

		db.InsertWithInt64Identity(new Event { Kind = "created" }).Should().Be(42);

		recorder.OnlyCommand.Should().Be(
			"""
			INSERT INTO event
			(
				"Kind"
			)
			VALUES
			(
				:Kind
			)
			RETURNING 
				"Id"

			""".ReplaceLineEndings("\n"));
	}

	[Test]
	public void InsertWithIdentityOfAGuidKeyReturnsTheGeneratedUuid()
	{
		using var db = OfflineDatabase.Connect(out var recorder);
		var generated = Guid.NewGuid();
		recorder.ScalarResult = generated;

		db.InsertWithIdentity(new Document { Title = "t" }).Should().Be(generated);

		recorder.OnlyCommand.Should().Contain("INSERT INTO document").And.Contain("RETURNING").And.Contain("\"Id\"").And.NotContain(":Id");
	}
}
