using LinqToDB.Data;
using LinqToDB.Internal.Common;
using LinqToDB.Internal.DataProvider;
using LinqToDB.Internal.Options;

using Microsoft.Extensions.Logging;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// Aurora DSQL provider options carried in <see cref="DataOptions"/> (set them with
/// <c>UseAuroraDsql(..., optionSetter: o =&gt; o with { ... })</c> or <c>options.UseAuroraDsqlOptions(...)</c>).
/// Everything here that changes generated SQL is part of the query-cache key.
/// </summary>
public sealed record AuroraDsqlOptions : DataProviderOptions<AuroraDsqlOptions>
{
	/// <summary>Identity cache used when a column does not set its own (<see cref="AuroraDsqlIdentityAttribute.Cache"/>).</summary>
	public const long DefaultIdentityCache = 65_536;

	/// <summary>DSQL's limit of modified rows per transaction.</summary>
	public const int DsqlMaxRowsPerTransaction = 3_000;

	/// <summary>DSQL's limit of modified data per transaction: 10 MiB.</summary>
	public const long DsqlMaxBytesPerTransaction = 10L * 1024 * 1024;

	/// <summary>
	/// Creates the default options. The default bulk copy mode is <see cref="BulkCopyType.ProviderSpecific"/> (binary
	/// <c>COPY FROM STDIN</c>); if the server refuses binary COPY the provider switches to multi-row INSERT for that
	/// connection string by itself.
	/// </summary>
	public AuroraDsqlOptions() : base(BulkCopyType.ProviderSpecific)
	{
	}

	AuroraDsqlOptions(AuroraDsqlOptions original) : base(original)
	{
		IdentityCache           = original.IdentityCache;
		DefaultDecimalPrecision = original.DefaultDecimalPrecision;
		DefaultDecimalScale     = original.DefaultDecimalScale;
		MaxRowsPerTransaction   = original.MaxRowsPerTransaction;
		MaxBytesPerTransaction  = original.MaxBytesPerTransaction;
		RetryOptions            = original.RetryOptions;
		EmitForeignKeys         = original.EmitForeignKeys;
		CheckStatementsBeforeSending = original.CheckStatementsBeforeSending;
		LoggerFactory           = original.LoggerFactory;
		BatchProgress           = original.BatchProgress;
	}

	/// <summary>
	/// <c>CACHE</c> of identity columns created by <c>CreateTable</c>: <c>1</c> (ordered, coordinated values) or at least
	/// <c>65536</c> (unordered across sessions, no coordination). Default <see cref="DefaultIdentityCache"/>.
	/// DSQL refuses an identity column without an explicit cache, and any other value.
	/// </summary>
	public long IdentityCache
	{
		get;
		init => field = AuroraDsqlIdentityAttribute.ValidateCache(value, nameof(IdentityCache));
	} = DefaultIdentityCache;

	/// <summary>
	/// Precision of <see cref="decimal"/> columns without an explicit precision in <c>CreateTable</c>. Default 38.
	/// DSQL turns a bare <c>numeric</c> into <c>numeric(18,6)</c> and silently rounds, so a precision is always emitted.
	/// </summary>
	public int DefaultDecimalPrecision
	{
		get;
		init => field = value is >= 1 and <= 1000 ? value : throw new ArgumentOutOfRangeException(nameof(DefaultDecimalPrecision), value, "The decimal precision must be between 1 and 1000.");
	} = 38;

