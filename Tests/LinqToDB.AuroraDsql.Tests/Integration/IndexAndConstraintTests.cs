using LinqToDB.DataProvider.AuroraDsql.Testing;
using AuroraDsql.Local;

using Amazon.Runtime;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>Async indexes, declared schema and constraints against the endpoint's real jobs.</summary>
public sealed class IndexAndConstraintTests
{
	[Table("ic_owner")]
	sealed class Owner
	{
		[PrimaryKey, Identity] public Guid   Id   { get; set; }
		[Column, NotNull]      public string Name { get; set; } = "";
	}

	[Table("ic_pet")]
	[AuroraDsqlIndex("ix_ic_pet_owner", nameof(OwnerId), nameof(Name) + " NULLS FIRST", Include = [nameof(Weight)])]
	[AuroraDsqlIndex("ux_ic_pet_tag", nameof(Tag), Unique = true, NullsNotDistinct = true, Predicate = "\"Deleted\" = false")]
	[AuroraDsqlForeignKey("fk_ic_pet_owner", typeof(Owner), nameof(OwnerId), OnDelete = AuroraDsqlReferentialAction.Cascade)]
	[AuroraDsqlCheck("ck_ic_pet_weight", "\"Weight\" >= 0")]
	sealed class Pet
	{
		[PrimaryKey, Identity] public Guid    Id      { get; set; }
		[Column, NotNull]      public Guid    OwnerId { get; set; }
		[Column, NotNull]      public string  Name    { get; set; } = "";
		[Column]               public string? Tag     { get; set; }
		[Column]               public bool    Deleted { get; set; }
		[Column(Precision = 6, Scale = 2)] public decimal Weight { get; set; }
	}

	[Table("ic_visit")]
	sealed class Visit
	{
		[PrimaryKey] public int    Id    { get; set; }
		[Column]     public Guid   PetId { get; set; }
		[Column]     public string Note  { get; set; } = "";
		[Column]     public int    Cost  { get; set; }
	}

	sealed class IndexState
	{
		public bool   Valid      { get; set; }
		public string Definition { get; set; } = "";
	}

	static Task<List<IndexState>> IndexAsync(DataConnection db, string name) =>
		db.QueryToListAsync<IndexState>(
			"SELECT i.indisvalid AS \"Valid\", pg_get_indexdef(i.indexrelid) AS \"Definition\" FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = :name",
			new DataParameter("name", name));

	[Test]
	public async Task EnsureSchemaCreatesTablesIndexesAndConstraintsAndIsIdempotent()
	{
		await using var db = TestDatabase.Connect();

		try
		{
			await db.EnsureSchemaAsync<Owner>();
			var jobs = await db.EnsureSchemaAsync<Pet>(new AuroraDsqlEnsureSchemaOptions { WaitForIndexes = true, WaitTimeout = TimeSpan.FromMinutes(1) });

			jobs.Should().HaveCount(2).And.OnlyContain(j => j.IsCompleted && j.JobType == "INDEX_BUILD");
			jobs.Select(j => j.ObjectName).Should().BeEquivalentTo("public.ix_ic_pet_owner", "public.ux_ic_pet_tag");

			var owner = await IndexAsync(db, "ix_ic_pet_owner");
			owner.Should().ContainSingle().Which.Valid.Should().BeTrue();
			owner[0].Definition.Should().Contain("(\"OwnerId\", \"Name\" NULLS FIRST) INCLUDE (\"Weight\")");

			(await IndexAsync(db, "ux_ic_pet_tag"))[0].Definition.Should().Contain("UNIQUE").And.Contain("NULLS NOT DISTINCT").And.Contain("WHERE (\"Deleted\" = false)");

			// Again: nothing new is created, nothing fails.
			var again = await db.EnsureSchemaAsync<Pet>(new AuroraDsqlEnsureSchemaOptions { WaitForIndexes = true });
			again.Should().OnlyContain(j => j.IsCompleted);

			// The declared constraints hold.
			var ownerId = (Guid)await db.InsertWithIdentityAsync(new Owner { Name = "Ann" });
			await db.InsertAsync(new Pet { OwnerId = ownerId, Name = "Rex", Tag = "a1" });

			await FluentActions.Awaiting(() => db.InsertAsync(new Pet { OwnerId = Guid.NewGuid(), Name = "Orphan" }))
				.Should().ThrowAsync<Npgsql.PostgresException>().Where(e => e.SqlState == "23503");
			await FluentActions.Awaiting(() => db.InsertAsync(new Pet { OwnerId = ownerId, Name = "Heavy", Weight = -1 }))
				.Should().ThrowAsync<Npgsql.PostgresException>().Where(e => e.SqlState == "23514");
			await FluentActions.Awaiting(() => db.InsertAsync(new Pet { OwnerId = ownerId, Name = "Dup", Tag = "a1" }))
				.Should().ThrowAsync<Npgsql.PostgresException>().Where(e => e.SqlState == "23505");
		}
		finally
		{
			await db.DropTableAsync<Pet>(tableOptions: TableOptions.DropIfExists);
			await db.DropTableAsync<Owner>(tableOptions: TableOptions.DropIfExists);
		}
	}

