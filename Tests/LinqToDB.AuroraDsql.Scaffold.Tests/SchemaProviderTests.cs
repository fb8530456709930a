using LinqToDB.DataProvider.AuroraDsql.Testing;
using System.Text.RegularExpressions;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.SchemaProvider;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary><c>GetSchema</c> on the test schema: exact types, keys, identity, defaults, indexes, comments, filters, procedures.</summary>
public sealed partial class SchemaProviderTests
{
	DatabaseSchema _schema = null!;
	SqlRecorder    _recorder = null!;

	[OneTimeSetUp]
	public void ReadSchema()
	{
		_recorder = new SqlRecorder();
		using var db = TestDatabase.Connect(_recorder);

		// everything on, procedures included (linq2db's default)
		_schema = db.DataProvider.GetSchemaProvider().GetSchema(db, new GetSchemaOptions());
	}

	AuroraDsqlTableSchema Table(string schema, string name) =>
		_schema.Tables.Cast<AuroraDsqlTableSchema>().Single(t => t.SchemaName == schema && t.TableName == name);

	AuroraDsqlColumnSchema Column(string table, string column) =>
		Table("shop", table).Columns.Cast<AuroraDsqlColumnSchema>().Single(c => c.ColumnName == column);

	#region Types

	[TestCase("id",            "bigint",                         DataType.Int64,          typeof(long),           null, null, null, false)]
	[TestCase("c_smallint",    "smallint",                       DataType.Int16,          typeof(short),          null, null, null, true)]
	[TestCase("c_integer",     "integer",                        DataType.Int32,          typeof(int),            null, null, null, false)]
	[TestCase("c_bigint",      "bigint",                         DataType.Int64,          typeof(long),           null, null, null, true)]
	[TestCase("c_real",        "real",                           DataType.Single,         typeof(float),          null, null, null, true)]
	[TestCase("c_double",      "double precision",               DataType.Double,         typeof(double),         null, null, null, true)]
	[TestCase("c_numeric",     "numeric(12,4)",                  DataType.Decimal,        typeof(decimal),        null, 12,   4,    false)]
	[TestCase("c_numeric_big", "numeric(38,0)",                  DataType.Decimal,        typeof(decimal),        null, 38,   0,    true)]
	[TestCase("c_char",        "character(3)",                   DataType.NChar,          typeof(string),         3,    null, null, true)]
	[TestCase("c_char1",       "character(1)",                   DataType.NChar,          typeof(char),           1,    null, null, true)]
	[TestCase("c_varchar",     "character varying(50)",          DataType.NVarChar,       typeof(string),         50,   null, null, true)]
	[TestCase("c_text",        "text",                           DataType.Text,           typeof(string),         null, null, null, false)]
	[TestCase("c_bytea",       "bytea",                          DataType.Binary,         typeof(byte[]),         null, null, null, true)]
	[TestCase("c_boolean",     "boolean",                        DataType.Boolean,        typeof(bool),           null, null, null, false)]
	[TestCase("c_date",        "date",                           DataType.Date,           typeof(DateTime),       null, null, null, true)]
	[TestCase("c_time",        "time without time zone",         DataType.Time,           typeof(TimeSpan),       null, null, null, true)]
	[TestCase("c_time3",       "time(3) without time zone",      DataType.Time,           typeof(TimeSpan),       null, 3,    null, true)]
	[TestCase("c_timetz",      "time with time zone",            DataType.TimeTZ,         typeof(DateTimeOffset), null, null, null, true)]
	[TestCase("c_timestamp",   "timestamp without time zone",    DataType.DateTime2,      typeof(DateTime),       null, null, null, true)]
	[TestCase("c_timestamp3",  "timestamp(3) without time zone", DataType.DateTime2,      typeof(DateTime),       null, 3,    null, true)]
	[TestCase("c_timestamptz", "timestamp with time zone",       DataType.DateTimeOffset, typeof(DateTimeOffset), null, null, null, true)]
	[TestCase("c_interval",    "interval",                       DataType.Interval,       typeof(TimeSpan),       null, null, null, true)]
	[TestCase("c_uuid",        "uuid",                           DataType.Guid,           typeof(Guid),           null, null, null, true)]
	[TestCase("c_json",        "json",                           DataType.Json,           typeof(string),         null, null, null, true)]
	[TestCase("c_jsonb",       "jsonb",                          DataType.BinaryJson,     typeof(string),         null, null, null, true)]
	public void ColumnTypesAreExact(string name, string columnType, DataType dataType, Type systemType, int? length, int? precision, int? scale, bool nullable)
	{
		var column = Column("all_types", name);

		column.ColumnType.Should().Be(columnType);
		column.DataType.Should().Be(dataType);
		column.SystemType.Should().Be(systemType);
		column.Length.Should().Be(length);
		column.Precision.Should().Be(precision);
		column.Scale.Should().Be(scale);
		column.IsNullable.Should().Be(nullable);
	}

