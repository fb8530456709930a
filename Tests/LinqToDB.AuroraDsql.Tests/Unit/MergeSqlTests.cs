using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

/// <summary>
/// Exact SQL of <c>Merge()</c> on DSQL, which has no MERGE: upserts as <c>INSERT … SELECT … ON CONFLICT</c>, update-only
/// merges as <c>UPDATE … FROM</c>, and the shapes ON CONFLICT cannot express refused before anything is sent.
/// </summary>
public sealed class MergeSqlTests
{
	[Table("stock")]
	[AuroraDsqlIndex("ux_stock_sku", nameof(Sku), Unique = true)]
	[AuroraDsqlIndex("ux_stock_bin", nameof(Bin), Unique = true, Predicate = "\"Bin\" IS NOT NULL")]
	sealed class Stock
	{
		[PrimaryKey]      public int     Id       { get; set; }
		[Column, NotNull] public string  Sku      { get; set; } = "";
		[Column]          public int     Quantity { get; set; }
		[Column]          public string? Bin      { get; set; }
	}

	[Table("event")]
	sealed class Event
	{
		[PrimaryKey, Identity] public long   Id   { get; set; }
		[Column, NotNull]      public string Kind { get; set; } = "";
	}

	static readonly Stock[] _rows = [new() { Id = 1, Sku = "a", Quantity = 2 }, new() { Id = 2, Sku = "b", Quantity = 3 }];

	static string Sql(Action<DataConnection> merge)
	{
		using var db = OfflineDatabase.Connect(out var recorder);
		merge(db);
		return recorder.OnlyCommand;
	}

	static void ShouldRefuse(Action<DataConnection> merge, string messagePattern, Func<AuroraDsqlOptions, AuroraDsqlOptions>? options = null)
	{
		using var db = OfflineDatabase.Connect(out var recorder, options);

		FluentActions.Invoking(() => merge(db)).Should().Throw<AuroraDsqlNotSupportedException>().WithMessage(messagePattern);
		recorder.Commands.Should().BeEmpty("nothing may be sent when the merge cannot run on DSQL");
	}

	[Test]
	public void AnUpsertFromACollectionIsInsertSelectFromValuesOnConflictDoUpdate() =>
		Sql(db => db.GetTable<Stock>().Merge().Using(_rows).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().Merge())
			.Should().Be(
				"""
				INSERT INTO stock AS "Target"
				(
					"Id",
					"Sku",
					"Quantity",
					"Bin"
				)
				SELECT
					"Source"."Id",
					"Source"."Sku",
					"Source"."Quantity",
					"Source"."Bin"
				FROM
					(
						SELECT
							t1."Id",
							t1."Sku",
							t1."Quantity",
							t1."Bin"
						FROM
							(VALUES
								(1,'a',2,NULL::text), (2,'b',3,NULL)
							) t1("Id", "Sku", "Quantity", "Bin")
					) "Source"
				(
						"Id",
						"Sku",
						"Quantity",
						"Bin"
				)
				ON CONFLICT ("Id") DO UPDATE SET
					"Sku" = EXCLUDED."Sku",
					"Quantity" = EXCLUDED."Quantity",
					"Bin" = EXCLUDED."Bin"

				""".ReplaceLineEndings("\n"));

	[Test]
	public void InsertOnlyIsOnConflictDoNothing() =>
		Sql(db => db.GetTable<Stock>().Merge().Using(_rows).OnTargetKey().InsertWhenNotMatched().Merge())
			.Should().EndWith("ON CONFLICT (\"Id\") DO NOTHING\n").And.StartWith("INSERT INTO stock AS \"Target\"");

	[Test]
	public void AConditionalUpdateReadsTheSourceThroughExcluded() =>
		Sql(db => db.GetTable<Stock>().Merge()
				.Using(db.GetTable<Stock>().TableName("incoming"))
				.On(t => t.Sku, s => s.Sku)
				.UpdateWhenMatchedAnd((t, s) => t.Quantity < s.Quantity, (t, s) => new Stock { Quantity = t.Quantity + s.Quantity })
				.InsertWhenNotMatched()
				.Merge())
			.Should().EndWith(
				"""
				ON CONFLICT ("Sku") DO UPDATE SET
					"Quantity" = "Target"."Quantity" + EXCLUDED."Quantity"
				WHERE
					"Target"."Quantity" < EXCLUDED."Quantity"

				""".ReplaceLineEndings("\n"))
			.And.Contain("FROM\n\t\t\tincoming");

	[Test]
	public void AnUpdateOnlyMergeIsUpdateFrom() =>
		Sql(db => db.GetTable<Stock>().Merge()
				.Using(_rows)
				.On((t, s) => t.Sku == s.Sku && t.Quantity > 0)
				.UpdateWhenMatched((t, s) => new Stock { Quantity = t.Quantity + s.Quantity })
				.Merge())
			.Should().StartWith(
				"""
				UPDATE stock AS "Target"
				SET
					"Quantity" = "Target"."Quantity" + "Source"."Quantity"
				FROM
				""".ReplaceLineEndings("\n"))
			.And.EndWith(
				"""
				WHERE
					"Target"."Sku" = "Source"."Sku" AND "Target"."Quantity" > 0

				""".ReplaceLineEndings("\n"));

