using AuroraDsql.Sql;

namespace AuroraDsql.Tests;

public sealed class SplitterTests
{
	static List<string> Split(string sql) => StatementSplitter.Split(sql).Select(s => s.StatementText).ToList();

	[Test]
	public void SplitsAtTopLevelSemicolonsOnly()
	{
		Split("select 1; select ';' ; select $$;$$; select \"a;b\" -- ;\n; /* ; */ select 2")
			.Should().Equal("select 1", "select ';'", "select $$;$$", "select \"a;b\"", "select 2");
	}

	[Test]
	public void EmptyStatementsAreNotStatements()
	{
		Split(";;  ; -- nothing\n").Should().BeEmpty();
		Split("select 1;;select 2;").Should().Equal("select 1", "select 2");
	}

	[Test]
	public void BeginAtomicRoutineBodiesStayWhole()
	{
		const string body = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END";
		Split(body + "; select 3").Should().Equal(body, "select 3");
		Split("create or replace procedure p() begin atomic insert into t values (1); end; call p()").Should().HaveCount(2);
	}

	[Test]
	public void TransactionsAreNotRoutineBodies()
	{
		Split("begin; select 1; end; select 2").Should().Equal("begin", "select 1", "end", "select 2");
	}

	[Test]
	public void StatementKnowsItsSpanAndParameters()
	{
		var statements = StatementSplitter.Split("  select $1, $12 ;  select 2 ");
		statements[0].Start.Should().Be(2);
		statements[0].MaxParameterNumber().Should().Be(12);
		statements[1].Index.Should().Be(1);
		statements[1].StatementText.Should().Be("select 2");
	}
}
