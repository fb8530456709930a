using System.Linq.Expressions;

using LinqToDB.Data;
using LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// Schema changes the Aurora DSQL way: asynchronous index builds (<c>CREATE INDEX ASYNC</c>), constraints added
/// <c>NOT VALID</c> and validated by an asynchronous job, each DDL statement in its own transaction, and DSQL's job
/// table (<c>sys.jobs</c>). Everything DSQL refuses is refused here first, with the reason, before anything is sent.
/// </summary>
public static class AuroraDsqlSchemaExtensions
{
	/// <summary>
	/// Creates an index with <c>CREATE [UNIQUE] INDEX ASYNC</c> and returns its build job (<see langword="null"/> when
	/// <see cref="AuroraDsqlIndexOptions{T}.IfNotExists"/> found the index already there).
	/// </summary>
	/// <typeparam name="T">The indexed entity.</typeparam>
	/// <param name="db">Connection without an open transaction.</param>
	/// <param name="name">Index name (not schema-qualified).</param>
	/// <param name="keys">
	/// Key parts, at most 8: members (<c>x =&gt; new { x.OwnerId, x.Name }</c>), expressions whose functions are IMMUTABLE
	/// (<c>x =&gt; x.Email.ToLower()</c>), and <see cref="AuroraDsqlIndex.NullsFirst{TKey}"/>/<see cref="AuroraDsqlIndex.NullsLast{TKey}"/>.
	/// </param>
	/// <param name="options">Unique, INCLUDE, NULLS NOT DISTINCT, partial-index predicate, IF NOT EXISTS, waiting.</param>
	/// <param name="cancellationToken">Cancels the statement and the wait (the build itself goes on).</param>
	public static Task<AuroraDsqlJob?> CreateIndexAsync<T>(this DataConnection db, string name, Expression<Func<T, object?>> keys, AuroraDsqlIndexOptions<T>? options = null, CancellationToken cancellationToken = default)
		where T : class
	{
		ArgumentNullException.ThrowIfNull(db);
		ArgumentNullException.ThrowIfNull(keys);

		options ??= new();
		var index = IndexDefinitionFactory.FromExpression(db, db.GetTable<T>(), name, keys, options);
		return SchemaOperations.CreateIndexAsync(db, index, options.WaitForCompletion, options.WaitTimeout, cancellationToken);
	}

	/// <summary>Creates an index with <c>CREATE [UNIQUE] INDEX ASYNC</c> and returns its build job.</summary>
	/// <typeparam name="T">The indexed entity.</typeparam>
	/// <param name="db">Connection without an open transaction.</param>
	/// <param name="name">Index name (not schema-qualified).</param>
	/// <param name="keys">Key parts; see <see cref="CreateIndexAsync{T}"/>.</param>
	/// <param name="options">Unique, INCLUDE, NULLS NOT DISTINCT, partial-index predicate, IF NOT EXISTS, waiting.</param>
	public static AuroraDsqlJob? CreateIndex<T>(this DataConnection db, string name, Expression<Func<T, object?>> keys, AuroraDsqlIndexOptions<T>? options = null)
		where T : class
	{
		ArgumentNullException.ThrowIfNull(db);
		ArgumentNullException.ThrowIfNull(keys);

		options ??= new();
		var index = IndexDefinitionFactory.FromExpression(db, db.GetTable<T>(), name, keys, options);
		return SchemaOperations.CreateIndex(db, index, options.WaitForCompletion, options.WaitTimeout);
	}

	/// <summary>
	/// Creates the table of <typeparamref name="T"/> if it does not exist, then every index declared with
	/// <see cref="AuroraDsqlIndexAttribute"/> that does not exist: one DDL statement per transaction, safe to run again.
	/// Returns the index build jobs started.
	/// </summary>
	/// <param name="db">Connection without an open transaction.</param>
	/// <param name="options">Whether to wait for the index builds.</param>
	/// <param name="cancellationToken">Cancels the statements and the waits.</param>
	public static Task<IReadOnlyList<AuroraDsqlJob>> EnsureSchemaAsync<T>(this DataConnection db, AuroraDsqlEnsureSchemaOptions? options = null, CancellationToken cancellationToken = default)
		where T : class
	{
		ArgumentNullException.ThrowIfNull(db);
		return SchemaOperations.EnsureSchemaAsync<T>(db, options ?? new(), cancellationToken);
	}