	[Test]
	public async Task ColumnTypesMatchPostgresFormatType()
	{
		// test-only check of the provider's own type formatting against the server's format_type()
		foreach (var column in Table("shop", "all_types").Columns.Concat(Table("shop", "order_line").Columns))
		{
			var expected = await TestDatabase.ScalarAsync<string>(
				$"SELECT format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END) " +
				$"FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = 'shop.{column.Table.TableName}'::regclass AND a.attname = '{column.ColumnName}'");

			column.ColumnType.Should().Be(expected, column.ColumnName);
		}
	}

	[Test]
	public void DomainColumnsReportTheirBaseType()
	{
		var quantity = Column("order_line", "quantity");

		quantity.ColumnType.Should().Be("integer");
		quantity.DataType.Should().Be(DataType.Int32);
		quantity.IsNullable.Should().BeFalse();
		quantity.DefaultValue.Should().Be("1");
	}

	[Test]
	public void MemberTypesFollowNullability()
	{
		Column("all_types", "c_integer").MemberType.Should().Be("int");
		Column("all_types", "c_smallint").MemberType.Should().Be("short?");
		Column("all_types", "c_text").MemberType.Should().Be("string");
		Column("all_types", "c_bytea").MemberType.Should().Be("byte[]");
	}

	#endregion

	#region Identity, defaults, generated columns

	[Test]
	public void IdentityColumnsReportTheirCacheAndGeneration()
	{
		var byDefault = Column("all_types", "id");
		byDefault.IsIdentity.Should().BeTrue();
		byDefault.IdentityCache.Should().Be(65_536);
		byDefault.IsIdentityGeneratedAlways.Should().BeFalse();
		byDefault.SkipOnInsert.Should().BeTrue();

		var always = Column("pet", "id");
		always.IsIdentity.Should().BeTrue();
		always.IdentityCache.Should().Be(1);
		always.IsIdentityGeneratedAlways.Should().BeTrue();

		Column("all_types", "c_bigint").IsIdentity.Should().BeFalse();
		Column("all_types", "c_bigint").IdentityCache.Should().BeNull();
	}

	[Test]
	public void DefaultsAreReported()
	{
		Column("owner", "id").DefaultValue.Should().Be("gen_random_uuid()");
		Column("owner", "id").IsIdentity.Should().BeFalse("a UUID default is not an identity");
		Column("owner", "created_at").DefaultValue.Should().Be("now()");
		Column("all_types", "c_boolean").DefaultValue.Should().Be("false");
		Column("all_types", "c_text").DefaultValue.Should().Be("''::text");
		Column("all_types", "c_integer").DefaultValue.Should().BeNull();
	}

	[Test]
	public void GeneratedColumnsAreSkippedOnWrite()
	{
		var total = Column("order_line", "total");

		total.GenerationExpression.Should().Contain("price").And.Contain("quantity");
		total.DefaultValue.Should().BeNull();
		total.SkipOnInsert.Should().BeTrue();
		total.SkipOnUpdate.Should().BeTrue();
		total.ColumnType.Should().Be("numeric(12,2)");
	}

	#endregion

	#region Keys

