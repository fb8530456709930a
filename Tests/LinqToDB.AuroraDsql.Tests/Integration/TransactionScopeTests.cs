using System.Transactions;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Testing;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

using IsolationLevel = System.Transactions.IsolationLevel;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// Ambient transactions (<see cref="TransactionScope"/>): the provider's connections enlist in them as linq2db's own
/// PostgreSQL provider's do (compared with it on the endpoint's backend, or on the cluster), within DSQL's rules: REPEATABLE READ only, one
/// connection per transaction, no transactions of the provider's own inside one.
/// </summary>
public sealed class TransactionScopeTests
{
	[Table("tx_scope_note")]
	sealed class Note
	{
		[PrimaryKey] public Guid   Id    { get; set; }
		[Column]     public string Label { get; set; } = "";

		[Association(ThisKey = nameof(Id), OtherKey = nameof(NoteTag.NoteId))]
		public List<NoteTag> Tags { get; set; } = [];
	}

	[Table("tx_scope_note_tag")]
	sealed class NoteTag
	{
		[PrimaryKey] public Guid   Id     { get; set; }
		[Column]     public Guid   NoteId { get; set; }
		[Column]     public string Tag    { get; set; } = "";
	}

	DataConnection _db = null!;

	[OneTimeSetUp]
	public async Task CreateTablesAsync()
	{
		_db = TestDatabase.Connect();
		await _db.CreateTableAsync<Note>();
		await _db.CreateTableAsync<NoteTag>();
	}

	[OneTimeTearDown]
	public async Task DropTablesAsync()
	{
		await _db.DropTableAsync<NoteTag>();
		await _db.DropTableAsync<Note>();
		await _db.DisposeAsync();
	}

	[TearDown]
	public void NoScopeIsLeftBehind() => Transaction.Current.Should().BeNull("every test disposes its scopes");

	static TransactionScope Scope(TransactionScopeOption option = TransactionScopeOption.Required, IsolationLevel level = IsolationLevel.RepeatableRead) =>
		new(option, new TransactionOptions { IsolationLevel = level }, TransactionScopeAsyncFlowOption.Enabled);

	static Note NewNote(string label = "scoped") => new() { Id = Guid.NewGuid(), Label = label };

	/// <summary>Whether the note was committed, as a new session outside any scope sees it.</summary>
	static async Task<bool> CommittedAsync(Guid id)
	{
		using var suppress = new TransactionScope(TransactionScopeOption.Suppress, TransactionScopeAsyncFlowOption.Enabled);
		await using var db = TestDatabase.Connect();
		return await db.GetTable<Note>().AnyAsync(n => n.Id == id);
	}

	/// <summary>Inserts a note in a new scope on a connection from <paramref name="connect"/>; completes the scope or not.</summary>
	static async Task<bool> InsertInScopeAsync(Func<DataConnection> connect, bool complete)
	{
		var note = NewNote();

		using (var scope = Scope())
		{
			await using var db = connect();
			await db.InsertAsync(note);

			if (complete)
				scope.Complete();
		}

		return await CommittedAsync(note.Id);
	}

	#region Commit and rollback, compared with linq2db's PostgreSQL provider

	[Test]
	public async Task ADisposedScopeWithoutCompleteRollsBackTheWorkAsTheStockProviderDoes()
	{
		(await InsertInScopeAsync(() => TestDatabase.ConnectStock(), complete: false)).Should().BeFalse("the stock provider rolls back");
		(await InsertInScopeAsync(() => TestDatabase.Connect(), complete: false)).Should().BeFalse("the scope was not completed");
	}

	[Test]
	public async Task ACompletedScopeCommitsTheWorkAsTheStockProviderDoes()
	{
		(await InsertInScopeAsync(() => TestDatabase.ConnectStock(), complete: true)).Should().BeTrue();
		(await InsertInScopeAsync(() => TestDatabase.Connect(), complete: true)).Should().BeTrue();
	}

