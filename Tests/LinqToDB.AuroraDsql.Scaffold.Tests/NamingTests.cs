using LinqToDB.AuroraDsql.Scaffold.Generation;
using LinqToDB.AuroraDsql.Scaffold.Naming;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.SchemaProvider;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>Names: C# validity, case, inflection, collisions; checked on hand-made schemas and by compiling the result.</summary>
public sealed class NamingTests
{
	[TestCase("order_line",     "OrderLine")]
	[TestCase("OrderLine",      "OrderLine")]
	[TestCase("orderLine",      "OrderLine")]
	[TestCase("ORDER_LINE",     "OrderLine")]
	[TestCase("HTTPStatus",     "HttpStatus")]
	[TestCase("user ID",        "UserId")]
	[TestCase("Odd Table-Name", "OddTableName")]
	[TestCase("1st column",     "_1stColumn")]
	[TestCase("$dollar",        "Dollar")]
	[TestCase("ünïcode",        "Ünïcode")]
	[TestCase("!!!",            "_")]
	[TestCase("class",          "Class")]
	public void PascalCase(string name, string expected) => Names.ToIdentifier(name, ClassNaming.Pascal).Should().Be(expected);

	[TestCase("order_line",     "order_line")]
	[TestCase("Odd Table-Name", "Odd_Table_Name")]
	[TestCase("1st column",     "_1st_column")]
	[TestCase("$dollar",        "_dollar")]
	[TestCase("ünïcode",        "ünïcode")]
	public void PreservedNames(string name, string expected) => Names.ToIdentifier(name, ClassNaming.Preserve).Should().Be(expected);

	[TestCase("Pet",       "Pets")]
	[TestCase("Category",  "Categories")]
	[TestCase("Day",       "Days")]
	[TestCase("Box",       "Boxes")]
	[TestCase("Address",   "Addresses")]
	[TestCase("Status",    "Status")]
	[TestCase("Person",    "People")]
	[TestCase("OrderLine", "OrderLines")]
	[TestCase("order_line", "order_lines")]
	[TestCase("Pets",      "Pets")]
	[TestCase("AuditLOG",  "AuditLOGS")]
	[TestCase("BOwner",    "BOwners")]
	[TestCase("XMLFile",   "XMLFiles")]
	[TestCase("ORDERS",    "ORDERS")]
	public void Plurals(string name, string expected) => Inflector.Pluralize(name).Should().Be(expected);

	[TestCase("Pets",        "Pet")]
	[TestCase("Categories",  "Category")]
	[TestCase("Boxes",       "Box")]
	[TestCase("Addresses",   "Address")]
	[TestCase("Status",      "Status")]
	[TestCase("People",      "Person")]
	[TestCase("AllTypes",    "AllType")]
	[TestCase("order_lines", "order_line")]
	[TestCase("Analysis",    "Analysis")]
	[TestCase("Bus",         "Bus")]
	[TestCase("XMLFiles",    "XMLFile")]
	public void Singulars(string name, string expected) => Inflector.Singularize(name).Should().Be(expected);

	[Test]
	public void KeywordsAndLowerCaseTypeNamesAreEscaped()
	{
		CodeText.EscapeMember("class").Should().Be("@class");
		CodeText.EscapeMember("Class").Should().Be("Class");
		CodeText.EscapeType("pet").Should().Be("@pet", "CS8981: lower-case type names may become keywords");
		CodeText.EscapeType("pet_owner").Should().Be("pet_owner");
		CodeText.Literal("a\"b\\c\nd\u0001").Should().Be("\"a\\\"b\\\\c\\nd\\u0001\"");
	}