	[Test]
	public void CompositePrimaryKeyKeepsKeyOrder()
	{
		var table = Table("shop", "order_line");

		table.PrimaryKeyName.Should().Be("order_line_pkey");
		table.Columns.Where(c => c.IsPrimaryKey).OrderBy(c => c.PrimaryKeyOrder).Select(c => (c.ColumnName, c.PrimaryKeyOrder))
			.Should().Equal(("order_id", 1), ("line_no", 2));
		Column("order_line", "pet_id").PrimaryKeyOrder.Should().Be(-1);
	}

	[Test]
	public void ForeignKeysAreReadWithTheirColumnsInOrder()
	{
		var shipment = Table("shop", "shipment");
		var key      = shipment.ForeignKeys.Single(k => k.KeyName == "shipment_line_fk");

		key.ThisTable.Should().BeSameAs(shipment);
		key.OtherTable.Should().BeSameAs(Table("shop", "order_line"));
		key.ThisColumns.Select(c => c.ColumnName).Should().Equal("order_id", "line_no");
		key.OtherColumns.Select(c => c.ColumnName).Should().Equal("order_id", "line_no");
		key.ThisColumns.Should().AllSatisfy(c => c.Table.Should().BeSameAs(shipment));
		key.AssociationType.Should().Be(AssociationType.ManyToOne);
		key.BackReference.Should().NotBeNull();
		Table("shop", "order_line").ForeignKeys.Should().Contain(key.BackReference!);

		Table("shop", "owner_profile").ForeignKeys.Single(k => k.BackReference != null).AssociationType.Should().Be(AssociationType.OneToOne);
		Table("shop", "employee").ForeignKeys.Count(k => k.BackReference != null).Should().Be(2, "two self-references");
	}

	[Test]
	public void ForeignKeysAcrossSchemasAreRead()
	{
		var key = Table("extra", "audit_log").ForeignKeys.Single(k => k.BackReference != null);

		key.OtherTable.Should().BeSameAs(Table("shop", "owner"));
		key.ThisColumns.Single().ColumnName.Should().Be("shop_owner_id");
	}

	[Test]
	public void EveryTableAndColumnIsOfTheProvidersTypes()
	{
		_schema.Tables.Should().AllBeOfType<AuroraDsqlTableSchema>();
		_schema.Tables.SelectMany(t => t.Columns).Should().AllBeOfType<AuroraDsqlColumnSchema>();
		_schema.Tables.SelectMany(t => t.Columns.Select(c => (c.Table, t))).Should().AllSatisfy(p => p.Table.Should().BeSameAs(p.t));
		_schema.Tables.SelectMany(t => t.ForeignKeys).Should().AllSatisfy(k =>
		{
			_schema.Tables.Should().Contain(k.OtherTable);
			k.OtherColumns.Should().AllSatisfy(c => k.OtherTable.Columns.Should().Contain(c));
		});
		_schema.Tables.Select(t => t.ID).Should().OnlyHaveUniqueItems();
	}

	#endregion

	#region Indexes

	[Test]
	public void IndexesReportKeysIncludeNullsOrderAndPredicate()
	{
		var indexes = Table("shop", "pet").Indexes;

		indexes.Select(i => i.Name).Should().Equal("ix_pet_heavy", "ix_pet_owner", "pet_pkey", "ux_pet_owner_tag");

		var owner = indexes.Single(i => i.Name == "ix_pet_owner");
		owner.Keys.Should().Equal(
			new AuroraDsqlIndexKey { ColumnName = "owner_id" },
			new AuroraDsqlIndexKey { ColumnName = "name", NullsFirst = true });
		owner.Include.Should().Equal("birth_date");
		owner.IsUnique.Should().BeFalse();
		owner.IsValid.Should().BeTrue();
		owner.Predicate.Should().BeNull();
		owner.ConstraintName.Should().BeNull();
		owner.Definition.Should().Contain("INCLUDE (birth_date)");

		var tag = indexes.Single(i => i.Name == "ux_pet_owner_tag");
		tag.IsUnique.Should().BeTrue();
		tag.NullsNotDistinct.Should().BeTrue();
		tag.Keys.Select(k => k.ColumnName).Should().Equal("owner_id", "tag");

		indexes.Single(i => i.Name == "ix_pet_heavy").Predicate.Should().MatchRegex(@"^\(weight_kg > .*10.*\)$");

		var pk = indexes.Single(i => i.Name == "pet_pkey");
		pk.IsPrimaryKey.Should().BeTrue();
		pk.ConstraintName.Should().Be("pet_pkey");
	}

