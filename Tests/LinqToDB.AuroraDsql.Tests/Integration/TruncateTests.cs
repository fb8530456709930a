using LinqToDB.DataProvider.AuroraDsql.Testing;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;
using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

public sealed class TruncateTests
{
	[Table]
	sealed class Row
	{
		[PrimaryKey] public int    Id      { get; set; }
		[Column]     public string Payload { get; set; } = "";
	}

	[Table]
	sealed class KeylessRow
	{
		[Column] public int Id { get; set; }
	}

	static async Task<ITable<Row>> CreateFilledAsync(DataConnection db, int rows)
	{
		var table = await db.CreateTableAsync<Row>(tableName: TestNames.Unique("trunc"));
		await table.BulkCopyAsync(Enumerable.Range(1, rows).Select(i => new Row { Id = i, Payload = "p" + i }));
		return table;
	}

	[Test]
	public async Task OutsideATransactionEmptiesAnySizeInCommittedBatches()
	{
		var recorder = new SqlRecorder();
		await using var db = TestDatabase.Connect(o => o.UseInterceptor(recorder));
		var table = await CreateFilledAsync(db, 7_001);

		try
		{
			var deleted = await table.TruncateAsync();

			deleted.Should().Be(7_001);
			(await table.CountAsync()).Should().Be(0);
			recorder.Commands.Should().NotContain(c => c.Contains("TRUNCATE", StringComparison.Ordinal));
		}
		finally
		{
			await table.DropAsync();
		}
	}

	sealed class CommentPrepender : LinqToDB.Interceptors.CommandInterceptor
	{
		public override System.Data.Common.DbCommand CommandInitialized(LinqToDB.Interceptors.CommandEventData eventData, System.Data.Common.DbCommand command)
		{
			command.CommandText = "/* traced by an application interceptor */\n" + command.CommandText;
			return command;
		}
	}

	[Test]
	public async Task StillBatchesWhenAnotherInterceptorRewritesTheCommandText()
	{
		await using var db = TestDatabase.Connect(o => o.UseInterceptor(new CommentPrepender()));
		var table = await CreateFilledAsync(db, 6_500);

		try
		{
			(await table.TruncateAsync()).Should().Be(6_500);
			(await table.CountAsync()).Should().Be(0);
		}
		finally
		{
			await table.DropAsync();
		}
	}

	[Test]
	public void SynchronousTruncateAlsoBatches()
	{
		using var db = TestDatabase.Connect();
		var table = CreateFilledAsync(db, 3_000).GetAwaiter().GetResult();

		try
		{
			table.Truncate().Should().Be(3_000);
			table.Count().Should().Be(0);
		}
		finally
		{
			table.Drop();
		}
	}

	[Test]
	public async Task InsideATransactionRefusesWhenTheTableCouldExceedTheRowLimit()
	{
		await using var db = TestDatabase.Connect();
		var table = await CreateFilledAsync(db, 3_001);

		try
		{
			await using (var transaction = await db.BeginTransactionAsync())
			{
				await FluentActions.Awaiting(() => table.TruncateAsync())
					.Should().ThrowAsync<AuroraDsqlNotSupportedException>()
					.WithMessage("*inside a transaction could delete more than 3,000 rows*Nothing was deleted*outside the transaction*");

				(await table.CountAsync()).Should().Be(3_001, "the transaction is still usable and nothing was deleted");
				await transaction.RollbackAsync();
			}

			(await table.CountAsync()).Should().Be(3_001);
		}
		finally
		{
			await table.DropAsync();
		}
	}

	[Test]
	public async Task InsideATransactionSmallTablesAreEmptiedAtomically()
	{
		await using var db = TestDatabase.Connect();
		var table = await CreateFilledAsync(db, 25);

		try
		{
			await using (var transaction = await db.BeginTransactionAsync())
			{
				(await table.TruncateAsync()).Should().Be(25);
				(await table.CountAsync()).Should().Be(0);
				await transaction.RollbackAsync();
			}

			(await table.CountAsync()).Should().Be(25, "the delete belonged to the rolled back transaction");
		}
		finally
		{
			await table.DropAsync();
		}
	}

	[Test]
	public async Task WithoutAMappedKeyLargeTablesAreRefused()
	{
		await using var db = TestDatabase.Connect();
		var table = await db.CreateTableAsync<KeylessRow>(tableName: TestNames.Unique("trunc_keyless"));

		try
		{
			await table.BulkCopyAsync(Enumerable.Range(1, 3_001).Select(i => new KeylessRow { Id = i }));

			await FluentActions.Awaiting(() => table.TruncateAsync())
				.Should().ThrowAsync<AuroraDsqlNotSupportedException>().WithMessage("*no primary key*[PrimaryKey]*");
			(await table.CountAsync()).Should().Be(3_001);

			await table.Where(r => r.Id > 10).DeleteAsync();
			(await table.TruncateAsync()).Should().Be(10);
		}
		finally
		{
			await table.DropAsync();
		}
	}
	[Test]
	public async Task MarkerTextInDataOrTagsIsNotTakenForATruncate()
	{
		await using var db = TestDatabase.Connect();
		var victim = await CreateFilledAsync(db, 50);
		var notes  = await CreateFilledAsync(db, 3);

		try
		{
			static string B64(string text) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text));
			var marker = $"/* AuroraDSQL:truncate batch=3000 table={B64(victim.TableName)} keys={B64("\"Id\"")} */";

			// in a literal (inlined parameters put it into the command text)
			db.InlineParameters = true;
			(await notes.InsertAsync(() => new Row { Id = 100, Payload = marker })).Should().Be(1);
			db.InlineParameters = false;

			// in a query tag in front of a one-row delete
			(await notes.TagQuery($"AuroraDSQL:truncate batch=3000 table={B64(notes.TableName)} keys={B64("\"Id\"")}").Where(r => r.Id == 1).DeleteAsync())
				.Should().Be(1);

			(await victim.CountAsync()).Should().Be(50);
			(await notes.Select(r => r.Id).OrderBy(id => id).ToListAsync()).Should().Equal(2, 3, 100);
		}
		finally
		{
			await victim.DropAsync();
			await notes.DropAsync();
		}
	}
}
