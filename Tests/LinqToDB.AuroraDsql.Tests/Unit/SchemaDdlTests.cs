using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Unit;

/// <summary>Exact DDL for async indexes and constraints, and what is refused before sending.</summary>
public sealed class SchemaDdlTests
{
	[Table("owner")]
	sealed class Owner
	{
		[PrimaryKey] public Guid   Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	[Table("pet")]
	[AuroraDsqlIndex("ix_pet_owner_name", nameof(OwnerId), nameof(Name) + " NULLS LAST", Include = [nameof(Born)])]
	[AuroraDsqlIndex("ux_pet_tag", "tag_code", Unique = true, NullsNotDistinct = true, Predicate = "\"Deleted\" = false")]
	[AuroraDsqlIndex("ix_pet_lower_name", "(lower(\"Name\"))")]
	[AuroraDsqlForeignKey("fk_pet_owner", typeof(Owner), nameof(OwnerId), OnDelete = AuroraDsqlReferentialAction.Cascade)]
	[AuroraDsqlCheck("ck_pet_weight", "\"Weight\" > 0")]
	sealed class Pet
	{
		[PrimaryKey]             public Guid      Id      { get; set; }
		[Column]                 public Guid      OwnerId { get; set; }
		[Column]                 public string    Name    { get; set; } = "";
		[Column("tag_code")]     public string?   Tag     { get; set; }
		[Column]                 public DateTime? Born    { get; set; }
		[Column]                 public bool      Deleted { get; set; }
		[Column(Precision = 6, Scale = 2)] public decimal Weight { get; set; }
		[Column(DataType = DataType.BinaryJson)] public string? Traits { get; set; }
		[Column]                 public byte[]?   Photo   { get; set; }
	}

	[Table("bad_pet")]
	[AuroraDsqlIndex("ix_bad", nameof(Name) + " DESC")]
	sealed class SortedIndexPet
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	[Table("bad_expression_pet")]
	[AuroraDsqlIndex("ix_bad_expression", "(lower(\"Name\")) DESC")]
	sealed class SortedExpressionIndexPet
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	[Test]
	public void CreateIndexRendersEveryOption()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		db.CreateIndex<Pet>(
			"ix_pet_search",
			p => new { p.OwnerId, Name = AuroraDsqlIndex.NullsFirst(p.Name), Lower = p.Name.ToLower() },
			new AuroraDsqlIndexOptions<Pet>
			{
				Unique           = true,
				Include          = p => new { p.Born, p.Weight },
				NullsNotDistinct = true,
				Where            = p => !p.Deleted && p.Weight > 1.5m,
				IfNotExists      = true,
			});

		recorder.OnlyCommand.Should().Be(
			"CREATE UNIQUE INDEX ASYNC IF NOT EXISTS ix_pet_search ON pet (\"OwnerId\", \"Name\" NULLS FIRST, (Lower(\"Name\"))) " +
			"INCLUDE (\"Born\", \"Weight\") NULLS NOT DISTINCT WHERE NOT \"Deleted\" AND \"Weight\" > 1.5");
	}

	[Test]
	public void ExpressionKeysAreTranslatedWhole()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		// In a plain projection linq2db would compute ?? in .NET and leave only the column in the SQL.
		db.CreateIndex<Pet>("ix_pet_tag", p => p.Tag ?? "none", new AuroraDsqlIndexOptions<Pet> { Unique = true });