	[Test]
	public async Task SynchronousWorkInAScopeIsRolledBackOrCommittedWithIt()
	{
		var rolledBack = NewNote();
		var committed  = NewNote();

		using (new TransactionScope(TransactionScopeOption.Required, new TransactionOptions { IsolationLevel = IsolationLevel.RepeatableRead }))
		{
			using var db = TestDatabase.Connect();
			db.Insert(rolledBack);
			db.GetTable<Note>().Count(n => n.Id == rolledBack.Id).Should().Be(1, "the scope's transaction sees its own work");
		}

		using (var scope = new TransactionScope(TransactionScopeOption.Required, new TransactionOptions { IsolationLevel = IsolationLevel.RepeatableRead }))
		{
			using var db = TestDatabase.Connect();
			db.Insert(committed);
			scope.Complete();
		}

		(await CommittedAsync(rolledBack.Id)).Should().BeFalse();
		(await CommittedAsync(committed.Id)).Should().BeTrue();
	}

	[Test]
	public async Task WorkIsInvisibleToOthersUntilTheScopeCommits()
	{
		var note = NewNote();

		using (var scope = Scope())
		{
			await using var db = TestDatabase.Connect();
			await db.InsertAsync(note);

			(await CommittedAsync(note.Id)).Should().BeFalse("the scope has not committed yet");
			scope.Complete();
		}

		(await CommittedAsync(note.Id)).Should().BeTrue();
	}

	[TestCase(IsolationLevel.RepeatableRead)]
	[TestCase(IsolationLevel.Snapshot)]
	public async Task ScopesOfTheLevelsDsqlRunsRunAtRepeatableRead(IsolationLevel level)
	{
		using var scope = Scope(level: level);
		await using var db = TestDatabase.Connect();

		(await db.ExecuteAsync<string>("SHOW transaction_isolation")).Should().Be("repeatable read");

		var started = await db.ExecuteAsync<DateTime>("SELECT now()");
		(await db.ExecuteAsync<DateTime>("SELECT now()")).Should().Be(started, "both statements run in the scope's one transaction");
	}

	[Test]
	public async Task AnAsyncFlowKeepsOneTransactionAcrossAwaitsAndThreads()
	{
		var first  = NewNote("first");
		var second = NewNote("second");

		using (Scope())
		{
			await using var db = TestDatabase.Connect();
			await db.InsertAsync(first);
			await Task.Run(async () => await db.InsertAsync(second));
			await Task.Yield();

			(await db.GetTable<Note>().CountAsync(n => n.Id == first.Id || n.Id == second.Id)).Should().Be(2);
		}

		(await CommittedAsync(first.Id)).Should().BeFalse();
		(await CommittedAsync(second.Id)).Should().BeFalse();
	}

	[Test]
	public async Task AConnectionClosedInTheScopeHandsTheTransactionToTheNextOne()
	{
		var first  = NewNote("first");
		var second = NewNote("second");

		using (Scope())
		{
			await using (var db = TestDatabase.Connect())
				await db.InsertAsync(first);

			// A DataContext opens and closes a connection per statement.
			using var context = new DataContext(TestDatabase.Options);
			await context.InsertAsync(second);
			(await context.GetTable<Note>().CountAsync(n => n.Id == first.Id || n.Id == second.Id)).Should().Be(2, "all of it runs in one transaction");
		}

		(await CommittedAsync(first.Id)).Should().BeFalse("the scope rolled back both connections' work");
		(await CommittedAsync(second.Id)).Should().BeFalse();
	}

	[Test]
	public async Task ConnectionsFromAConnectionStringWithATokenShareTheScopesSession()
	{
		var first   = NewNote("first");
		var second  = NewNote("second");
		var options = new DataOptions().UseAuroraDsqlConnectionString(TestDatabase.CreateConnectionStringWithToken()).UseMappingSchema(TestDatabase.RunTables);

		using (var scope = Scope())
		{
			using var context = new DataContext(options);
			await context.InsertAsync(first);
			await context.InsertAsync(second);
			(await context.GetTable<Note>().CountAsync(n => n.Id == first.Id || n.Id == second.Id)).Should().Be(2);
		}

		(await CommittedAsync(first.Id)).Should().BeFalse();
		(await CommittedAsync(second.Id)).Should().BeFalse();
	}

	[Test]
	public async Task EagerLoadingRunsInTheScopesTransaction()
	{
		var note = NewNote();

		using (Scope())
		{
			await using var db = TestDatabase.Connect();
			await db.InsertAsync(note);
			await db.InsertAsync(new NoteTag { Id = Guid.NewGuid(), NoteId = note.Id, Tag = "a" });
			await db.InsertAsync(new NoteTag { Id = Guid.NewGuid(), NoteId = note.Id, Tag = "b" });

			var loaded = await db.GetTable<Note>().LoadWith(n => n.Tags).SingleAsync(n => n.Id == note.Id);
			loaded.Tags.Select(t => t.Tag).Should().BeEquivalentTo("a", "b");
		}

		(await CommittedAsync(note.Id)).Should().BeFalse();
	}