	[Test]
	public async Task IndexBuildsReportJobsAndFailuresWithDetails()
	{
		await using var db = TestDatabase.Connect();
		await db.DropTableAsync<Visit>(tableOptions: TableOptions.DropIfExists);
		var visits = await db.CreateTableAsync<Visit>();

		try
		{
			await visits.BulkCopyAsync(Enumerable.Range(1, 200).Select(i => new Visit { Id = i, PetId = Guid.NewGuid(), Note = i % 2 == 0 ? "even" : "odd", Cost = i }));

			var ok = await db.CreateIndexAsync<Visit>(
				"ix_ic_visit_note",
				v => new { v.PetId, Note = AuroraDsqlIndex.NullsFirst(v.Note), Lower = v.Note.ToLower() },
				new AuroraDsqlIndexOptions<Visit> { Where = v => v.Cost > 100, Include = v => v.Cost, WaitForCompletion = true });

			ok.Should().NotBeNull();
			ok!.IsCompleted.Should().BeTrue();
			ok.JobId.Should().MatchRegex("^[a-z2-7]{26}$");
			(await IndexAsync(db, "ix_ic_visit_note"))[0].Should().Match<IndexState>(i => i.Valid
				&& i.Definition.Contains("(\"PetId\", \"Note\" NULLS FIRST, lower(\"Note\")) INCLUDE (\"Cost\") WHERE (\"Cost\" > 100)", StringComparison.Ordinal));

			(await db.GetJobAsync(ok.JobId))!.Status.Should().Be("completed");
			(await db.CallWaitForJobAsync(ok.JobId)).Should().BeTrue();

			// A unique index over duplicate notes fails; the invalid index stays behind, as on DSQL.
			var failed = await FluentActions.Awaiting(() => db.CreateIndexAsync<Visit>("ux_ic_visit_note", v => v.Note,
					new AuroraDsqlIndexOptions<Visit> { Unique = true, WaitForCompletion = true }))
				.Should().ThrowAsync<AuroraDsqlJobFailedException>().WithMessage("*found duplicate key(s) while validating index uniqueness*");

			failed.Which.Job!.IsFailed.Should().BeTrue();
			(await IndexAsync(db, "ux_ic_visit_note")).Should().ContainSingle().Which.Valid.Should().BeFalse();

			// Without waiting, the job comes back submitted (or further along) and can be awaited later.
			var pending = await db.CreateIndexAsync<Visit>("ix_ic_visit_cost", v => v.Cost);
			(await db.WaitForJobAsync(pending!.JobId, TimeSpan.FromMinutes(1))).IsCompleted.Should().BeTrue();
		}
		finally
		{
			await visits.DropAsync();
		}
	}

