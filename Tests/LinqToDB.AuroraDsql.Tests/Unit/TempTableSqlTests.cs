using System.Text.RegularExpressions;

using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Internal.DataProvider.AuroraDsql.Schema;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

/// <summary>
/// Exact SQL of temporary tables on DSQL: a regular table named <c>tmp_&lt;UTC time&gt;_&lt;random&gt;_&lt;name&gt;</c> with an
/// unnamed primary key, reached by every later statement of the same connection under that name.
/// </summary>
public sealed class TempTableSqlTests
{
	[Table]
	sealed class WantedId
	{
		[PrimaryKey] public int Id { get; set; }
	}

	[Test]
	public void ATempTableIsCreatedQueriedAndDroppedUnderOneUniqueName()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		using (var table = db.CreateTempTable<WantedId>("wanted_ids"))
			table.Where(w => w.Id > 5).Delete();

		recorder.Executed.Should().HaveCount(3);
		var name = Regex.Match(recorder.Executed[0], "\"(tmp_[0-9]{14}_[0-9a-f]{8}_wanted_ids)\"").Groups[1].Value;
		name.Should().NotBeEmpty();

		recorder.Executed.Should().Equal(
			$"""
			CREATE TABLE "{name}"
			(
				"Id" Int NOT NULL,

				PRIMARY KEY ("Id")
			)

			""".ReplaceLineEndings("\n"),
			$"""
			DELETE FROM
				"{name}" w
			WHERE
				w."Id" > 5

			""".ReplaceLineEndings("\n"),
			$"""
			DROP TABLE IF EXISTS "{name}"

			""".ReplaceLineEndings("\n"));
	}

	[Test]
	public void NamesCarryTheUtcCreationTimeAndStayWithinPostgreSqlsIdentifierLength()
	{
		var created = new DateTime(2026, 12, 7, 6, 5, 4, DateTimeKind.Utc);

		TemporaryTables.NewName("Wanted IDs!", created).Should().MatchRegex("^tmp_20261207060504_[0-9a-f]{8}_wanted_ids$");
		TemporaryTables.NewName(new string('x', 100), created).Should().HaveLength(63).And.StartWith("tmp_20261207060504_");
		TemporaryTables.CreatedAt(TemporaryTables.NewName("orders", created)).Should().Be(created);
		TemporaryTables.CreatedAt("tmp_orders").Should().BeNull("tables of other names are never taken for leftovers");
		TemporaryTables.CreatedAt("orders").Should().BeNull();
	}
}
