namespace LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;

/// <summary>Unique object names, so tests never collide with each other or with earlier runs.</summary>
public static class TestNames
{
	public static string Unique(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..10];
}
