using AuroraDsql.Sql;

namespace AuroraDsql.Tests;

public sealed class SplitterTests
{
	static List<string> Split(string sql) => StatementSplitter.Split(sql).Select(s => s.StatementText).ToList();

	[Test]
	public void Splits_at_top_level_semicolons_only()
	{
		Split("select 1; select ';' ; select $$;$$; select \"a;b\" -- ;\n; /* ; */ select 2")
			.Should().Equal("select 1", "select ';'", "select $$;$$", "select \"a;b\"", "select 2");
	}

	[Test]
	public void Empty_statements_are_not_statements()
	{
		Split(";;  ; -- nothing\n").Should().BeEmpty();
		Split("select 1;;select 2;").Should().Equal("select 1", "select 2");
	}

	[Test]
	public void Begin_atomic_routine_bodies_stay_whole()
	{
		const string body = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END";
		Split(body + "; select 3").Should().Equal(body, "select 3");
		Split("create or replace procedure p() begin atomic insert into t values (1); end; call p()").Should().HaveCount(2);
	}

	[Test]
	public void Transactions_are_not_routine_bodies()
	{
		Split("begin; select 1; end; select 2").Should().Equal("begin", "select 1", "end", "select 2");
	}

	[Test]
	public void Statement_knows_its_span_and_parameters()
	{
		var statements = StatementSplitter.Split("  select $1, $12 ;  select 2 ");
		statements[0].Start.Should().Be(2);
		statements[0].MaxParameterNumber().Should().Be(12);
		statements[1].Index.Should().Be(1);
		statements[1].StatementText.Should().Be("select 2");
	}
}