	/// <summary>Creates the table of <typeparamref name="T"/> and its declared indexes if they do not exist; returns the build jobs started.</summary>
	/// <param name="db">Connection without an open transaction.</param>
	/// <param name="options">Whether to wait for the index builds.</param>
	public static IReadOnlyList<AuroraDsqlJob> EnsureSchema<T>(this DataConnection db, AuroraDsqlEnsureSchemaOptions? options = null)
		where T : class
	{
		ArgumentNullException.ThrowIfNull(db);
		return SchemaOperations.EnsureSchema<T>(db, options ?? new());
	}

	/// <summary>
	/// Adds a foreign key to an existing table: <c>ADD CONSTRAINT … FOREIGN KEY … NOT VALID</c> (new rows are checked at
	/// once), then <c>ALTER TABLE ASYNC … VALIDATE CONSTRAINT</c> for the existing rows. Returns the validation job.
	/// </summary>
	/// <param name="db">Connection without an open transaction.</param>
	/// <param name="name">Constraint name.</param>
	/// <param name="columns">Referencing members: <c>p =&gt; p.OwnerId</c> or <c>x =&gt; new { x.A, x.B }</c>.</param>
	/// <param name="principalColumns">Referenced members of <typeparamref name="TPrincipal"/>, in the same order.</param>
	/// <param name="options">Referential actions, validation and waiting.</param>
	/// <param name="cancellationToken">Cancels the statements and the wait.</param>
	public static Task<AuroraDsqlJob?> AddForeignKeyAsync<TDependent, TPrincipal>(
		this DataConnection                     db,
		string                                  name,
		Expression<Func<TDependent, object?>>   columns,
		Expression<Func<TPrincipal, object?>>   principalColumns,
		AuroraDsqlConstraintOptions?            options           = null,
		CancellationToken                       cancellationToken = default)
		where TDependent : class
		where TPrincipal : class
	{
		ArgumentNullException.ThrowIfNull(db);
		options ??= new();
		return SchemaOperations.AddConstraintAsync(db, SchemaOperations.ForeignKey(db, name, columns, principalColumns, options), options, cancellationToken);
	}

	/// <summary>Adds a foreign key to an existing table (NOT VALID, then asynchronous validation); returns the validation job.</summary>
	/// <param name="db">Connection without an open transaction.</param>
	/// <param name="name">Constraint name.</param>
	/// <param name="columns">Referencing members.</param>
	/// <param name="principalColumns">Referenced members of <typeparamref name="TPrincipal"/>, in the same order.</param>
	/// <param name="options">Referential actions, validation and waiting.</param>
	public static AuroraDsqlJob? AddForeignKey<TDependent, TPrincipal>(
		this DataConnection                     db,
		string                                  name,
		Expression<Func<TDependent, object?>>   columns,
		Expression<Func<TPrincipal, object?>>   principalColumns,
		AuroraDsqlConstraintOptions?            options = null)
		where TDependent : class
		where TPrincipal : class
	{
		ArgumentNullException.ThrowIfNull(db);
		options ??= new();
		return SchemaOperations.AddConstraint(db, SchemaOperations.ForeignKey(db, name, columns, principalColumns, options), options);
	}

