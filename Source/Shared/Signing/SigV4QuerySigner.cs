using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AuroraDsql.Signing;

/// <summary>
/// AWS Signature Version 4 for presigned <c>GET /</c> requests, as used by Aurora DSQL IAM authentication tokens.
/// The same code signs tokens (provider) and verifies them (local endpoint), so both agree byte for byte.
/// </summary>
internal static class SigV4QuerySigner
{
	public const string Algorithm          = "AWS4-HMAC-SHA256";
	public const string Service            = "dsql";
	public const string ConnectAction      = "DbConnect";
	public const string ConnectAdminAction = "DbConnectAdmin";
	public const string AdminRole          = "admin";
	public const int    MaxExpiresSeconds  = 604_800;

	public const string ActionParameter        = "Action";
	public const string AlgorithmParameter     = "X-Amz-Algorithm";
	public const string CredentialParameter    = "X-Amz-Credential";
	public const string DateParameter          = "X-Amz-Date";
	public const string ExpiresParameter       = "X-Amz-Expires";
	public const string SecurityTokenParameter = "X-Amz-Security-Token";
	public const string SignedHeadersParameter = "X-Amz-SignedHeaders";
	public const string SignatureParameter     = "X-Amz-Signature";

	public const string AmzDateFormat   = "yyyyMMdd'T'HHmmss'Z'";
	public const string DateStampFormat = "yyyyMMdd";

	// SHA-256 of the empty payload: a presigned GET carries no body.
	const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

	/// <summary>The IAM action a database role must be signed for: <c>admin</c> connects with DbConnectAdmin, every other role with DbConnect.</summary>
	public static string ActionForRole(string role) =>
		string.Equals(role, AdminRole, StringComparison.Ordinal) ? ConnectAdminAction : ConnectAction;

	/// <summary>Builds a complete token: <c>host/?canonical-query&amp;X-Amz-Signature=…</c>, without a scheme.</summary>
	public static string CreateToken(
		string         hostname,
		string         region,
		string         action,
		string         accessKeyId,
		string         secretAccessKey,
		string?        sessionToken,
		DateTimeOffset signingTime,
		int            expiresInSeconds)
	{
		var utc       = signingTime.UtcDateTime;
		var amzDate   = utc.ToString(AmzDateFormat,   CultureInfo.InvariantCulture);
		var dateStamp = utc.ToString(DateStampFormat, CultureInfo.InvariantCulture);

		var parameters = new List<KeyValuePair<string, string>>
		{
			new(ActionParameter,        action),
			new(AlgorithmParameter,     Algorithm),
			new(CredentialParameter,    $"{accessKeyId}/{CredentialScope(dateStamp, region)}"),
			new(DateParameter,          amzDate),
			new(ExpiresParameter,       expiresInSeconds.ToString(CultureInfo.InvariantCulture)),
			new(SignedHeadersParameter, "host"),
		};

		if (!string.IsNullOrEmpty(sessionToken))
			parameters.Add(new(SecurityTokenParameter, sessionToken));

		var canonicalQuery = BuildCanonicalQuery(parameters);
		var signature      = ComputeSignature(hostname, canonicalQuery, region, secretAccessKey, amzDate, dateStamp);

		return $"{hostname}/?{canonicalQuery}&{SignatureParameter}={signature}";
	}

	/// <summary><c>yyyymmdd/region/dsql/aws4_request</c>.</summary>
	public static string CredentialScope(string dateStamp, string region) => $"{dateStamp}/{region}/{Service}/aws4_request";

	/// <summary>Parameters sorted by encoded name (then value), each <c>name=value</c> RFC 3986 encoded, joined by <c>&amp;</c>.</summary>
	public static string BuildCanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters)
	{
		var encoded = parameters
			.Select(p => (Name: UriEncode(p.Key), Value: UriEncode(p.Value)))
			.OrderBy(p => p.Name,  StringComparer.Ordinal)
			.ThenBy (p => p.Value, StringComparer.Ordinal);

		return string.Join('&', encoded.Select(p => p.Name + "=" + p.Value));
	}

	/// <summary>Hex signature of a presigned <c>GET /</c> on <paramref name="hostname"/> with only <c>host</c> signed.</summary>
	public static string ComputeSignature(string hostname, string canonicalQuery, string region, string secretAccessKey, string amzDate, string dateStamp)
	{
		var canonicalRequest = string.Join('\n',
			"GET",
			"/",
			canonicalQuery,
			"host:" + hostname.Trim().ToLowerInvariant(),
			"",
			"host",
			EmptyPayloadHash);

		var stringToSign = string.Join('\n',
			Algorithm,
			amzDate,
			CredentialScope(dateStamp, region),
			ToLowerHex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

		var key = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
		key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(dateStamp));
		key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
		key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Service));
		key = HMACSHA256.HashData(key, "aws4_request"u8);

		return ToLowerHex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
	}

	static string ToLowerHex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

	/// <summary>RFC 3986 percent-encoding as SigV4 requires: unreserved characters stay, everything else is <c>%XX</c> (upper-case hex).</summary>
	public static string UriEncode(string value)
	{
		var sb = new StringBuilder(value.Length + 16);

		foreach (var b in Encoding.UTF8.GetBytes(value))
		{
			if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
				or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
				sb.Append((char)b);
			else
				sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
		}

		return sb.ToString();
	}
}
