using System.Text.RegularExpressions;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Connections;

/// <summary>Aurora DSQL endpoint names: <c>&lt;cluster-id&gt;.dsql[-suffix].&lt;region&gt;.on.aws</c>.</summary>
static partial class ClusterEndpoint
{
	/// <summary>The region in a cluster endpoint, or <see langword="null"/> when the host is not one.</summary>
	public static string? TryParseRegion(string host)
	{
		var match = RegionPattern().Match(host.Trim().TrimEnd('.'));
		return match.Success ? match.Groups[1].Value : null;
	}

	/// <summary>A cluster id is 26 characters of <c>[a-z0-9]</c>.</summary>
	public static bool IsClusterId(string clusterId) => ClusterIdPattern().IsMatch(clusterId);

	/// <summary>The endpoint of a cluster id in a region.</summary>
	public static string FromClusterId(string clusterId, string region) => $"{clusterId}.dsql.{region}.on.aws";

	[GeneratedRegex(@"\.dsql[^.]*\.([^.]+)\.on\.aws$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
	private static partial Regex RegionPattern();

	[GeneratedRegex("^[a-z0-9]{26}$", RegexOptions.CultureInvariant)]
	private static partial Regex ClusterIdPattern();
}
