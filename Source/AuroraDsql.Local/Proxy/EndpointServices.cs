using AuroraDsql.Local.Classification;
using AuroraDsql.Local.Enforcement;
using AuroraDsql.Local.Jobs;
using AuroraDsql.Local.Security;

namespace AuroraDsql.Local.Proxy;

/// <summary>What every session shares: configuration, backend, verifier, certificates, classifiers, jobs, log.</summary>
sealed class EndpointServices
{
	public required LocalDsqlEndpointOptions Options { get; init; }

	public required BackendEndpoint Backend { get; init; }

	public required IamTokenVerifier Verifier { get; init; }

	public required EndpointCertificates Certificates { get; init; }

	public required ClassifierChain Classifiers { get; init; }

	public required JobManager Jobs { get; init; }

	public required Action<string> Log { get; init; }

	/// <summary>The DSQL rules enforced.</summary>
	public required AuroraDsql.Rules.DsqlRuleSet Rules { get; init; }

	/// <summary>Injected COMMIT failures.</summary>
	public required CommitFailureInjector CommitFailures { get; init; }

	/// <summary>Committed schema changes, for OC001.</summary>
	public required SchemaVersion Schema { get; init; }

	/// <summary>The PostgreSQL version clients see.</summary>
	public required DsqlServerVersion ServerVersion { get; init; }

	/// <summary>The backend's version and what differs from DSQL because of it.</summary>
	public required Backend.BackendCompatibility Compatibility { get; init; }

	/// <summary>The latency added to answers.</summary>
	public required Proxy.SimulatedLatency Latency { get; init; }

	/// <summary>Host names a token may be signed for (plus the SNI name of the connection).</summary>
	public required IReadOnlyList<string> AcceptedHosts { get; init; }

	/// <summary>What a transaction that lost a row conflict gets: 40001 OC000 under the enforced rules.</summary>
	public ExecutionVerdict RowConflict => _rowConflict ??= Verdict(Rules.Rule("oc000"));

	ExecutionVerdict? _rowConflict;

	int _keptSnapshots;

	/// <summary>Snapshots of lost transactions kept now (see <see cref="KeptSnapshot"/>).</summary>
	public int KeptSnapshots => Volatile.Read(ref _keptSnapshots);

	/// <summary>Counts one more kept snapshot, unless <see cref="KeptSnapshot.Limit"/> are kept already.</summary>
	public bool TryReserveKeptSnapshot()
	{
		if (Interlocked.Increment(ref _keptSnapshots) <= KeptSnapshot.Limit)
			return true;
		Interlocked.Decrement(ref _keptSnapshots);
		return false;
	}

	public void ReleaseKeptSnapshot() => Interlocked.Decrement(ref _keptSnapshots);

	static ExecutionVerdict Verdict(AuroraDsql.Rules.DsqlRule rule) => new(rule.SqlState, rule.Message, rule.Hint);
}
