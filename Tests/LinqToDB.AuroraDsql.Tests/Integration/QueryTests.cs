using LinqToDB.DataProvider.AuroraDsql.Testing;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>What linq2db's PostgreSQL provider does and DSQL supports keeps working.</summary>
public sealed class QueryTests
{
	[Table("q_department")]
	sealed class Department
	{
		[PrimaryKey] public int    Id   { get; set; }
		[Column]     public string Name { get; set; } = "";
	}

	[Table("q_employee")]
	sealed class Employee
	{
		[PrimaryKey] public int     Id           { get; set; }
		[Column]     public int     DepartmentId { get; set; }
		[Column]     public string  Name         { get; set; } = "";
		[Column(Precision = 12, Scale = 2)] public decimal Salary { get; set; }
		[Column]     public int?    ManagerId    { get; set; }
	}

	DataConnection _db = null!;
	ITable<Department> _departments = null!;
	ITable<Employee> _employees = null!;

	[OneTimeSetUp]
	public async Task CreateDataAsync()
	{
		_db          = TestDatabase.Connect();
		_departments = await _db.CreateTableAsync<Department>();
		_employees   = await _db.CreateTableAsync<Employee>();

		await _departments.BulkCopyAsync([new Department { Id = 1, Name = "Eng" }, new Department { Id = 2, Name = "Ops" }]);
		await _employees.BulkCopyAsync(
		[
			new Employee { Id = 1, DepartmentId = 1, Name = "Ada",   Salary = 300m },
			new Employee { Id = 2, DepartmentId = 1, Name = "Linus", Salary = 200m, ManagerId = 1 },
			new Employee { Id = 3, DepartmentId = 1, Name = "Grace", Salary = 250m, ManagerId = 1 },
			new Employee { Id = 4, DepartmentId = 2, Name = "Ken",   Salary = 100m },
			new Employee { Id = 5, DepartmentId = 2, Name = "Barb",  Salary = 150m, ManagerId = 4 },
		]);
	}

	[OneTimeTearDown]
	public async Task DropDataAsync()
	{
		await _employees.DropAsync();
		await _departments.DropAsync();
		await _db.DisposeAsync();
	}

	[Test]
	public async Task JoinsAndGrouping()
	{
		var totals = await (
			from e in _employees
			join d in _departments on e.DepartmentId equals d.Id
			group e by d.Name into g
			orderby g.Key
			select new { Department = g.Key, Count = g.Count(), Total = g.Sum(x => x.Salary) })
			.ToListAsync();

		totals.Should().Equal(new { Department = "Eng", Count = 3, Total = 750m }, new { Department = "Ops", Count = 2, Total = 250m });
	}

	[Test]
	public async Task WindowFunctions()
	{
		var ranked = await _employees
			.Select(e => new
			{
				e.Name,
				Rank = Sql.Ext.RowNumber().Over().PartitionBy(e.DepartmentId).OrderByDesc(e.Salary).ToValue(),
			})
			.Where(x => x.Rank == 1)
			.OrderBy(x => x.Name)
			.ToListAsync();

		ranked.Select(r => r.Name).Should().Equal("Ada", "Barb");
	}

	[Test]
	public async Task RecursiveCte()
	{
		var cte = _db.GetCte<Employee>(reports =>
			_employees.Where(e => e.ManagerId == null && e.DepartmentId == 1)
				.Concat(
					from e in _employees
					join r in reports on e.ManagerId equals r.Id
					select e));

		(await cte.OrderBy(e => e.Id).Select(e => e.Name).ToListAsync()).Should().Equal("Ada", "Linus", "Grace");
		_db.LastQuery.Should().Contain("WITH RECURSIVE");
	}

	[Test]
	public async Task LateralJoinAndSubqueries()
	{
		var topPerDepartment = await (
			from d in _departments
			from e in _employees.Where(e => e.DepartmentId == d.Id).OrderBy(e => e.Salary).Take(1)
			orderby d.Id
			select new { d.Name, Lowest = e.Name })
			.ToListAsync();

		topPerDepartment.Should().Equal(new { Name = "Eng", Lowest = "Linus" }, new { Name = "Ops", Lowest = "Ken" });
	}

	[Test]
	public async Task ReturningOutput()
	{
		await using var tx = await _db.BeginTransactionAsync();

		var updated = await _employees
			.Where(e => e.DepartmentId == 2)
			.UpdateWithOutputAsync(e => new Employee { Salary = e.Salary + 1 }, (deleted, inserted) => new { inserted.Name, New = inserted.Salary })
			.ToArrayAsync();

		// PostgreSQL 16 (and so DSQL) RETURNING sees only the new row values.
		updated.OrderBy(u => u.Name).Should().Equal(new { Name = "Barb", New = 151m }, new { Name = "Ken", New = 101m });
		_db.LastQuery.Should().Contain("RETURNING");

		var deletedRows = await _employees.Where(e => e.Id == 5).DeleteWithOutputAsync().ToArrayAsync();
		deletedRows.Should().ContainSingle().Which.Name.Should().Be("Barb");

		await tx.RollbackAsync();
	}

	[Test]
	public async Task InsertOrUpdateIsAnOnConflictUpsert()
	{
		await using var tx = await _db.BeginTransactionAsync();

		await _departments.InsertOrUpdateAsync(() => new Department { Id = 3, Name = "Sales" }, d => new Department { Name = "Sales (updated)" });
		_db.LastQuery.Should().Contain("ON CONFLICT (\"Id\") DO UPDATE").And.NotContain("MERGE");
		await _departments.InsertOrUpdateAsync(() => new Department { Id = 3, Name = "Sales" }, d => new Department { Name = "Sales (updated)" });

		(await _departments.SingleAsync(d => d.Id == 3)).Name.Should().Be("Sales (updated)");

		await _db.InsertOrReplaceAsync(new Department { Id = 3, Name = "Replaced" });
		(await _departments.SingleAsync(d => d.Id == 3)).Name.Should().Be("Replaced");

		await tx.RollbackAsync();
	}

	[Test]
	public async Task MergeIsRefusedWithoutSendingAnything()
	{
		var recorder = new SqlRecorder();
		await using var db = TestDatabase.Connect(o => o.UseInterceptor(recorder));

		// Upserts run as INSERT … ON CONFLICT (MergeTests); a DELETE branch has no such form.
		await FluentActions.Awaiting(() => db.GetTable<Department>().Merge().Using(_departments).OnTargetKey().DeleteWhenMatched().MergeAsync())
			.Should().ThrowAsync<AuroraDsqlNotSupportedException>().WithMessage("*has no MERGE*DELETE branches*Nothing was sent.");

		recorder.Commands.Should().BeEmpty();
	}
}
