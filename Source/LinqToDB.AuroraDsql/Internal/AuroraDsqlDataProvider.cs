using System.Data;
using System.Data.Common;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.DataProvider.PostgreSQL;
using LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;
using LinqToDB.Internal.DataProvider.AuroraDsql.Commands;
using LinqToDB.Internal.DataProvider.AuroraDsql.Connections;
using LinqToDB.Internal.DataProvider.AuroraDsql.Schema;
using LinqToDB.Internal.DataProvider.PostgreSQL;
using LinqToDB.Internal.SqlProvider;
using LinqToDB.Mapping;
using LinqToDB.SchemaProvider;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>
/// linq2db data provider for Aurora DSQL: the PostgreSQL 15 dialect with DSQL's DDL rules, its own name (so its query
/// cache is its own), mapping schema, SQL builder, schema provider and bulk copy.
/// </summary>
sealed class AuroraDsqlDataProvider : PostgreSQLDataProvider
{
	static readonly Lazy<AuroraDsqlDataProvider> _instance = new(() => new AuroraDsqlDataProvider(), LazyThreadSafetyMode.ExecutionAndPublication);

	public static AuroraDsqlDataProvider Instance => _instance.Value;

	readonly AuroraDsqlSqlOptimizer _sqlOptimizer;

	AuroraDsqlDataProvider() : base(AuroraDsqlTools.ProviderName, PostgreSQLVersion.v15)
	{
		// DSQL has no MERGE: never lower upserts to it (InsertOrUpdate stays INSERT … ON CONFLICT).
		SqlProviderFlags.IsUpsertWithMergeLoweringSupported = false;
		// Eager loading opens an implicit transaction; DSQL only runs REPEATABLE READ.
		SqlProviderFlags.DefaultMultiQueryIsolationLevel    = IsolationLevel.RepeatableRead;
		SqlProviderFlags.MaxColumnCount                     = CreateTableValidator.MaxColumns;

		_sqlOptimizer = new AuroraDsqlSqlOptimizer(SqlProviderFlags);

		// linq2db looks for System.Transactions among the loaded assemblies once, the first time it eager-loads, to learn
		// whether queries can run inside a TransactionScope (where it must not begin a transaction of its own). Load it
		// now, so that check cannot come too early.
		_ = System.Transactions.Transaction.Current;
	}

	public override MappingSchema MappingSchema => AuroraDsqlMappingSchema.Instance;

	// Temporary tables are regular tables with a unique name (TemporaryTables); rows cannot vanish at COMMIT.
	public override TableOptions SupportedTableOptions =>
		TableOptions.CreateIfNotExists | TableOptions.DropIfExists | TableOptions.IsTemporary | TableOptions.IsLocalTemporaryStructure | TableOptions.IsLocalTemporaryData;

	public override ISqlBuilder CreateSqlBuilder(MappingSchema mappingSchema, DataOptions dataOptions) =>
		new AuroraDsqlSqlBuilder(this, mappingSchema, dataOptions, GetSqlOptimizer(dataOptions), SqlProviderFlags);

	public override ISqlOptimizer GetSqlOptimizer(DataOptions dataOptions) => _sqlOptimizer;

	public override ISchemaProvider GetSchemaProvider() => new AuroraDsqlSchemaProvider();

	// Connection strings by name or from configuration: IAM tokens when there is no password (see ConnectionStrings).
	protected override DbConnection CreateConnectionInternal(string connectionString) => ConnectionStrings.CreateConnection(connectionString);

	public override DbConnection? TryGetProviderConnection(IDataContext dataContext, DbConnection connection) =>
		base.TryGetProviderConnection(dataContext, connection is AuroraDsqlConnection wrapper ? wrapper.NpgsqlConnection : connection);

	public override void InitContext(IDataContext dataContext)
	{
		base.InitContext(dataContext);
		dataContext.AddInterceptor(AuroraDsqlCommandInterceptor.Instance);
		dataContext.AddInterceptor(AuroraDsqlExceptionInterceptor.Instance);
	}

	#region BulkCopy

	public override BulkCopyRowsCopied BulkCopy<T>(DataOptions options, ITable<T> table, IEnumerable<T> source) =>
		CreateBulkCopy().Copy(ResolveBulkCopyType(options), Materialized(table), options, source);

	public override Task<BulkCopyRowsCopied> BulkCopyAsync<T>(DataOptions options, ITable<T> table, IEnumerable<T> source, CancellationToken cancellationToken) =>
		CreateBulkCopy().CopyAsync(ResolveBulkCopyType(options), Materialized(table), options, source, cancellationToken);

	public override Task<BulkCopyRowsCopied> BulkCopyAsync<T>(DataOptions options, ITable<T> table, IAsyncEnumerable<T> source, CancellationToken cancellationToken) =>
		CreateBulkCopy().CopyAsync(ResolveBulkCopyType(options), Materialized(table), options, source, cancellationToken);

	/// <summary>
	/// A temporary table (<c>TempTable&lt;T&gt;</c>, <c>IntoTempTable</c>) as the regular table created for it on its data
	/// connection, so that every chunk, on any connection, copies into that table.
	/// </summary>
	static ITable<T> Materialized<T>(ITable<T> table)
		where T : notnull
	{
		if (!table.TableOptions.IsTemporaryOptionSet() || table.DataContext is not DataConnection db || TemporaryTables.Find(db, table.TableName) is not { } physical)
			return table;

		return table.TableName(physical).TableOptions(table.TableOptions & ~TableOptions.IsTemporaryOptionSet);
	}

	ChunkedBulkCopy CreateBulkCopy() => new(new AuroraDsqlBulkCopy(this));

	static BulkCopyType ResolveBulkCopyType(DataOptions options) =>
		options.BulkCopyOptions.BulkCopyType == BulkCopyType.Default
			? options.FindOrDefault(AuroraDsqlOptions.Default).BulkCopyType
			: options.BulkCopyOptions.BulkCopyType;

	#endregion
}
