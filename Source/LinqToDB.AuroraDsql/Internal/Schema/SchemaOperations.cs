using System.Linq.Expressions;

using LinqToDB.Async;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;
using LinqToDB.Internal.SqlProvider;
using LinqToDB.SqlQuery;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

/// <summary>
/// DDL the DSQL way: each statement in its own transaction (never inside the application's), indexes built
/// asynchronously, constraints on existing tables added NOT VALID and validated by an asynchronous job.
/// </summary>
static class SchemaOperations
{
	public static void EnsureNoTransaction(DataConnection db, string operation)
	{
		if (db.Transaction != null || AmbientTransactions.Covers(db))
			throw new AuroraDsqlNotSupportedException(
				$"{operation} runs DDL, and Aurora DSQL runs each DDL statement in its own transaction, never together with other statements. " +
				"Call it outside the transaction (or TransactionScope).");
	}

	/// <summary>
	/// DDL is retried on conflicts (OC001 when concurrent sessions change the schema, for example several application
	/// instances ensuring it at start-up): a conflicting DDL statement was rolled back, so running it again is safe.
	/// </summary>
	static AuroraDsqlRetryPolicy RetryDdl(DataConnection db) =>
		AuroraDsqlRetryPolicy.ForAutocommit(db.Options.FindOrDefault(AuroraDsqlOptions.Default));

	#region Indexes

	public static async Task<AuroraDsqlJob?> CreateIndexAsync(DataConnection db, IndexDefinition index, bool wait, TimeSpan? timeout, CancellationToken cancellationToken)
	{
		EnsureNoTransaction(db, "CreateIndex");

		var jobIds = await RetryDdl(db).ExecuteAsync(ct => db.QueryToListAsync<string>(index.ToSql(), ct), cancellationToken).ConfigureAwait(false);
		return await JobResultAsync(db, jobIds, wait, timeout, cancellationToken).ConfigureAwait(false);
	}

	public static AuroraDsqlJob? CreateIndex(DataConnection db, IndexDefinition index, bool wait, TimeSpan? timeout)
	{
		EnsureNoTransaction(db, "CreateIndex");

		var jobIds = RetryDdl(db).Execute(() => db.Query<string>(index.ToSql()).ToList());
		return JobResult(db, jobIds, wait, timeout);
	}

	#endregion

	#region Ensure schema

	public static async Task<IReadOnlyList<AuroraDsqlJob>> EnsureSchemaAsync<T>(DataConnection db, AuroraDsqlEnsureSchemaOptions options, CancellationToken cancellationToken)
		where T : class
	{
		EnsureNoTransaction(db, "EnsureSchema");

		// Every index is checked before the first statement is sent.
		var indexes = DeclaredIndexes<T>(db);
		var jobs    = new List<AuroraDsqlJob>();

		var report = new EnsureSchemaReport<T>(db, options.Progress);

		await RetryDdl(db).ExecuteAsync(ct => db.CreateTableAsync<T>(tableOptions: TableOptions.CreateIfNotExists, token: ct), cancellationToken).ConfigureAwait(false);
		report.TableEnsured();

		foreach (var index in indexes)
		{
			var job = await CreateIndexAsync(db, index, false, null, cancellationToken).ConfigureAwait(false);
			report.Index(index.QuotedName, job);
			if (job != null)
				jobs.Add(job);
		}

		if (options.WaitForIndexes)
			for (var i = 0; i < jobs.Count; i++)
				jobs[i] = await JobClient.WaitAsync(db, jobs[i].JobId, options.WaitTimeout, report.JobProgress(jobs[i]), cancellationToken).ConfigureAwait(false);

		return jobs;
	}

	public static IReadOnlyList<AuroraDsqlJob> EnsureSchema<T>(DataConnection db, AuroraDsqlEnsureSchemaOptions options)
		where T : class
	{
		EnsureNoTransaction(db, "EnsureSchema");

		var indexes = DeclaredIndexes<T>(db);
		var jobs    = new List<AuroraDsqlJob>();

		var report = new EnsureSchemaReport<T>(db, options.Progress);

		RetryDdl(db).Execute(() => db.CreateTable<T>(tableOptions: TableOptions.CreateIfNotExists));
		report.TableEnsured();

		foreach (var index in indexes)
		{
			var job = CreateIndex(db, index, false, null);
			report.Index(index.QuotedName, job);
			if (job != null)
				jobs.Add(job);
		}

		if (options.WaitForIndexes)
			for (var i = 0; i < jobs.Count; i++)
				jobs[i] = JobClient.Wait(db, jobs[i].JobId, options.WaitTimeout, report.JobProgress(jobs[i]));

		return jobs;
	}

	static List<IndexDefinition> DeclaredIndexes<T>(DataConnection db)
		where T : class
	{
		var table = db.GetTable<T>();
		return db.MappingSchema.GetAttributes<AuroraDsqlIndexAttribute>(typeof(T))
			.Select(attribute => IndexDefinitionFactory.FromAttribute(db, table, attribute, ifNotExists: true))
			.ToList();
	}

	#endregion

	#region Constraints

	public sealed record ConstraintStatements(string Add, string? Validate);