	[Test]
	public async Task AnOpenConnectionEnlistsWhenAskedToWithinTheSameRules()
	{
		var rolledBack = NewNote("rolled back");
		var afterwards = NewNote("afterwards");

		await using var db = TestDatabase.Connect();
		var connection = (AuroraDsqlConnection)db.OpenDbConnection();

		using (new TransactionScope(TransactionScopeOption.Required, TransactionScopeAsyncFlowOption.Enabled))
		{
			connection.Invoking(c => c.EnlistTransaction(Transaction.Current))
				.Should().Throw<AuroraDsqlNotSupportedException>().WithMessage("*refuses Serializable*");
		}

		using (Scope())
		{
			connection.EnlistTransaction(Transaction.Current);
			await db.InsertAsync(rolledBack);
		}

		await db.InsertAsync(afterwards);

		(await CommittedAsync(rolledBack.Id)).Should().BeFalse("it ran in the scope's transaction");
		(await CommittedAsync(afterwards.Id)).Should().BeTrue("after the scope the connection autocommits again");
	}

	#endregion

	#region Nested scopes

	[Test]
	public async Task ACompletedInnerScopeIsRolledBackWithItsOuterScope()
	{
		var outer = NewNote("outer");
		var inner = NewNote("inner");

		using (Scope())
		{
			await using var db = TestDatabase.Connect();
			await db.InsertAsync(outer);

			using (var nested = Scope())
			{
				await db.InsertAsync(inner);
				nested.Complete();
			}
		}

		(await CommittedAsync(outer.Id)).Should().BeFalse();
		(await CommittedAsync(inner.Id)).Should().BeFalse();
	}

	[Test]
	public async Task AnInnerScopeThatIsNotCompletedAbortsTheOuterOne()
	{
		var outer = NewNote("outer");

		var dispose = () =>
		{
			using var scope = Scope();
			using (var db = TestDatabase.Connect())
			{
				db.Insert(outer);
				using (Scope())
					db.GetTable<Note>().Count().Should().BeGreaterThan(0);
			}

			scope.Complete();
		};

		dispose.Should().Throw<TransactionAbortedException>();
		(await CommittedAsync(outer.Id)).Should().BeFalse();
	}

	[Test]
	public async Task ARequiresNewScopeCommitsOnItsOwnConnection()
	{
		var outer = NewNote("outer");
		var inner = NewNote("inner");

		using (Scope())
		{
			await using var db = TestDatabase.Connect();
			await db.InsertAsync(outer);

			using (var independent = Scope(TransactionScopeOption.RequiresNew))
			{
				await using var other = TestDatabase.Connect();
				await other.InsertAsync(inner);
				independent.Complete();
			}
		}

		(await CommittedAsync(outer.Id)).Should().BeFalse();
		(await CommittedAsync(inner.Id)).Should().BeTrue("the inner scope was a transaction of its own");
	}

	[Test]
	public async Task ASuppressedScopeRunsOutsideTheTransaction()
	{
		var outer      = NewNote("outer");
		var suppressed = NewNote("suppressed");

		using (Scope())
		{
			await using var db = TestDatabase.Connect();
			await db.InsertAsync(outer);

			using (Scope(TransactionScopeOption.Suppress))
			{
				await using var other = TestDatabase.Connect();
				await other.InsertAsync(suppressed);
			}
		}

		(await CommittedAsync(outer.Id)).Should().BeFalse();
		(await CommittedAsync(suppressed.Id)).Should().BeTrue("autocommitted outside the scope's transaction");
	}

	#endregion

	#region Conflicts