	[Test]
	public async Task ConstraintsOnExistingTablesAreValidatedAsynchronously()
	{
		await using var db = TestDatabase.Connect();
		await db.DropTableAsync<Pet>(tableOptions: TableOptions.DropIfExists);
		await db.DropTableAsync<Owner>(tableOptions: TableOptions.DropIfExists);

		var owners = await db.CreateTableAsync<Owner>();
		var pets   = await db.CreateTableAsync<Pet>(tableOptions: TableOptions.CreateIfNotExists);

		try
		{
			var ownerId = (Guid)await db.InsertWithIdentityAsync(new Owner { Name = "Bo" });
			await db.InsertAsync(new Pet { OwnerId = ownerId, Name = "Fido", Weight = 3 });

			var fk = await db.AddForeignKeyAsync<Pet, Owner>("fk_ic_pet_owner2", p => p.OwnerId, o => o.Id,
				new AuroraDsqlConstraintOptions { OnDelete = AuroraDsqlReferentialAction.Cascade, WaitForValidation = true });
			fk!.JobType.Should().Be("VALIDATE_CONSTRAINT");
			fk.IsCompleted.Should().BeTrue();

			var check = await db.AddCheckConstraintAsync<Pet>("ck_ic_pet_name", p => p.Name != "", new AuroraDsqlConstraintOptions { WaitForValidation = true });
			check!.IsCompleted.Should().BeTrue();

			await FluentActions.Awaiting(() => db.InsertAsync(new Pet { OwnerId = ownerId, Name = "" }))
				.Should().ThrowAsync<Npgsql.PostgresException>().Where(e => e.SqlState == "23514");

			await owners.Where(o => o.Id == ownerId).DeleteAsync();
			(await pets.CountAsync()).Should().Be(0, "the foreign key cascades");
		}
		finally
		{
			await pets.DropAsync();
			await owners.DropAsync();
		}
	}

	[Test]
	public async Task SchemaApisRefuseToRunInsideATransaction()
	{
		var recorder = new SqlRecorder();
		await using var db = TestDatabase.Connect(o => o.UseInterceptor(recorder));
		await using var tx = await db.BeginTransactionAsync();

		await FluentActions.Awaiting(() => db.CreateIndexAsync<Visit>("ix_nope", v => v.Cost))
			.Should().ThrowAsync<AuroraDsqlNotSupportedException>().WithMessage("*own transaction*outside the transaction*");
		await FluentActions.Awaiting(() => db.EnsureSchemaAsync<Visit>())
			.Should().ThrowAsync<AuroraDsqlNotSupportedException>();

		recorder.Commands.Should().BeEmpty();
	}

	[LocalEndpointOnly("an endpoint of its own whose jobs run on a fake clock, so that a job is certainly still running when the wait times out")]
	[Test]
	public async Task WaitingForAJobCanTimeOutWhileItRuns()
	{
		// the job runs until the test advances the endpoint's clock
		var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
		await using var endpoint = await LocalDsqlEndpoint.StartAsync(new LocalDsqlEndpointOptions { JobCompletionDelay = TimeSpan.FromSeconds(6), TimeProvider = clock });
		var options = new DataOptions().UseAuroraDsql(endpoint.HostName, o => TestDatabase.Configure(o, endpoint));

		await using var db = new DataConnection(options);
		await db.CreateTableAsync<Visit>();

		var job = await db.CreateIndexAsync<Visit>("ix_slow", v => v.Cost);
		job!.IsFinished.Should().BeFalse();

		await FluentActions.Awaiting(() => db.WaitForJobAsync(job.JobId, TimeSpan.FromMilliseconds(300)))
			.Should().ThrowAsync<TimeoutException>().WithMessage($"*{job.JobId}*keeps running*");

		using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
		await FluentActions.Awaiting(() => db.WaitForJobAsync(job.JobId, cancellationToken: cancel.Token))
			.Should().ThrowAsync<OperationCanceledException>();

		var waiting = db.WaitForJobAsync(job.JobId, TimeSpan.FromMinutes(1));
		await Eventually.UntilAsync(() =>
		{
			clock.Advance(TimeSpan.FromMilliseconds(100));
			return waiting.IsCompleted;
		}, "the job to complete");
		(await waiting).IsCompleted.Should().BeTrue();
	}
}
