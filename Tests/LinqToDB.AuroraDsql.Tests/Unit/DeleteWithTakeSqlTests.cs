using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

/// <summary>
/// <c>Delete()</c> after <c>Take</c>/<c>Skip</c>: PostgreSQL has no <c>DELETE … LIMIT</c> (linq2db's PostgreSQL provider
/// emits it anyway), so the rows are chosen by key in a subquery, the way updates with <c>Take</c> are.
/// </summary>
public sealed class DeleteWithTakeSqlTests
{
	[Table("job")]
	sealed class Job
	{
		[PrimaryKey]      public int    Id       { get; set; }
		[Column, NotNull] public string State    { get; set; } = "";
		[Column]          public int    Priority { get; set; }
	}

	[Table("slot")]
	sealed class Slot
	{
		[PrimaryKey(1)] public int Day  { get; set; }
		[PrimaryKey(2)] public int Hour { get; set; }
		[Column]        public int Load { get; set; }
	}

	[Table("event_log")]
	sealed class EventLog
	{
		[Column] public int    Sequence { get; set; }
		[Column] public string Text     { get; set; } = "";
	}

	[Test]
	public void OrderByTakeDeleteChoosesTheRowsByKeyInASubquery()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		db.GetTable<Job>().Where(j => j.State == "done").OrderBy(j => j.Priority).Take(100).Delete();

		recorder.OnlyCommand.Should().Be(
			"""
			DELETE FROM
				job t1
			WHERE
				t1."Id" IN (
					SELECT
						j."Id"
					FROM
						job j
					WHERE
						j."State" = 'done'
					ORDER BY
						j."Priority"
					LIMIT :take
				)

			""".ReplaceLineEndings("\n"));
	}

	[Test]
	public async Task SkipAndTakeStayInTheSubquery()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		await db.GetTable<Job>().OrderByDescending(j => j.Priority).ThenBy(j => j.Id).Skip(10).Take(5).DeleteAsync();

		recorder.OnlyCommand.Should().Be(
			"""
			DELETE FROM
				job t1
			WHERE
				t1."Id" IN (
					SELECT
						t2."Id"
					FROM
						job t2
					ORDER BY
						t2."Priority" DESC,
						t2."Id"
					LIMIT :take OFFSET :skip 
				)

			""".ReplaceLineEndings("\n"));
	}

	[Test]
	public void ACompositeKeyIsComparedAsARow()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		db.GetTable<Slot>().OrderBy(s => s.Load).Take(3).Delete();

		recorder.OnlyCommand.Should().Be(
			"""
			DELETE FROM
				slot t1
			WHERE
				(t1."Day", t1."Hour") IN (
					SELECT
						t2."Day",
						t2."Hour"
					FROM
						slot t2
					ORDER BY
						t2."Load"
					LIMIT :take
				)

			""".ReplaceLineEndings("\n"));
	}

	[Test]
	public void DeleteWithOutputReturnsTheDeletedRows()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		db.GetTable<Job>().OrderBy(j => j.Priority).Take(2).DeleteWithOutput(j => new { j.Id, Next = j.Priority + 1 }).ToArray().Should().BeEmpty();

		recorder.OnlyCommand.Should().Be(
			"""
			DELETE FROM
				job t1
			WHERE
				t1."Id" IN (
					SELECT
						t2."Id"
					FROM
						job t2
					ORDER BY
						t2."Priority"
					LIMIT :take
				)
			RETURNING
				t1."Id",
				t1."Priority" + 1

			""".ReplaceLineEndings("\n"));
	}

	[Test]
	public void TakeBeforeAFilteredDeleteSelectsTheKeysThroughTheSubquery()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		// linq2db's PostgreSQL provider emits DELETE FROM (SELECT … LIMIT) for this shape.
		db.GetTable<Job>().Take(10).Delete(j => j.State == "done");

		recorder.OnlyCommand.Should().Be(
			"""
			DELETE FROM
				job t1
			WHERE
				t1."Id" IN (
					SELECT
						t2."Id"
					FROM
						(
							SELECT
								j."State" as "State_1",
								j."Id"
							FROM
								job j
							LIMIT :take
						) t2
					WHERE
						t2."State_1" = 'done'
				)

			""".ReplaceLineEndings("\n"));
	}

	[Test]
	public void ADeleteWithoutTakeIsLeftAsItIs()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		db.GetTable<Job>().Where(j => j.State == "done").OrderBy(j => j.Priority).Delete();

		recorder.OnlyCommand.Should().Be(
			"""
			DELETE FROM
				job j
			WHERE
				j."State" = 'done'

			""".ReplaceLineEndings("\n"));
	}

	[Test]
	public void ATableWithoutAPrimaryKeyIsRefusedBeforeAnythingIsSent()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		db.Invoking(d => d.GetTable<EventLog>().OrderBy(e => e.Sequence).Take(10).Delete())
			.Should().Throw<AuroraDsqlNotSupportedException>()
			.WithMessage("*Take/Skip deletes through the primary key*'event_log' has none mapped*Nothing was sent*[PrimaryKey]*");

		recorder.Commands.Should().BeEmpty();
	}
}