	[Test]
	public async Task AConflictAtTheScopesCommitAbortsItAndIsClassifiedAsAConflict()
	{
		var note = NewNote("before");
		await using (var db = TestDatabase.Connect())
			await db.InsertAsync(note);

		await using var rival = TestDatabase.Connect();

		var run = async () =>
		{
			using var scope = Scope();
			await using (var db = TestDatabase.Connect())
				await db.GetTable<Note>().Where(n => n.Id == note.Id).Set(n => n.Label, "scoped").UpdateAsync();

			// Another session, outside the scope, changes the same note and commits first: the scope's COMMIT loses.
			using (new TransactionScope(TransactionScopeOption.Suppress, TransactionScopeAsyncFlowOption.Enabled))
				await rival.GetTable<Note>().Where(n => n.Id == note.Id).Set(n => n.Label, "rival").UpdateAsync();

			scope.Complete();
		};

		var thrown = await run.Should().ThrowAsync<TransactionAbortedException>();
		AuroraDsqlErrors.IsOptimisticConcurrencyConflict(thrown.Which).Should().BeTrue("the 40001 is the inner exception: run the scope again");
		AuroraDsqlErrors.IsTransient(thrown.Which).Should().BeTrue();

		await using (var db = TestDatabase.Connect())
			(await db.GetTable<Note>().Where(n => n.Id == note.Id).Select(n => n.Label).SingleAsync()).Should().Be("rival", "the scope's update was not committed");
	}

	#endregion

	#region Refused before anything is sent

	[TestCase(IsolationLevel.Serializable)]
	[TestCase(IsolationLevel.ReadCommitted)]
	[TestCase(IsolationLevel.ReadUncommitted)]
	public async Task ScopesOfOtherLevelsAreRefusedBeforeTheConnectionOpens(IsolationLevel level)
	{
		var note = NewNote();

		using (Scope(level: level))
		{
			await using var db = TestDatabase.Connect();

			await FluentActions.Awaiting(() => db.InsertAsync(note))
				.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
				.WithMessage($"*REPEATABLE READ*refuses {level}*Nothing was sent*new TransactionOptions {{ IsolationLevel = IsolationLevel.RepeatableRead }}*");

			db.TryGetDbConnection().Should().BeOfType<AuroraDsqlConnection>().Which.State.Should().Be(System.Data.ConnectionState.Closed, "it never opened");
		}

		(await CommittedAsync(note.Id)).Should().BeFalse();
	}

	[Test]
	public void TheDefaultScopeIsSerializableAndRefusedWithTheOptionsToUse()
	{
		using var scope = new TransactionScope();
		using var db    = TestDatabase.Connect();

		db.Invoking(d => d.GetTable<Note>().Count())
			.Should().Throw<AuroraDsqlNotSupportedException>()
			.WithMessage("*refuses Serializable*what new TransactionScope() asks for*IsolationLevel.RepeatableRead*Snapshot works too*");
	}

	[Test]
	public async Task ASecondConnectionInTheSameScopeIsRefusedInsteadOfATwoPhaseCommit()
	{
		var note   = NewNote();
		var second = NewNote("second");

		using (var scope = Scope())
		{
			await using var first = TestDatabase.Connect();
			await first.InsertAsync(note);

			await using var other = TestDatabase.Connect();
			await FluentActions.Awaiting(() => other.InsertAsync(second))
				.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
				.WithMessage("*already has a connection*two-phase commit*Nothing was sent*");

			other.TryGetDbConnection().Should().BeOfType<AuroraDsqlConnection>().Which.State.Should().Be(System.Data.ConnectionState.Closed, "it never opened");
			(await first.GetTable<Note>().CountAsync(n => n.Id == note.Id)).Should().Be(1, "the first connection carries on");
			scope.Complete();
		}

		(await CommittedAsync(note.Id)).Should().BeTrue("the refused connection did not disturb the transaction");
		(await CommittedAsync(second.Id)).Should().BeFalse();
	}

	[Test]
	public async Task AConnectionThatReachesASecondSessionRollsTheScopeBack()
	{
		// Two pools with the same settings: a connection closed in the scope leaves its session in the first pool, so a
		// connection from the second cannot continue the transaction.
		await using var firstPool  = AuroraDsqlTools.CreateDataSource(TestDatabase.HostName, TestDatabase.Configure);
		await using var secondPool = AuroraDsqlTools.CreateDataSource(TestDatabase.HostName, TestDatabase.Configure);
		var note   = NewNote();
		var second = NewNote("second");

		var run = async () =>
		{
			using var scope = Scope();

			await using (var db = new DataConnection(new DataOptions().UseAuroraDsql(firstPool).UseMappingSchema(TestDatabase.RunTables)))
				await db.InsertAsync(note);

			await using (var other = new DataConnection(new DataOptions().UseAuroraDsql(secondPool).UseMappingSchema(TestDatabase.RunTables)))
			{
				await FluentActions.Awaiting(() => other.InsertAsync(second))
					.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
					.WithMessage("*two-phase commit*second server session*transaction was rolled back*");
			}

			scope.Complete();
		};

		await run.Should().ThrowAsync<TransactionAbortedException>("the scope cannot commit half of its work");
		(await CommittedAsync(note.Id)).Should().BeFalse();
		(await CommittedAsync(second.Id)).Should().BeFalse();
	}

