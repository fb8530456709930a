using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace AuroraDsql.Testing;

/// <summary>
/// Marks a test (or every test of a fixture) that needs the local endpoint's controls, which a client of a real cluster
/// does not have: the backend connection string, fault injection, tokens it signs, an endpoint of its own with shortened
/// limits or a fake clock. When the run is against a cluster (<see cref="TestCluster"/>), such tests are skipped with
/// <see cref="Reason"/>; against the local endpoint they run as usual.
/// </summary>
/// <param name="reason">Which of the local endpoint's controls the test needs, as the skip message shows it.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = false)]
public sealed class LocalEndpointOnlyAttribute(string reason) : NUnitAttribute, IApplyToTest
{
	/// <summary>Which of the local endpoint's controls the test needs.</summary>
	public string Reason { get; } = reason;

	public void ApplyToTest(Test test)
	{
		if (test.RunState == RunState.NotRunnable || TestCluster.FromEnvironment() is not { } cluster)
			return;

		test.RunState = RunState.Ignored;
		test.Properties.Set(PropertyNames.SkipReason, $"Needs the local DSQL endpoint ({Reason}); this run is against the cluster {cluster.Host}.");
	}
}
