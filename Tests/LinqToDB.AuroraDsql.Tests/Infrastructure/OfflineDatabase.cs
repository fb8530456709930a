using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

using LinqToDB.Common;
using LinqToDB.Data;
using LinqToDB.Interceptors;

using Npgsql;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;

/// <summary>
/// A data connection that builds SQL with the Aurora DSQL provider but sends nothing: commands are recorded and answered
/// with empty results. For tests that pin generated SQL or prove nothing was sent.
/// </summary>
public static class OfflineDatabase
{
	public static DataConnection Connect(out OfflineRecorder recorder, Func<AuroraDsqlOptions, AuroraDsqlOptions>? optionSetter = null)
	{
		recorder = new OfflineRecorder();

		var options = new DataOptions()
			.UseConnectionFactory(AuroraDsqlTools.GetDataProvider(), _ => CreateOfflineConnection())
			.UseAuroraDsqlOptions(optionSetter)
			.UseInterceptor(recorder);

		return new DataConnection(options);
	}

	/// <summary>A connection that needs no server.</summary>
	public static DbConnection CreateOfflineConnection() => new OfflineConnection();

	/// <summary>Captures command texts and stops them from executing.</summary>
	public sealed class OfflineRecorder : CommandInterceptor
	{
		public List<string> Commands { get; } = [];

		public string OnlyCommand => Commands.Should().ContainSingle().Subject;

		/// <summary>Command texts as they would have been sent: after every interceptor (the provider's too) has seen them.</summary>
		public List<string> Executed { get; } = [];

		public object? ScalarResult { get; set; }

		public override DbCommand CommandInitialized(CommandEventData eventData, DbCommand command)
		{
			Commands.Add(command.CommandText);
			return command;
		}

		public override Option<int> ExecuteNonQuery(CommandEventData eventData, DbCommand command, Option<int> result)
		{
			Executed.Add(command.CommandText);
			return Option<int>.Some(0);
		}

		public override Task<Option<int>> ExecuteNonQueryAsync(CommandEventData eventData, DbCommand command, Option<int> result, CancellationToken cancellationToken)
		{
			Executed.Add(command.CommandText);
			return Task.FromResult(Option<int>.Some(0));
		}

		public override Option<object?> ExecuteScalar(CommandEventData eventData, DbCommand command, Option<object?> result)
		{
			Executed.Add(command.CommandText);
			return Option<object?>.Some(ScalarResult);
		}

		/// <summary>Rows answered to queries: one text column, no rows unless set.</summary>
		public DataTable ReaderResult { get; set; } = CreateResult();

		static DataTable CreateResult()
		{
			var table = new DataTable();
			table.Columns.Add("job_id", typeof(string));
			return table;
		}

		public override Option<DbDataReader> ExecuteReader(CommandEventData eventData, DbCommand command, CommandBehavior commandBehavior, Option<DbDataReader> result)
		{
			Executed.Add(command.CommandText);
			return Option<DbDataReader>.Some(ReaderResult.CreateDataReader());
		}

		public override Task<Option<DbDataReader>> ExecuteReaderAsync(CommandEventData eventData, DbCommand command, CommandBehavior commandBehavior, Option<DbDataReader> result, CancellationToken cancellationToken)
		{
			Executed.Add(command.CommandText);
			return Task.FromResult(Option<DbDataReader>.Some(ReaderResult.CreateDataReader()));
		}
	}

	/// <summary>A connection that opens without a server and hands out unconnected Npgsql commands.</summary>
	sealed class OfflineConnection : DbConnection
	{
		ConnectionState _state = ConnectionState.Closed;

		[AllowNull]
		public override string ConnectionString { get; set; } = "";
		public override string Database => "postgres";
		public override string DataSource => "offline";
		public override string ServerVersion => "16.13";
		public override ConnectionState State => _state;

		public override void ChangeDatabase(string databaseName) { }
		public override void Close() => _state = ConnectionState.Closed;
		public override void Open() => _state = ConnectionState.Open;

		protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) =>
			throw new NotSupportedException("The offline database has no transactions.");

		protected override DbCommand CreateDbCommand() => new NpgsqlCommand();
	}
}
