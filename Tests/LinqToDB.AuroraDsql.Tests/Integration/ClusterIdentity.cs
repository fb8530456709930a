using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

using Amazon.Runtime.Credentials;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Integration;

/// <summary>
/// The IAM identity a run against a cluster signs its tokens as, as the ARN DSQL's <c>AWS IAM GRANT role TO 'arn'</c>
/// takes: STS <c>GetCallerIdentity</c> with the SDK's default credential chain, an assumed role's session ARN
/// (<c>arn:aws:sts::123456789012:assumed-role/name/session</c>) turned into the role's ARN (<c>arn:aws:iam::123456789012:role/name</c>).
/// The request is a SigV4-presigned <c>GET</c> made here rather than with the AWSSDK.SecurityToken package: this project's
/// tests check what the provider says when that package is missing, so it must stay out of the test run.
/// </summary>
static class ClusterIdentity
{
	public static async Task<string> GetArnAsync(string clusterHost, string? region, CancellationToken cancellationToken = default)
	{
		// <id>.dsql.<region>.on.aws
		var hostParts = clusterHost.Split('.');
		region ??= hostParts.Length > 2 && hostParts[1] == "dsql" ? hostParts[2] : "us-east-1";

		var credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials(null).GetCredentials();
		var host = $"sts.{region}.amazonaws.com";
		var now = DateTimeOffset.UtcNow;
		var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
		var dateStamp = now.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
		var scope = $"{dateStamp}/{region}/sts/aws4_request";

		var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal)
		{
			["Action"]              = "GetCallerIdentity",
			["Version"]             = "2011-06-15",
			["X-Amz-Algorithm"]     = "AWS4-HMAC-SHA256",
			["X-Amz-Credential"]    = $"{credentials.AccessKey}/{scope}",
			["X-Amz-Date"]          = amzDate,
			["X-Amz-Expires"]       = "60",
			["X-Amz-SignedHeaders"] = "host",
		};
		if (!string.IsNullOrEmpty(credentials.Token))
			parameters["X-Amz-Security-Token"] = credentials.Token;

		var query = string.Join("&", parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
		var canonicalRequest = $"GET\n/\n{query}\nhost:{host}\n\nhost\n{Hex(SHA256.HashData([]))}";
		var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

		var key = Encoding.UTF8.GetBytes("AWS4" + credentials.SecretKey);
		foreach (var part in new[] { dateStamp, region, "sts", "aws4_request" })
			key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
		var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

		using var http = new HttpClient();
		var response = await http.GetStringAsync(new Uri($"https://{host}/?{query}&X-Amz-Signature={signature}"), cancellationToken);
		var arn = XDocument.Parse(response).Descendants().First(e => e.Name.LocalName == "Arn").Value;
		return ToGrantableArn(arn);
	}

	/// <summary>An assumed role's session ARN → the role's ARN; any other ARN as it is.</summary>
	public static string ToGrantableArn(string arn)
	{
		var parts = arn.Split(':', 6);
		if (parts.Length == 6 && parts[2] == "sts" && parts[5].StartsWith("assumed-role/", StringComparison.Ordinal))
			return $"{parts[0]}:{parts[1]}:iam::{parts[4]}:role/{parts[5].Split('/')[1]}";

		return arn;
	}

	static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