	[Test]
	public void ExpressionKeysAreReadAsSql()
	{
		var index = Table("shop", "employee").Indexes.Single(i => i.Name == "ix_employee_lower_name");

		index.Keys.Should().Equal(new AuroraDsqlIndexKey { Expression = "lower(name)" });
	}

	[Test]
	public void UniqueConstraintsAreIndexesWithTheirConstraintName()
	{
		var index = Table("shop", "owner").Indexes.Single(i => i.Name == "owner_email_key");

		index.ConstraintName.Should().Be("owner_email_key");
		index.IsUnique.Should().BeTrue();
		index.NullsNotDistinct.Should().BeTrue();
		index.Include.Should().Equal("name");
	}

	[Test]
	public void AFailedIndexBuildIsReportedInvalid()
	{
		var index = Table("shop", "code_list").Indexes.Single(i => i.Name == "ux_code_list_code");

		index.IsValid.Should().BeFalse();
		index.IsUnique.Should().BeTrue();
	}

	#endregion

	#region Views and comments

	[Test]
	public void ViewsAreReadOnlyAndCarryTheirDefinition()
	{
		var view = Table("shop", "pet_owner_view");

		view.IsView.Should().BeTrue();
		view.ViewDefinition.Should().Contain("JOIN");
		view.Indexes.Should().BeEmpty();
		view.Columns.Select(c => c.ColumnName).Should().Equal("pet_id", "pet_name", "owner_name", "email");
		view.Columns.Should().AllSatisfy(c => c.SkipOnInsert.Should().BeTrue());
		((AuroraDsqlColumnSchema)view.Columns[1]).ColumnType.Should().Be("character varying(50)");
	}

	[Test]
	public void CommentsAreDescriptions()
	{
		Table("shop", "pet").Description.Should().Be("Pets & their <owners>");
		Column("pet", "name").Description.Should().Be("Call name");
		Column("all_types", "c_jsonb").Description.Should().Be("Line one\nline two");
		Table("shop", "pet_owner_view").Description.Should().Be("Pets with the names of their owners");
		Table("shop", "owner").Description.Should().BeNull();
	}

	#endregion

	#region Filters

	[Test]
	public void SystemSchemasAreNotRead()
	{
		_schema.Tables.Select(t => t.SchemaName).Distinct().Should().BeEquivalentTo(["shop", "extra", "trip"]);
	}

	[Test]
	public void IncludedAndExcludedSchemasAreHonouredWithTheirComparer()
	{
		Read(new GetSchemaOptions { IncludedSchemas = ["EXTRA"] }).Tables.Select(t => t.TableName).Should().BeEquivalentTo(["audit_log", "owner"]);
		Read(new GetSchemaOptions { IncludedSchemas = ["EXTRA"], StringComparer = StringComparer.Ordinal }).Tables.Should().BeEmpty();
		Read(new GetSchemaOptions { ExcludedSchemas = ["shop", "trip"] }).Tables.Select(t => t.SchemaName).Distinct().Should().Equal("extra");

		// a foreign key to a table that is not read is left out
		Read(new GetSchemaOptions { IncludedSchemas = ["extra"] }).Tables.Single(t => t.TableName == "audit_log").ForeignKeys.Should().BeEmpty();
	}

	[Test]
	public void ASystemSchemaIsReadOnlyWhenIncludedExplicitly()
	{
		var schema = Read(new GetSchemaOptions { IncludedSchemas = ["pg_catalog"], GetForeignKeys = false });

		schema.Tables.Should().Contain(t => t.TableName == "pg_class");
		schema.Tables.Should().AllSatisfy(t => t.IsProviderSpecific.Should().BeTrue());
	}

