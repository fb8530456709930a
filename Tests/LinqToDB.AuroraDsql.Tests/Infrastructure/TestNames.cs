namespace LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;

/// <summary>
/// Unique object names, so tests never collide with each other, with earlier runs or with other runs on the same cluster;
/// each carries the run's id (<see cref="TestEndpoint.RunId"/>), by which the run drops what it left behind.
/// </summary>
public static class TestNames
{
	public static string Unique(string prefix) => TestEndpoint.UniqueName(prefix);
}
