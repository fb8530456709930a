using System.Data;

using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

/// <summary>
/// Exact SQL of <c>InsertInBatches</c>: a page of source keys in key order, then that key range inserted by one
/// <c>INSERT … SELECT</c> (with <c>ON CONFLICT (key) DO NOTHING</c> when the setter sets the target's key); and the
/// refusals before anything is sent.
/// </summary>
public sealed class InsertInBatchesSqlTests
{
	[Table("staged")]
	sealed class Staged
	{
		[PrimaryKey]      public int    Id     { get; set; }
		[Column, NotNull] public string Name   { get; set; } = "";
		[Column]          public int    Amount { get; set; }
	}

	[Table("ledger")]
	sealed class Ledger
	{
		[PrimaryKey]      public int    Id     { get; set; }
		[Column, NotNull] public string Name   { get; set; } = "";
		[Column]          public int    Amount { get; set; }
	}

	[Table("event")]
	sealed class Event
	{
		[PrimaryKey, Identity] public long   Id   { get; set; }
		[Column, NotNull]      public string Name { get; set; } = "";
	}

	[Table("reading")]
	sealed class Reading
	{
		[PrimaryKey(0)] public int Sensor { get; set; }
		[PrimaryKey(1)] public int Hour   { get; set; }
		[Column]        public int Value  { get; set; }
	}

	[Table("note")]
	sealed class Note
	{
		[Column] public string Text { get; set; } = "";
	}

	/// <summary>The server's answer to the page of keys: <paramref name="keys"/> rows of the given key columns.</summary>
	static DataTable Keys(string[] columns, params int[][] keys)
	{
		var table = new DataTable();
		foreach (var column in columns)
			table.Columns.Add(column, typeof(int));
		foreach (var key in keys)
			table.Rows.Add(key.Cast<object>().ToArray());
		return table;
	}

	[Test]
	public void ABatchIsInsertSelectOverAKeyRangeSkippingKeysAlreadyInTheTarget()
	{
		using var db = OfflineDatabase.Connect(out var recorder);
		recorder.ReaderResult = Keys(["Id"], [3], [8]);

		db.GetTable<Staged>().Where(s => s.Amount > 3)
			.InsertInBatches(db.GetTable<Ledger>(), s => new Ledger { Id = s.Id, Name = s.Name, Amount = s.Amount * 2 }, batchSize: 10);

		recorder.Commands.Should().Equal(
			"""
			SELECT
				t."Id"
			FROM
				staged t
			WHERE
				t."Amount" > 3
			ORDER BY
				t."Id"
			LIMIT :take

			""".ReplaceLineEndings("\n"),
			"""
			INSERT INTO ledger AS "Target"
			(
				"Id",
				"Name",
				"Amount"
			)
			SELECT
				"Source"."Id",
				"Source"."Name",
				"Source"."Amount" * 2
			FROM
				(
					SELECT
						s."Id",
						s."Name",
						s."Amount"
					FROM
						staged s
					WHERE
						s."Amount" > 3 AND s."Id" >= 3 AND s."Id" <= 8
				) "Source"
			(
					"Id",
					"Name",
					"Amount"
			)
			ON CONFLICT ("Id") DO NOTHING

			""".ReplaceLineEndings("\n"));
	}

	[Test]
	public void ABatchIntoAGeneratedKeyIsAPlainInsertSelect()
	{
		using var db = OfflineDatabase.Connect(out var recorder);
		recorder.ReaderResult = Keys(["Id"], [1], [2]);

		db.GetTable<Staged>().InsertInBatches(db.GetTable<Event>(), s => new Event { Name = s.Name }, batchSize: 10);

		recorder.Commands.Should().HaveCount(2);
		recorder.Commands[1].Should().Be(
			"""
			INSERT INTO event
			(
				"Name"
			)
			SELECT
				t."Name"
			FROM
				staged t
			WHERE
				t."Id" >= 1 AND t."Id" <= 2

			""".ReplaceLineEndings("\n"));
	}

	[Test]
	public void ACompositeSourceKeyIsPagedByRowComparison()
	{
		using var db = OfflineDatabase.Connect(out var recorder);
		recorder.ReaderResult = Keys(["Sensor", "Hour"], [1, 5], [2, 7]);

		db.GetTable<Reading>().InsertInBatches(db.GetTable<Reading>().TableName("reading_copy"), r => new Reading { Sensor = r.Sensor, Hour = r.Hour, Value = r.Value }, batchSize: 10);

		recorder.Commands.Should().Equal(
			"""
			SELECT
				t."Sensor",
				t."Hour"
			FROM
				reading t
			ORDER BY
				t."Sensor",
				t."Hour"
			LIMIT :take

			""".ReplaceLineEndings("\n"),
			"""
			INSERT INTO reading_copy AS "Target"
			(
				"Sensor",
				"Hour",
				"Value"
			)
			SELECT
				"Source"."Sensor",
				"Source"."Hour_1",
				"Source"."Value_1"
			FROM
				(
					SELECT
						t."Sensor",
						t."Hour" as "Hour_1",
						t."Value" as "Value_1"
					FROM
						reading t
					WHERE
						(t."Sensor", t."Hour") >= (1, 5) AND (t."Sensor", t."Hour") <= (2, 7)
				) "Source"
			(
					"Sensor",
					"Hour_1",
					"Value_1"
			)
			ON CONFLICT ("Sensor", "Hour") DO NOTHING

			""".ReplaceLineEndings("\n"));
	}

	[Test]
	public void ASourceWithoutAPrimaryKeyIsRefused()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		FluentActions.Invoking(() => db.GetTable<Note>().InsertInBatches(db.GetTable<Event>(), n => new Event { Name = n.Text }))
			.Should().Throw<AuroraDsqlNotSupportedException>().WithMessage("*walks the source in primary-key order*Note has no mapped primary key*[PrimaryKey]*");
		recorder.Commands.Should().BeEmpty();
	}

	[TestCase(0)]
	[TestCase(3_001)]
	public void ABatchSizeOutsideDsqlsLimitIsRefused(int batchSize)
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		FluentActions.Invoking(() => db.GetTable<Staged>().InsertInBatches(db.GetTable<Ledger>(), s => new Ledger { Id = s.Id }, batchSize))
			.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*between 1 and 3,000*");
		recorder.Commands.Should().BeEmpty();
	}
}