	[Test]
	public void TableFiltersAndSwitchesAreHonoured()
	{
		Read(new GetSchemaOptions { LoadTable = t => t.Name == "pet" }).Tables.Select(t => t.TableName).Should().Equal("pet");
		Read(new GetSchemaOptions { GetForeignKeys = false, IncludedSchemas = ["shop"] }).Tables.SelectMany(t => t.ForeignKeys).Should().BeEmpty();

		var recorder = new SqlRecorder();
		Read(new GetSchemaOptions { GetTables = false, GetProcedures = false }, recorder).Tables.Should().BeEmpty();
		recorder.Commands.Should().BeEmpty("nothing is read when neither tables nor procedures are asked for");
	}

	[Test]
	public void DefaultSchemaIsFlagged()
	{
		Read(new GetSchemaOptions { DefaultSchema = "shop" }).Tables.Should().AllSatisfy(t => t.IsDefaultSchema.Should().Be(t.SchemaName == "shop"));
	}

	#endregion

	#region Procedures

	[Test]
	public void FunctionsAreDescribedWithoutBeingExecuted()
	{
		var count = _schema.Procedures.Single(p => p.ProcedureName == "pet_count");
		count.IsFunction.Should().BeTrue();
		count.IsTableFunction.Should().BeFalse();
		count.Parameters.Select(p => (p.SchemaName, p.SchemaType, p.IsIn, p.IsResult)).Should().Equal(("p_owner", "uuid", true, false), (null, "bigint", false, true));

		var pets = _schema.Procedures.Single(p => p.ProcedureName == "pets_of");
		pets.IsTableFunction.Should().BeTrue();
		pets.Parameters.Select(p => p.SchemaName).Should().Equal("p_owner");
		pets.ResultTable!.Columns.Select(c => (c.ColumnName, c.ColumnType)).Should().Equal(("pet_id", "bigint"), ("pet_name", "character varying"));
		pets.ResultException.Should().BeNull();

		_recorder.Commands.Should().NotContain(c => c.Contains("pets_of(", StringComparison.Ordinal) || c.Contains("pet_count(", StringComparison.Ordinal));
	}

	#endregion

	#region Catalogs

	// What DSQL documents as readable (REFERENCE.md section 6): catalogs and the functions used on them.
	static readonly HashSet<string> _allowedPgNames = new(StringComparer.Ordinal)
	{
		"pg_catalog", "pg_class", "pg_namespace", "pg_attribute", "pg_type", "pg_index", "pg_constraint", "pg_attrdef", "pg_depend",
		"pg_description", "pg_proc", "pg_sequence", "pg_get_expr", "pg_get_indexdef", "pg_get_viewdef",
		// a schema name in the system-schema filter, not a catalog
		"pg_toast",
	};

	[Test]
	public void OnlyCatalogsDsqlHasAreQueried()
	{
		var recorder = new SqlRecorder();
		Read(new GetSchemaOptions { IncludedSchemas = ["shop", "extra", "pg_catalog"] }, recorder);

		var commands = _recorder.Commands.Concat(recorder.Commands).ToList();
		commands.Should().NotBeEmpty();

		foreach (var command in commands)
		{
			PgName().Matches(command).Select(m => m.Value)
				.Should().BeSubsetOf(_allowedPgNames, "every catalog object queried must exist on DSQL:\n" + command);

			command.Should().NotContainAny(["information_schema.", "pg_inherits", "pg_stat", "pg_matviews", "pg_database", "pg_trigger", "pg_extension", "pg_rewrite", "pg_collation"]);
			command.Should().NotMatchRegex("(?i)json", "no json-typed expression or function in catalog queries");
			command.Should().NotMatchRegex(@"(?i)^\s*(SHOW|SET|BEGIN|CALL)\b");
		}
	}

	[GeneratedRegex(@"\bpg_[a-z_]+", RegexOptions.IgnoreCase)]
	private static partial Regex PgName();

	#endregion

	static DatabaseSchema Read(GetSchemaOptions options, SqlRecorder? recorder = null)
	{
		using DataConnection db = TestDatabase.Connect(recorder);
		return db.DataProvider.GetSchemaProvider().GetSchema(db, options);
	}
}