	public static ConstraintStatements ForeignKey<TDependent, TPrincipal>(
		DataConnection db, string name, Expression<Func<TDependent, object?>> columns, Expression<Func<TPrincipal, object?>> principalColumns, AuroraDsqlConstraintOptions options)
		where TDependent : class
		where TPrincipal : class
	{
		var sql        = db.DataProvider.CreateSqlBuilder(db.MappingSchema, db.Options);
		var dependent  = Columns(db, columns);
		var principal  = Columns(db, principalColumns);

		if (dependent.Count != principal.Count)
			throw new ArgumentException($"Foreign key '{name}' has {dependent.Count} referencing column(s) but {principal.Count} referenced column(s); they must match.");

		var quotedName = sql.ConvertInline(name, ConvertType.NameToQueryTable);
		var constraint = ConstraintSql.ForeignKey(
			quotedName,
			dependent.Select(c => sql.ConvertInline(c, ConvertType.NameToQueryField)),
			TableName<TPrincipal>(db, sql),
			principal.Select(c => sql.ConvertInline(c, ConvertType.NameToQueryField)),
			options.OnDelete,
			options.OnUpdate);

		return Statements(TableName<TDependent>(db, sql), quotedName, constraint, options);
	}

	public static ConstraintStatements Check<T>(DataConnection db, string name, Expression<Func<T, bool>> condition, AuroraDsqlConstraintOptions options)
		where T : class
	{
		var sql        = db.DataProvider.CreateSqlBuilder(db.MappingSchema, db.Options);
		var quotedName = sql.ConvertInline(name, ConvertType.NameToQueryTable);
		var constraint = ConstraintSql.Check(quotedName, ExpressionSql.Predicate(db.GetTable<T>(), condition));

		return Statements(TableName<T>(db, sql), quotedName, constraint, options);
	}

	static ConstraintStatements Statements(string table, string quotedName, string constraint, AuroraDsqlConstraintOptions options) =>
		new($"ALTER TABLE {table} ADD {constraint} NOT VALID",
			options.Validate ? $"ALTER TABLE ASYNC {table} VALIDATE CONSTRAINT {quotedName}" : null);

	public static async Task<AuroraDsqlJob?> AddConstraintAsync(DataConnection db, ConstraintStatements statements, AuroraDsqlConstraintOptions options, CancellationToken cancellationToken)
	{
		EnsureNoTransaction(db, "Adding a constraint");

		// Two DDL statements: two transactions.
		var retry = RetryDdl(db);
		await retry.ExecuteAsync(ct => db.ExecuteAsync(statements.Add, ct), cancellationToken).ConfigureAwait(false);

		if (statements.Validate is null)
			return null;

		var jobIds = await retry.ExecuteAsync(ct => db.QueryToListAsync<string>(statements.Validate, ct), cancellationToken).ConfigureAwait(false);
		return await JobResultAsync(db, jobIds, options.WaitForValidation, options.WaitTimeout, cancellationToken).ConfigureAwait(false);
	}

	public static AuroraDsqlJob? AddConstraint(DataConnection db, ConstraintStatements statements, AuroraDsqlConstraintOptions options)
	{
		EnsureNoTransaction(db, "Adding a constraint");

		var retry = RetryDdl(db);
		retry.Execute(() => db.Execute(statements.Add));

		if (statements.Validate is null)
			return null;

		var jobIds = retry.Execute(() => db.Query<string>(statements.Validate).ToList());
		return JobResult(db, jobIds, options.WaitForValidation, options.WaitTimeout);
	}

	static List<string> Columns<T>(DataConnection db, Expression<Func<T, object?>> members)
		where T : class
	{
		var entity = db.MappingSchema.GetEntityDescriptor(typeof(T), db.Options.ConnectionOptions.OnEntityDescriptorCreated);
		var body   = members.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : members.Body;
		var parts  = body is NewExpression { Arguments.Count: > 0 } anonymous ? anonymous.Arguments.ToList() : [body];

		return parts
			.Select(part => part is UnaryExpression { NodeType: ExpressionType.Convert } c ? c.Operand : part)
			.Select(part => part is MemberExpression member && member.Expression == members.Parameters[0]
				? entity.Columns.FirstOrDefault(c => c.MemberInfo == member.Member || c.MemberName == member.Member.Name)?.ColumnName
				  ?? throw new ArgumentException($"{typeof(T).Name}.{member.Member.Name} is not a mapped column.")
				: throw new ArgumentException($"Constraint columns must be members of {typeof(T).Name}, not '{part}'."))
			.ToList();
	}

	static string TableName<T>(DataConnection db, ISqlBuilder sql)
		where T : class
	{
		var entity = db.MappingSchema.GetEntityDescriptor(typeof(T), db.Options.ConnectionOptions.OnEntityDescriptorCreated);
		return sql.BuildObjectName(new(), entity.Name, ConvertType.NameToQueryTable, true, entity.TableOptions).ToString();
	}

	#endregion

	static async Task<AuroraDsqlJob?> JobResultAsync(DataConnection db, List<string> jobIds, bool wait, TimeSpan? timeout, CancellationToken cancellationToken)
	{
		if (jobIds.Count == 0 || string.IsNullOrEmpty(jobIds[0]))
			return null;

		return wait
			? await JobClient.WaitAsync(db, jobIds[0], timeout, null, cancellationToken).ConfigureAwait(false)
			: await JobClient.GetAsync(db, jobIds[0], cancellationToken).ConfigureAwait(false) ?? new AuroraDsqlJob(jobIds[0], "submitted");
	}

	static AuroraDsqlJob? JobResult(DataConnection db, List<string> jobIds, bool wait, TimeSpan? timeout)
	{
		if (jobIds.Count == 0 || string.IsNullOrEmpty(jobIds[0]))
			return null;

		return wait
			? JobClient.Wait(db, jobIds[0], timeout, null)
			: JobClient.Get(db, jobIds[0]) ?? new AuroraDsqlJob(jobIds[0], "submitted");
	}
}