	[Test]
	public async Task AConnectionOfOtherSettingsIsRefusedBeforeItOpens()
	{
		var note   = NewNote();
		var second = NewNote("second");
		var other  = TestDatabase.CreateOptions(o => o with { ApplicationName = TestNames.Unique("other_pool") });

		using (var scope = Scope())
		{
			await using (var db = TestDatabase.Connect())
				await db.InsertAsync(note);

			await using (var db = new DataConnection(other))
			{
				await FluentActions.Awaiting(() => db.InsertAsync(second))
					.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
					.WithMessage("*already has a connection*Nothing was sent*");
			}

			scope.Complete();
		}

		(await CommittedAsync(note.Id)).Should().BeTrue();
		(await CommittedAsync(second.Id)).Should().BeFalse();
	}

	[Test]
	public async Task TheStockProviderSendsTheWorkOfTwoConnectionsAndFailsAtCommit()
	{
		var first  = NewNote("first");
		var second = NewNote("second");

		var run = async () =>
		{
			using var scope = Scope();
			await using var one = TestDatabase.ConnectStock();
			await using var two = TestDatabase.ConnectStock();
			await one.InsertAsync(first);
			await two.InsertAsync(second);
			scope.Complete();
		};

		// Two connections make Npgsql commit with PREPARE TRANSACTION, which DSQL does not have (and PostgreSQL only with
		// max_prepared_transactions set): on a cluster and on the local endpoint's backend alike, neither insert commits.
		await run.Should().ThrowAsync<TransactionException>();
		(await CommittedAsync(first.Id)).Should().BeFalse();
		(await CommittedAsync(second.Id)).Should().BeFalse();
	}

	[Test]
	public async Task InTransactionInsideAScopeIsRefused()
	{
		var recorder = new SqlRecorder();

		using (Scope())
		{
			await using var db = TestDatabase.Connect(o => o.UseInterceptor(recorder));
			var neverOpened = db.TryGetDbConnection();

			await FluentActions.Awaiting(() => db.InTransactionAsync((tx, ct) => tx.InsertAsync(NewNote(), token: ct)))
				.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
				.WithMessage("*InTransaction*ambient transaction*TransactionScope*Nothing was sent*");

			db.Invoking(d => d.InTransaction(tx => tx.Insert(NewNote())))
				.Should().Throw<AuroraDsqlNotSupportedException>()
				.WithMessage("*InTransaction*TransactionScope*");

			neverOpened.Should().BeNull("nothing was sent, not even a connection opened");
		}

		recorder.Commands.Should().BeEmpty();
	}

	[Test]
	public async Task BeginTransactionOnAnEnlistedConnectionIsRefused()
	{
		using (Scope())
		{
			await using var db = TestDatabase.Connect();
			await db.GetTable<Note>().CountAsync();

			db.Invoking(d => d.BeginTransaction())
				.Should().Throw<AuroraDsqlNotSupportedException>()
				.WithMessage("*ambient transaction of a TransactionScope*no nested transactions*");

			(await db.GetTable<Note>().CountAsync()).Should().BeGreaterThanOrEqualTo(0, "the scope's transaction carries on");
		}
	}

	[Test]
	public async Task DdlAfterDmlInTheScopesTransactionIsRefusedBeforeItIsSent()
	{
		var note = NewNote();

		using (var scope = Scope())
		{
			await using var db = TestDatabase.Connect();
			await db.InsertAsync(note);

			await FluentActions.Awaiting(() => db.ExecuteAsync("CREATE TABLE tx_scope_never (id int PRIMARY KEY)"))
				.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
				.WithMessage("*ddl and dml are not supported in the same transaction*Nothing was sent*");

			scope.Complete();
		}

		(await CommittedAsync(note.Id)).Should().BeTrue("nothing was sent, so the transaction was not aborted");
	}

	[Test]
	public async Task SchemaOperationsAreRefusedInAScope()
	{
		using (Scope())
		{
			await using var db = TestDatabase.Connect();

			await FluentActions.Awaiting(() => db.EnsureSchemaAsync<Note>())
				.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
				.WithMessage("*own transaction*outside the transaction (or TransactionScope)*");
		}
	}