	/// <summary>
	/// Adds a CHECK constraint to an existing table: <c>ADD CONSTRAINT … CHECK (…) NOT VALID</c>, then asynchronous
	/// validation of the existing rows. Returns the validation job.
	/// </summary>
	/// <param name="db">Connection without an open transaction.</param>
	/// <param name="name">Constraint name.</param>
	/// <param name="condition">The condition, as a LINQ predicate (rendered to SQL by linq2db).</param>
	/// <param name="options">Validation and waiting.</param>
	/// <param name="cancellationToken">Cancels the statements and the wait.</param>
	public static Task<AuroraDsqlJob?> AddCheckConstraintAsync<T>(this DataConnection db, string name, Expression<Func<T, bool>> condition, AuroraDsqlConstraintOptions? options = null, CancellationToken cancellationToken = default)
		where T : class
	{
		ArgumentNullException.ThrowIfNull(db);
		options ??= new();
		return SchemaOperations.AddConstraintAsync(db, SchemaOperations.Check(db, name, condition, options), options, cancellationToken);
	}

	/// <summary>Adds a CHECK constraint to an existing table (NOT VALID, then asynchronous validation); returns the validation job.</summary>
	/// <param name="db">Connection without an open transaction.</param>
	/// <param name="name">Constraint name.</param>
	/// <param name="condition">The condition, as a LINQ predicate.</param>
	/// <param name="options">Validation and waiting.</param>
	public static AuroraDsqlJob? AddCheckConstraint<T>(this DataConnection db, string name, Expression<Func<T, bool>> condition, AuroraDsqlConstraintOptions? options = null)
		where T : class
	{
		ArgumentNullException.ThrowIfNull(db);
		options ??= new();
		return SchemaOperations.AddConstraint(db, SchemaOperations.Check(db, name, condition, options), options);
	}

	/// <summary>Reads a job from <c>sys.jobs</c>; <see langword="null"/> if there is none (finished jobs are removed after 30 minutes).</summary>
	/// <param name="db">Connection.</param>
	/// <param name="jobId">Job id.</param>
	/// <param name="cancellationToken">Cancels the query.</param>
	public static Task<AuroraDsqlJob?> GetJobAsync(this DataConnection db, string jobId, CancellationToken cancellationToken = default)
	{
		ArgumentNullException.ThrowIfNull(db);
		ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
		return JobClient.GetAsync(db, jobId, cancellationToken);
	}

	/// <summary>Reads a job from <c>sys.jobs</c>; <see langword="null"/> if there is none.</summary>
	/// <param name="db">Connection.</param>
	/// <param name="jobId">Job id.</param>
	public static AuroraDsqlJob? GetJob(this DataConnection db, string jobId)
	{
		ArgumentNullException.ThrowIfNull(db);
		ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
		return JobClient.Get(db, jobId);
	}

	/// <summary>
	/// Waits for a job to end by polling <c>sys.jobs</c> (with growing intervals, up to 2 seconds). Returns the completed
	/// job; a failed job throws <see cref="AuroraDsqlJobFailedException"/> with DSQL's details, and the timeout
	/// <see cref="TimeoutException"/> (the job keeps running).
	/// </summary>
	/// <param name="db">Connection.</param>
	/// <param name="jobId">Job id.</param>
	/// <param name="timeout">Longest wait; <see langword="null"/> waits until the job ends.</param>
	/// <param name="progress">Told the job as first seen and at each change of its status.</param>
	/// <param name="cancellationToken">Stops waiting (the job keeps running).</param>
	public static Task<AuroraDsqlJob> WaitForJobAsync(this DataConnection db, string jobId, TimeSpan? timeout = null, IProgress<AuroraDsqlJob>? progress = null, CancellationToken cancellationToken = default)
	{
		ArgumentNullException.ThrowIfNull(db);
		ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
		return JobClient.WaitAsync(db, jobId, timeout, progress, cancellationToken);
	}

	/// <summary>Waits for a job to end by polling <c>sys.jobs</c>; see <see cref="WaitForJobAsync"/>.</summary>
	/// <param name="db">Connection.</param>
	/// <param name="jobId">Job id.</param>
	/// <param name="timeout">Longest wait; <see langword="null"/> waits until the job ends.</param>
	/// <param name="progress">Told the job as first seen and at each change of its status.</param>
	public static AuroraDsqlJob WaitForJob(this DataConnection db, string jobId, TimeSpan? timeout = null, IProgress<AuroraDsqlJob>? progress = null)
	{
		ArgumentNullException.ThrowIfNull(db);
		ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
		return JobClient.Wait(db, jobId, timeout, progress);
	}