	[Test]
	public void AnEmptyCollectionIsAnEmptyTypedRowSet() =>
		Sql(db => db.GetTable<Stock>().Merge().Using(Array.Empty<Stock>()).OnTargetKey().InsertWhenNotMatched().Merge())
			.Should().Contain("(SELECT NULL::Int \"Id\", NULL::text \"Sku\", NULL::Int \"Quantity\", NULL::text \"Bin\" WHERE 1 = 0)");

	[Test]
	public void DeleteBranchesAreRefused()
	{
		ShouldRefuse(db => db.GetTable<Stock>().Merge().Using(_rows).OnTargetKey().DeleteWhenMatched().Merge(), "*has no MERGE*DELETE branches*separate Delete()*Nothing was sent.");
		ShouldRefuse(db => db.GetTable<Stock>().Merge().Using(_rows).OnTargetKey().UpdateWhenMatchedThenDelete((t, s) => t.Quantity == 0).Merge(), "*DELETE branches*");
	}

	[Test]
	public void NotMatchedBySourceIsRefused() =>
		ShouldRefuse(db => db.GetTable<Stock>().Merge().Using(_rows).OnTargetKey().InsertWhenNotMatched()
				.UpdateWhenNotMatchedBySource(t => new Stock { Quantity = 0 }).Merge(),
			"*NOT MATCHED BY SOURCE*separate statement*");

	[Test]
	public void AnInsertMatchingOnAnythingButAKeyIsRefused()
	{
		ShouldRefuse(db => db.GetTable<Stock>().Merge().Using(_rows).On((t, s) => t.Id == s.Id && t.Quantity > 0).InsertWhenNotMatched().Merge(),
			"*not a plain equality of target key columns*OnTargetKey()*");
		ShouldRefuse(db => db.GetTable<Stock>().Merge().Using(_rows).On(t => t.Quantity, s => s.Quantity).InsertWhenNotMatched().Merge(),
			"*ON CONFLICT (Quantity)*primary key or unique index*declares none*");
	}

	[Test]
	public void APartialUniqueIndexIsRefused() =>
		ShouldRefuse(db => db.GetTable<Stock>().Merge().Using(_rows).On(t => t.Bin, s => s.Bin).UpdateWhenMatched().InsertWhenNotMatched().Merge(),
			"*partial unique index \"ux_stock_bin\"*");

	[Test]
	public void AnInsertThatDoesNotSetTheMatchedKeyIsRefused() =>
		ShouldRefuse(db => db.GetTable<Event>().Merge().Using(new[] { new Event { Id = 1, Kind = "x" } }).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatched().Merge(),
			"*does not set key column \"Id\"*identity key*");

	[Test]
	public void AnUpdateReadingASourceValueTheInsertDoesNotCopyIsRefused() =>
		ShouldRefuse(db => db.GetTable<Stock>().Merge().Using(_rows).OnTargetKey()
				.UpdateWhenMatched((t, s) => new Stock { Quantity = s.Quantity })
				.InsertWhenNotMatched(s => new Stock { Id = s.Id, Sku = s.Sku })
				.Merge(),
			"*reads source value(s) \"Quantity\"*EXCLUDED*");

	[Test]
	public void AnInsertConditionNextToAnUpdateIsRefused() =>
		ShouldRefuse(db => db.GetTable<Stock>().Merge().Using(_rows).OnTargetKey().UpdateWhenMatched().InsertWhenNotMatchedAnd(s => s.Quantity > 0).Merge(),
			"*InsertWhenNotMatchedAnd*Filter the source instead*");

	[Test]
	public void TwoUpdateBranchesAreRefused() =>
		ShouldRefuse(db => db.GetTable<Stock>().Merge().Using(_rows).OnTargetKey()
				.UpdateWhenMatchedAnd((t, s) => t.Quantity > 0, (t, s) => new Stock { Quantity = 1 })
				.UpdateWhenMatched((t, s) => new Stock { Quantity = 2 })
				.Merge(),
			"*more than one UpdateWhenMatched*");

	[Test]
	public void MoreSourceRowsThanOneTransactionMayModifyAreRefused() =>
		ShouldRefuse(db => db.GetTable<Stock>().Merge().Using(Enumerable.Range(1, 11).Select(i => new Stock { Id = i, Sku = "s" + i }).ToArray())
				.OnTargetKey().InsertWhenNotMatched().Merge(),
			"*11 source rows*at most 10 rows*chunks*",
			o => o with { MaxRowsPerTransaction = 10 });
}