	[Test]
	public void CollisionsAreResolvedAndTheResultCompiles()
	{
		var schema = new SchemaBuilder()
			.Table("app", "table", t => t.Column("id", "integer", pk: 1))                              // a type name the code uses
			.Table("app", "options", t => t.Column("id", "integer", pk: 1))                            // DataConnection.Options
			.Table("app", "pets", t => t.Column("id", "integer", pk: 1).Column("ToString", "text"))      // an object member
			.Table("app", "Pet", t => t.Column("id", "integer", pk: 1).Column("Pet", "text"))            // column named like its class
			.Table("app", "class", t => t.Column("id", "integer", pk: 1).Column("owner", "text").Column("owner_id", "integer").Column("pet", "text"))
			.Table("other", "class", t => t.Column("id", "integer", pk: 1))                            // same name in another schema
			.ForeignKey("class_owner_fk", ("app", "class"), ["owner_id"], ("app", "Pet"), ["id"])
			.Build();

		var options = new GenerationOptions
		{
			Namespace = "Naming.Model", ContextName = "NamingDb", Singularize = true, Pluralize = true, NullableReferenceTypes = true,
			IncludeSchemas = ["app", "other"],
		};

		var model = new ModelBuilder(options).Build(SchemaReader.Convert(schema.Tables.Cast<AuroraDsqlTableSchema>().ToList(), []));

		model.Entities.Select(e => e.ClassName).Should().Equal("Pet", "Class", "Option", "Pet2", "TableEntity", "OtherClass");
		model.Entities.Select(e => e.ContextPropertyName).Should().Equal("Pets", "Classes", "Options2", "Pet2", "TableEntities", "OtherClasses");

		model.Entities.Single(e => e.Table.Name == "pets").Properties.Select(p => p.Name).Should().Equal("Id", "ToString2");
		model.Entities.Single(e => e.Table.Name == "Pet").Properties.Select(p => p.Name).Should().Equal("Id", "PetColumn");

		var @class = model.Entities.Single(e => e.ClassName == "Class");
		@class.Properties.Select(p => p.Name).Should().Equal("Id", "Owner", "OwnerId", "Pet");
		@class.Associations.Select(a => a.Name).Should().Equal(["Owner2"], "the Owner column has the name first");
		model.Entities.Single(e => e.ClassName == "Pet").Associations.Select(a => a.Name).Should().Equal("Classes");

		var files = CodeGenerator.Generate(model);

		// the Pet column of Class shadows the Pet class inside it: the association names the class with global::
		files.Single(f => f.Name == "Class.cs").Content.Should().Contain("OtherKey = nameof(global::Naming.Model.Pet.Id)");

		ModelCompiler.Compile("NamingModel", files.Select(f => (f.Name, f.Content)));
	}

	/// <summary>Builds schema-provider output by hand.</summary>
	sealed class SchemaBuilder
	{
		readonly List<AuroraDsqlTableSchema> _tables = [];

		public SchemaBuilder Table(string schema, string name, Action<TableBuilder> columns)
		{
			var table = new AuroraDsqlTableSchema
			{
				ID = "db." + schema + "." + name, SchemaName = schema, TableName = name, TypeName = name, Columns = [], ForeignKeys = [],
			};
			columns(new TableBuilder(table));
			_tables.Add(table);
			return this;
		}

		public SchemaBuilder ForeignKey(string name, (string Schema, string Table) from, string[] fromColumns, (string Schema, string Table) to, string[] toColumns)
		{
			var thisTable  = _tables.Single(t => t.SchemaName == from.Schema && t.TableName == from.Table);
			var otherTable = _tables.Single(t => t.SchemaName == to.Schema && t.TableName == to.Table);

			var key = new ForeignKeySchema
			{
				KeyName         = name,
				MemberName      = name,
				ThisTable       = thisTable,
				OtherTable      = otherTable,
				ThisColumns     = fromColumns.Select(c => thisTable.Columns.Single(x => x.ColumnName == c)).ToList(),
				OtherColumns    = toColumns.Select(c => otherTable.Columns.Single(x => x.ColumnName == c)).ToList(),
				AssociationType = AssociationType.ManyToOne,
				CanBeNull       = true,
			};

			key.BackReference = new ForeignKeySchema
			{
				KeyName = name + "_BackReference", MemberName = name, OtherTable = thisTable, ThisColumns = key.OtherColumns, OtherColumns = key.ThisColumns,
				AssociationType = AssociationType.OneToMany, CanBeNull = true,
			};

			thisTable.ForeignKeys.Add(key);
			otherTable.ForeignKeys.Add(key.BackReference);
			return this;
		}

		public DatabaseSchema Build() => new() { Tables = [.. _tables], Procedures = [] };
	}

	sealed class TableBuilder(AuroraDsqlTableSchema table)
	{
		public TableBuilder Column(string name, string type, int pk = -1)
		{
			var (dataType, systemType) = type == "integer" ? (DataType.Int32, typeof(int)) : (DataType.Text, typeof(string));

			table.Columns.Add(new AuroraDsqlColumnSchema
			{
				Table           = table,
				ColumnName      = name,
				ColumnType      = type,
				DataType        = dataType,
				SystemType      = systemType,
				IsNullable      = pk < 0,
				IsPrimaryKey    = pk > 0,
				PrimaryKeyOrder = pk,
				Ordinal         = table.Columns.Count + 1,
				MemberName      = name,
				MemberType      = systemType.Name,
			});

			return this;
		}
	}
}
