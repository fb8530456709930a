using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

public sealed class DdlAndIdentityTests
{
	[Table("ddl_person")]
	sealed class Person
	{
		[PrimaryKey, Identity] public long    Id     { get; set; }
		[Column, NotNull]      public string  Name   { get; set; } = "";
		[Column]               public decimal Salary { get; set; }
	}

	[Table("ddl_int_person")]
	sealed class IntPerson
	{
		[PrimaryKey, Identity] public int    Id   { get; set; }
		[Column, NotNull]      public string Name { get; set; } = "";
	}

	[Table("ddl_doc")]
	sealed class Doc
	{
		[PrimaryKey, Identity] public Guid    Id   { get; set; }
		[Column(DataType = DataType.BinaryJson)] public string? Body { get; set; }
	}

	[Test]
	public async Task IdentityColumnsAreGeneratedBigintWithCache()
	{
		await using var db = TestDatabase.Connect();
		var table = await db.CreateTableAsync<Person>(tableName: TestNames.Unique("ddl_person"));

		try
		{
			var first  = await db.InsertWithInt64IdentityAsync(new Person { Name = "Ann", Salary = 1.5m }, tableName: table.TableName);
			var second = await db.InsertWithInt64IdentityAsync(new Person { Name = "Bob", Salary = 2.5m }, tableName: table.TableName);

			second.Should().NotBe(first);
			(await table.OrderBy(p => p.Id).Select(p => p.Name).ToListAsync()).Should().Equal("Ann", "Bob");

			await using var npgsql = await TestDatabase.OpenNpgsqlAsync();
			await using var command = new NpgsqlCommand(
				"SELECT c.data_type, c.is_identity, c.identity_generation, s.seqcache " +
				"FROM information_schema.columns c " +
				"JOIN pg_class t ON t.relname = c.table_name " +
				"JOIN pg_depend d ON d.refobjid = t.oid AND d.deptype = 'i' " +
				"JOIN pg_sequence s ON s.seqrelid = d.objid " +
				"WHERE c.table_name = $1 AND c.column_name = 'Id'", npgsql)
			{
				Parameters = { new() { Value = table.TableName } },
			};
			await using var reader = await command.ExecuteReaderAsync();
			(await reader.ReadAsync()).Should().BeTrue();
			reader.GetString(0).Should().Be("bigint");
			reader.GetString(1).Should().Be("YES");
			reader.GetString(2).Should().Be("BY DEFAULT");
			reader.GetInt64(3).Should().Be(65_536);
		}
		finally
		{
			await table.DropAsync();
		}
	}

	[Test]
	public async Task IntIdentityPropertyRoundTrips()
	{
		await using var db = TestDatabase.Connect();
		var table = await db.CreateTableAsync<IntPerson>(tableName: TestNames.Unique("ddl_int_person"));

		try
		{
			var id = await db.InsertWithInt32IdentityAsync(new IntPerson { Name = "Cy" }, tableName: table.TableName);
			(await table.SingleAsync(p => p.Id == id)).Name.Should().Be("Cy");
		}
		finally
		{
			await table.DropAsync();
		}
	}

	[Test]
	public async Task GuidKeyIsGeneratedAndReturnedByInsertWithIdentity()
	{
		await using var db = TestDatabase.Connect();
		var table = await db.CreateTableAsync<Doc>(tableName: TestNames.Unique("ddl_doc"));

		try
		{
			var id = await db.InsertWithIdentityAsync(new Doc { Body = """{"a": 1}""" }, tableName: table.TableName);

			id.Should().BeOfType<Guid>().Which.Should().NotBe(Guid.Empty);
			var stored = await table.SingleAsync();
			stored.Id.Should().Be((Guid)id);
			stored.Body.Should().Be("""{"a": 1}""");
		}
		finally
		{
			await table.DropAsync();
		}
	}

	[Test]
	public async Task DecimalsKeepTheirDigits()
	{
		await using var db = TestDatabase.Connect();
		var table = await db.CreateTableAsync<Person>(tableName: TestNames.Unique("ddl_money"));

		try
		{
			const decimal salary = 123456789012.1234567891m;
			await db.InsertAsync(new Person { Name = "D", Salary = salary }, tableName: table.TableName);

			(await table.Select(p => p.Salary).SingleAsync()).Should().Be(salary, "a bare numeric would have rounded to 6 decimals");
		}
		finally
		{
			await table.DropAsync();
		}
	}

	[Test]
	public async Task CreateIfNotExistsAndDropIfExists()
	{
		await using var db = TestDatabase.Connect();
		var name = TestNames.Unique("ddl_idem");

		await db.CreateTableAsync<Person>(tableName: name, tableOptions: TableOptions.CreateIfNotExists);
		await db.CreateTableAsync<Person>(tableName: name, tableOptions: TableOptions.CreateIfNotExists);
		db.LastQuery.Should().StartWith("CREATE TABLE IF NOT EXISTS");

		await db.DropTableAsync<Person>(tableName: name);
		await db.DropTableAsync<Person>(tableName: name, tableOptions: TableOptions.DropIfExists);
		db.LastQuery.Should().StartWith("DROP TABLE IF EXISTS");

		await FluentActions.Awaiting(() => db.DropTableAsync<Person>(tableName: name))
			.Should().ThrowAsync<PostgresException>().Where(e => e.SqlState == "42P01");
	}
}