	#endregion

	#region The provider's batched work inside a scope

	[Test]
	public async Task BulkCopyRunsInTheScopesTransaction()
	{
		var notes = Enumerable.Range(0, 20).Select(i => NewNote($"bulk {i}")).ToList();

		using (Scope())
		{
			await using var db = TestDatabase.Connect();
			(await db.GetTable<Note>().BulkCopyAsync(notes)).RowsCopied.Should().Be(20);
			(await db.GetTable<Note>().CountAsync(n => n.Label.StartsWith("bulk "))).Should().BeGreaterThanOrEqualTo(20);
		}

		foreach (var note in notes)
			(await CommittedAsync(note.Id)).Should().BeFalse();
	}

	[Test]
	public async Task BulkCopyTooLargeForOneTransactionIsRefusedInAScope()
	{
		var recorder = new SqlRecorder();
		var notes    = Enumerable.Range(0, AuroraDsqlOptions.DsqlMaxRowsPerTransaction + 1).Select(i => NewNote($"large {i}"));

		using (Scope())
		{
			await using var db = TestDatabase.Connect(o => o.UseInterceptor(recorder));

			await FluentActions.Awaiting(() => db.GetTable<Note>().BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.MultipleRows }, notes))
				.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
				.WithMessage("*more than 3,000 rows*Nothing was sent*outside the transaction or TransactionScope*");
		}

		recorder.Commands.Should().BeEmpty();
	}

	[Test]
	public async Task DeleteInBatchesRunsInTheScopesTransaction()
	{
		var notes = Enumerable.Range(0, 5).Select(i => NewNote("batched")).ToList();

		await using (var setup = TestDatabase.Connect())
			await setup.GetTable<Note>().BulkCopyAsync(notes);

		var ids = notes.Select(n => n.Id).ToList();

		using (Scope())
		{
			await using var db = TestDatabase.Connect();
			(await db.GetTable<Note>().DeleteInBatchesAsync(n => ids.Contains(n.Id))).Should().Be(5);
		}

		foreach (var note in notes)
			(await CommittedAsync(note.Id)).Should().BeTrue("the scope rolled the delete back");
	}

	[Test]
	public async Task TruncateRunsInTheScopesTransaction()
	{
		await using var setup = TestDatabase.Connect();
		var table = await setup.CreateTableAsync<NoteTag>(TestNames.Unique("tx_scope_truncated"));

		try
		{
			await table.BulkCopyAsync(Enumerable.Range(0, 3).Select(i => new NoteTag { Id = Guid.NewGuid(), NoteId = Guid.Empty, Tag = $"t{i}" }));

			using (Scope())
			{
				await using var db = TestDatabase.Connect();
				var scoped = db.GetTable<NoteTag>().TableName(table.TableName);

				await scoped.TruncateAsync();
				(await scoped.CountAsync()).Should().Be(0);
			}

			(await table.CountAsync()).Should().Be(3, "the scope rolled the delete back");

			using (Scope())
			{
				// Batches of two rows: three rows cannot be deleted in one transaction, and the scope's is the only one.
				await using var db = TestDatabase.Connect(o => o.UseAuroraDsqlOptions(d => d with { MaxRowsPerTransaction = 2 }));

				await FluentActions.Awaiting(() => db.GetTable<NoteTag>().TableName(table.TableName).TruncateAsync())
					.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
					.WithMessage("*inside a transaction could delete more than 2 rows*Nothing was deleted*outside the transaction or TransactionScope*");
			}

			(await table.CountAsync()).Should().Be(3);
		}
		finally
		{
			await table.DropAsync();
		}
	}

	#endregion

	[Test]
	public async Task ConnectionsWithEnlistFalseStayOutOfScopes()
	{
		var options = TestDatabase.CreateOptions(o => o with
		{
			ConfigureConnectionString = b => b.Enlist = false,
		});
		var note = NewNote();

		using (new TransactionScope(TransactionScopeOption.Required, TransactionScopeAsyncFlowOption.Enabled))
		{
			// Not enlisting, so neither the scope's level nor its outcome concerns the connection.
			await using var db = new DataConnection(options);
			await db.InsertAsync(note);
		}

		(await CommittedAsync(note.Id)).Should().BeTrue("the connection autocommitted, as Npgsql does with Enlist=false");
	}
}
