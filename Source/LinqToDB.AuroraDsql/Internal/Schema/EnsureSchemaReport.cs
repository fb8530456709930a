using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;

using Microsoft.Extensions.Logging;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

/// <summary>Tells the caller's progress (and the log) what <c>EnsureSchema</c> did for <typeparamref name="T"/>.</summary>
sealed class EnsureSchemaReport<T>(DataConnection db, IProgress<AuroraDsqlSchemaProgress>? progress)
	where T : class
{
	readonly ILogger _logger = ProviderLoggers.For(db.Options, ProviderLoggers.Schema);
	readonly string  _table  = db.MappingSchema.GetEntityDescriptor(typeof(T), db.Options.ConnectionOptions.OnEntityDescriptorCreated).Name.Name;
	readonly Dictionary<string, string> _indexOfJob = new(StringComparer.Ordinal);

	public void TableEnsured()
	{
		_logger.TableEnsured(_table);
		progress?.Report(new AuroraDsqlSchemaProgress(AuroraDsqlSchemaStep.TableEnsured, _table));
	}

	public void Index(string index, AuroraDsqlJob? job)
	{
		if (job is null)
		{
			_logger.IndexExists(index);
			progress?.Report(new AuroraDsqlSchemaProgress(AuroraDsqlSchemaStep.IndexExists, index));
			return;
		}

		_indexOfJob[job.JobId] = index;
		_logger.IndexSubmitted(index, job.JobId);
		progress?.Report(new AuroraDsqlSchemaProgress(AuroraDsqlSchemaStep.IndexBuildSubmitted, index, job));
	}

	/// <summary>The progress of waiting for <paramref name="job"/>, as schema steps; none without a caller's progress.</summary>
	public IProgress<AuroraDsqlJob>? JobProgress(AuroraDsqlJob job) =>
		progress is null ? null : new JobStatusProgress(progress, _indexOfJob.GetValueOrDefault(job.JobId) ?? job.ObjectName ?? job.JobId);

	sealed class JobStatusProgress(IProgress<AuroraDsqlSchemaProgress> progress, string objectName) : IProgress<AuroraDsqlJob>
	{
		public void Report(AuroraDsqlJob value) =>
			progress.Report(new AuroraDsqlSchemaProgress(AuroraDsqlSchemaStep.IndexBuildStatusChanged, objectName, value));
	}
}
