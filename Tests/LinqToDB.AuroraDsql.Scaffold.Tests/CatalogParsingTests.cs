using LinqToDB.Internal.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>The schema provider's own reading of catalog values: type names from type modifiers, array and vector text.</summary>
public sealed class CatalogParsingTests
{
	[TestCase("varchar",     54,        "character varying(50)")]
	[TestCase("varchar",     -1,        "character varying")]
	[TestCase("bpchar",      5,         "character(1)")]
	[TestCase("numeric",     786440,    "numeric(12,4)")]
	[TestCase("numeric",     655366,    "numeric(10,2)")]
	[TestCase("numeric",     -1,        "numeric")]
	[TestCase("timestamptz", 3,         "timestamp(3) with time zone")]
	[TestCase("timestamp",   -1,        "timestamp without time zone")]
	[TestCase("time",        0,         "time(0) without time zone")]
	[TestCase("timetz",      2,         "time(2) with time zone")]
	[TestCase("interval",    -1,        "interval")]
	[TestCase("interval",    268435459, "interval second(3)")]
	[TestCase("interval",    2147483647, "interval")]
	[TestCase("interval",    2147418116, "interval(4)")]
	[TestCase("interval",    196607,    "interval month")]
	[TestCase("interval",    458751,    "interval year to month")]
	[TestCase("interval",    470286338, "interval day to second(2)")]
	[TestCase("int8",        -1,        "bigint")]
	[TestCase("float8",      -1,        "double precision")]
	[TestCase("bool",        -1,        "boolean")]
	[TestCase("jsonb",       -1,        "jsonb")]
	public void TypesAreFormattedLikeFormatType(string typeName, int typmod, string expected) =>
		SchemaTypes.Format("pg_catalog", typeName, typmod, null, null).Should().Be(expected);

	[Test]
	public void NumericFacetsIncludeNegativeScales()
	{
		// numeric(5,-2): PostgreSQL 15 stores the scale as an 11-bit two's complement number
		var typmod = ((5 << 16) | (-2 & 0x7FF)) + 4;
		SchemaTypes.GetFacets("pg_catalog", "numeric", typmod).Should().Be(((int?)null, (int?)5, (int?)-2));
	}

	[Test]
	public void ArraysAndOtherSchemasAreNamed()
	{
		SchemaTypes.Format("pg_catalog", "_int4", -1, "pg_catalog", "int4").Should().Be("integer[]");
		SchemaTypes.Format("pg_catalog", "_varchar", 14, "pg_catalog", "varchar").Should().Be("character varying(10)[]");
		SchemaTypes.Format("app", "My Type", -1, null, null).Should().Be("app.\"My Type\"");
		SchemaTypes.GetBaseName("pg_catalog", "name", null, null).Should().Be("name");
	}

	[Test]
	public void ArrayLiteralsAreParsed()
	{
		CatalogText.ParseArray("{1,2,3}").Should().Equal("1", "2", "3");
		CatalogText.ParseArray("{a,\"b c\",NULL,\"NULL\",\"q\\\"x\"}").Should().Equal("a", "b c", null, "NULL", "q\"x");
		CatalogText.ParseArray("{}").Should().BeEmpty();
		CatalogText.ParseArray(null).Should().BeEmpty();
		CatalogText.ParseArray("[0:1]={i,o}").Should().Equal("i", "o");
		CatalogText.ParseIntegerArray("{3,1}").Should().Equal(3L, 1L);
		CatalogText.ParseVector("3 0 4").Should().Equal(3L, 0L, 4L);
		CatalogText.ParseVector("").Should().BeEmpty();

		var act = () => CatalogText.ParseArray("1,2");
		act.Should().Throw<FormatException>();
	}
}