	/// <summary>Scale of <see cref="decimal"/> columns without an explicit scale in <c>CreateTable</c>. Default 10.</summary>
	public int DefaultDecimalScale
	{
		get;
		init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(DefaultDecimalScale), value, "The decimal scale cannot be negative.");
	} = 10;

	/// <summary>
	/// Modified rows one transaction may hold: the batch size of <c>Truncate()</c> outside a transaction and the limit it checks
	/// inside one. Default <see cref="DsqlMaxRowsPerTransaction"/> (DSQL's limit); lower it to leave room for cascades.
	/// </summary>
	public int MaxRowsPerTransaction
	{
		get;
		init => field = value is >= 1 and <= DsqlMaxRowsPerTransaction
			? value
			: throw new ArgumentOutOfRangeException(nameof(MaxRowsPerTransaction), value, $"Aurora DSQL allows at most {DsqlMaxRowsPerTransaction:N0} modified rows per transaction; use a value between 1 and {DsqlMaxRowsPerTransaction}.");
	} = DsqlMaxRowsPerTransaction;

	/// <summary>
	/// Modified data one transaction may hold, as estimated from the values: bulk copy closes a chunk before its rows
	/// reach 90 % of it (the rest is left for index entries). Default <see cref="DsqlMaxBytesPerTransaction"/> (DSQL's limit).
	/// </summary>
	public long MaxBytesPerTransaction
	{
		get;
		init => field = value is >= 64 * 1024 and <= DsqlMaxBytesPerTransaction
			? value
			: throw new ArgumentOutOfRangeException(nameof(MaxBytesPerTransaction), value, "Use a value between 64 KiB and DSQL's limit of 10 MiB.");
	} = DsqlMaxBytesPerTransaction;

	/// <summary>
	/// How bulk copy and batched operations retry a chunk that hit a conflict or <c>server unavailable</c>, and how
	/// <c>InTransaction</c> retries when its caller passes no retry options.
	/// </summary>
	public AuroraDsqlRetryOptions RetryOptions
	{
		get;
		init => field = value ?? throw new ArgumentNullException(nameof(RetryOptions));
	} = AuroraDsqlRetryOptions.Default;

	/// <summary>
	/// Whether <c>CreateTable</c> emits the foreign keys declared with <see cref="AuroraDsqlForeignKeyAttribute"/>.
	/// Default <see langword="true"/>; turn off to create tables in any order or to keep referential checks in the application.
	/// </summary>
	public bool EmitForeignKeys { get; init; } = true;

	/// <summary>
	/// Whether every command is checked against DSQL's rules before it is sent: statements DSQL refuses (TRUNCATE,
	/// SAVEPOINT, other isolation levels, unsupported SET parameters, temporary tables, …) and a second DDL statement or DDL
	/// mixed with DML in one transaction fail with <see cref="AuroraDsqlNotSupportedException"/> and are not sent. Default
	/// <see langword="true"/>; turn off if DSQL starts accepting something the rule set still refuses.
	/// </summary>
	public bool CheckStatementsBeforeSending { get; init; } = true;

	/// <summary>
	/// Where the provider logs what it does: conflicts and retries (with attempt, SQLSTATE and delay), committed chunks and
	/// batches, commands refused before sending, and job waits; never tokens, credentials or parameter values. Default
	/// <see langword="null"/>: no logging. <c>UseAuroraDsql(endpoint, o =&gt; o with { LoggerFactory = … })</c> sets it
	/// together with Npgsql's logging; see <see cref="AuroraDsqlDiagnostics.LoggerCategoryPrefix"/> for the categories.
	/// Not part of the query-cache key.
	/// </summary>
	public ILoggerFactory? LoggerFactory { get; init; }

	/// <summary>
	/// Told after every committed batch of <c>Truncate()</c>, and of <c>DeleteInBatches</c>/<c>UpdateInBatches</c> calls
	/// that pass no progress of their own. Default <see langword="null"/>. Reports arrive on the thread that committed the
	/// batch unless the <see cref="IProgress{T}"/> posts them elsewhere (as <see cref="Progress{T}"/> does).
	/// Not part of the query-cache key.
	/// </summary>
	public IProgress<AuroraDsqlBatchProgress>? BatchProgress { get; init; }

	/// <inheritdoc />
	protected override IdentifierBuilder CreateID(IdentifierBuilder builder) => builder
		.Add(IdentityCache)
		.Add(DefaultDecimalPrecision)
		.Add(DefaultDecimalScale)
		.Add(MaxRowsPerTransaction)
		.Add(MaxBytesPerTransaction)
		.Add(RetryOptions.ToString())
		.Add(RetryOptions.OnRetry)
		.Add(EmitForeignKeys)
		.Add(CheckStatementsBeforeSending);

	/// <inheritdoc />
	public bool Equals(AuroraDsqlOptions? other)
	{
		if (other is null)
			return false;

		// The logger factory and the progress do not change SQL: compared by reference, outside the configuration id.
		return ReferenceEquals(this, other)
			|| (((IOptionSet)this).ConfigurationID == ((IOptionSet)other).ConfigurationID
				&& ReferenceEquals(LoggerFactory, other.LoggerFactory)
				&& ReferenceEquals(BatchProgress, other.BatchProgress));
	}

	/// <inheritdoc />
	public override int GetHashCode() => ((IOptionSet)this).ConfigurationID;
}