		recorder.OnlyCommand.Should().Be("CREATE UNIQUE INDEX ASYNC ix_pet_tag ON pet ((Coalesce(tag_code, 'none')))");
	}

	[Test]
	public void ExpressionsRenderWithoutTheRowAliasWhenIdentifiersAreAlwaysQuoted()
	{
		using var db = OfflineDatabase.Connect(out var recorder);
		using var quoted = new DataConnection(db.Options.WithOptions(LinqToDB.DataProvider.PostgreSQL.PostgreSQLOptions.Default with
		{
			IdentifierQuoteMode = LinqToDB.DataProvider.PostgreSQL.PostgreSQLIdentifierQuoteMode.Quote,
		}));

		quoted.CreateIndex<Pet>("ix_pet_lower", p => p.Name.ToLower(), new AuroraDsqlIndexOptions<Pet> { Where = p => !p.Deleted });

		recorder.OnlyCommand.Should().Be("CREATE INDEX ASYNC \"ix_pet_lower\" ON \"pet\" ((Lower(\"Name\"))) WHERE NOT \"Deleted\"");
	}

	[Test]
	public void SingleKeyIndex()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		db.CreateIndex<Pet>("ix_pet_owner", p => p.OwnerId);

		recorder.OnlyCommand.Should().Be("CREATE INDEX ASYNC ix_pet_owner ON pet (\"OwnerId\")");
	}

	[Test]
	public void EnsureSchemaCreatesTheTableThenEachDeclaredIndexIdempotently()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		db.EnsureSchema<Pet>();

		recorder.Commands.Should().HaveCount(4);
		recorder.Commands[0].Should().StartWith("CREATE TABLE IF NOT EXISTS pet").And.Contain(
			"""
				CONSTRAINT "PK_pet" PRIMARY KEY ("Id"),
				CONSTRAINT fk_pet_owner FOREIGN KEY ("OwnerId") REFERENCES "owner" ("Id") ON DELETE CASCADE,
				CONSTRAINT ck_pet_weight CHECK ("Weight" > 0)
			)
			""".ReplaceLineEndings("\n"));
		recorder.Commands.Skip(1).Should().BeEquivalentTo(
			"CREATE INDEX ASYNC IF NOT EXISTS ix_pet_owner_name ON pet (\"OwnerId\", \"Name\" NULLS LAST) INCLUDE (\"Born\")",
			"CREATE UNIQUE INDEX ASYNC IF NOT EXISTS ux_pet_tag ON pet (tag_code) NULLS NOT DISTINCT WHERE \"Deleted\" = false",
			"CREATE INDEX ASYNC IF NOT EXISTS ix_pet_lower_name ON pet ((lower(\"Name\")))");
	}

	[Test]
	public void ForeignKeyEmissionCanBeTurnedOff()
	{
		using var db = OfflineDatabase.Connect(out var recorder, o => o with { EmitForeignKeys = false });

		db.CreateTable<Pet>();

		recorder.OnlyCommand.Should().NotContain("FOREIGN KEY").And.Contain("CONSTRAINT ck_pet_weight CHECK (\"Weight\" > 0)");
	}

	[Test]
	public void ForeignKeyOnAnExistingTableIsAddedNotValidThenValidatedAsynchronously()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		db.AddForeignKey<Pet, Owner>("fk_pet_owner", p => p.OwnerId, o => o.Id, new AuroraDsqlConstraintOptions { OnDelete = AuroraDsqlReferentialAction.SetNull });

		recorder.Commands.Should().Equal(
			"ALTER TABLE pet ADD CONSTRAINT fk_pet_owner FOREIGN KEY (\"OwnerId\") REFERENCES \"owner\" (\"Id\") ON DELETE SET NULL NOT VALID",
			"ALTER TABLE ASYNC pet VALIDATE CONSTRAINT fk_pet_owner");
	}

	[Test]
	public void CheckConstraintFromALinqPredicate()
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		db.AddCheckConstraint<Pet>("ck_pet_name", p => p.Name != "" && p.Weight < 500m, new AuroraDsqlConstraintOptions { Validate = false });

		recorder.OnlyCommand.Should().Be("ALTER TABLE pet ADD CONSTRAINT ck_pet_name CHECK ((\"Name\" <> '' OR \"Name\" IS NULL) AND \"Weight\" < 500) NOT VALID");
	}

	static void ShouldRefuse(Action<DataConnection> action, string message)
	{
		using var db = OfflineDatabase.Connect(out var recorder);

		FluentActions.Invoking(() => action(db)).Should().Throw<Exception>().WithMessage(message)
			.Which.Should().Match<Exception>(e => e is AuroraDsqlNotSupportedException || e is ArgumentException);
		recorder.Commands.Should().BeEmpty();
	}

	[Test]
	public void WhatDsqlCannotIndexIsRefusedBeforeSending()
	{
		ShouldRefuse(db => db.CreateIndex<Pet>("ix", p => new { p.Id, p.OwnerId, p.Name, p.Tag, p.Born, p.Deleted, p.Weight, A = p.Name.ToUpper(), B = p.Name.Trim() }),
			"*9 key parts*at most 8*INCLUDE*");
		ShouldRefuse(db => db.CreateIndex<Pet>("ix", p => p.Traits), "*column Traits is jsonb*cannot use as an index key*");
		ShouldRefuse(db => db.CreateIndex<Pet>("ix", p => p.Photo), "*column Photo is bytea*");
		ShouldRefuse(db => db.CreateIndex<Pet>("ix", p => p.Name, new AuroraDsqlIndexOptions<Pet> { Include = p => p.Name.ToLower() }),
			"*INCLUDE takes columns only*");
		ShouldRefuse(db => db.CreateIndex<Pet>("app.ix", p => p.Name), "*schema-qualified*bare name*");
		ShouldRefuse(db => db.CreateIndex<Pet>("ix", p => p.Name, new AuroraDsqlIndexOptions<Pet> { NullsNotDistinct = true }),
			"*NULLS NOT DISTINCT only applies to a unique index*");
		ShouldRefuse(db => db.EnsureSchema<SortedIndexPet>(), "*does not support ASC/DESC on index keys*");
		ShouldRefuse(db => db.EnsureSchema<SortedExpressionIndexPet>(), "*key '(lower(\"Name\")) DESC' has a sort order*");
	}
}