	/// <summary>
	/// Waits for several jobs (for example the builds <c>EnsureSchema</c> started) by polling <c>sys.jobs</c>, one after the
	/// other, within one <paramref name="timeout"/> for all of them. Returns the completed jobs in the order given; the first
	/// failed job throws <see cref="AuroraDsqlJobFailedException"/> (the others keep running).
	/// </summary>
	/// <param name="db">Connection.</param>
	/// <param name="jobIds">Job ids.</param>
	/// <param name="timeout">Longest wait for all of them; <see langword="null"/> waits until they end.</param>
	/// <param name="progress">Told each job as first seen and at each change of its status.</param>
	/// <param name="cancellationToken">Stops waiting (the jobs keep running).</param>
	public static Task<IReadOnlyList<AuroraDsqlJob>> WaitForJobsAsync(this DataConnection db, IEnumerable<string> jobIds, TimeSpan? timeout = null, IProgress<AuroraDsqlJob>? progress = null, CancellationToken cancellationToken = default)
	{
		ArgumentNullException.ThrowIfNull(db);
		return JobClient.WaitAllAsync(db, JobIds(jobIds), timeout, progress, cancellationToken);
	}

	/// <summary>Waits for several jobs by polling <c>sys.jobs</c>; see <see cref="WaitForJobsAsync"/>.</summary>
	/// <param name="db">Connection.</param>
	/// <param name="jobIds">Job ids.</param>
	/// <param name="timeout">Longest wait for all of them; <see langword="null"/> waits until they end.</param>
	/// <param name="progress">Told each job as first seen and at each change of its status.</param>
	public static IReadOnlyList<AuroraDsqlJob> WaitForJobs(this DataConnection db, IEnumerable<string> jobIds, TimeSpan? timeout = null, IProgress<AuroraDsqlJob>? progress = null)
	{
		ArgumentNullException.ThrowIfNull(db);
		return JobClient.WaitAll(db, JobIds(jobIds), timeout, progress);
	}

	static List<string> JobIds(IEnumerable<string> jobIds)
	{
		ArgumentNullException.ThrowIfNull(jobIds);

		var list = jobIds.ToList();
		if (list.Any(string.IsNullOrWhiteSpace))
			throw new ArgumentException("A job id is empty.", nameof(jobIds));

		return list;
	}

	/// <summary>
	/// Waits for a job with DSQL's own <c>CALL sys.wait_for_job('…')</c>, which blocks on the server until the job ends
	/// (bounded by the command timeout). Returns whether the job succeeded.
	/// </summary>
	/// <param name="db">Connection without an open transaction.</param>
	/// <param name="jobId">Job id.</param>
	/// <param name="cancellationToken">Cancels the call.</param>
	public static async Task<bool> CallWaitForJobAsync(this DataConnection db, string jobId, CancellationToken cancellationToken = default)
	{
		ArgumentNullException.ThrowIfNull(db);
		ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
		SchemaOperations.EnsureNoTransaction(db, "CallWaitForJob");

		return await db.ExecuteAsync<bool>(WaitForJobCall, cancellationToken, new DataParameter("jobId", jobId, DataType.Text)).ConfigureAwait(false);
	}

	/// <summary>
	/// Waits for a job with DSQL's own <c>CALL sys.wait_for_job('…')</c>, which blocks on the server until the job ends
	/// (bounded by the command timeout). Returns whether the job succeeded.
	/// </summary>
	/// <param name="db">Connection without an open transaction.</param>
	/// <param name="jobId">Job id.</param>
	public static bool CallWaitForJob(this DataConnection db, string jobId)
	{
		ArgumentNullException.ThrowIfNull(db);
		ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
		SchemaOperations.EnsureNoTransaction(db, "CallWaitForJob");

		return db.Execute<bool>(WaitForJobCall, new DataParameter("jobId", jobId, DataType.Text));
	}

	const string WaitForJobCall = "CALL sys.wait_for_job(:jobId)";
}
