using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AuroraDsql.Signing;

namespace AuroraDsql.Local.Security;

/// <summary>
/// Validates an Aurora DSQL IAM authentication token (a SigV4-presigned <c>GET /</c> URL without scheme) the way DSQL
/// does: the token is parsed (parameter order does not matter), its signature recomputed from the configured secret
/// key and compared in constant time; service, region, host, signing-time window and the role/action mapping are checked.
/// </summary>
sealed class IamTokenVerifier
{
	readonly Dictionary<string, LocalDsqlCredential> _credentials;
	readonly string _region;
	readonly TimeSpan _clockSkew;
	readonly TimeProvider _time;

	public IamTokenVerifier(IEnumerable<LocalDsqlCredential> credentials, string region, TimeSpan clockSkew, TimeProvider? time = null)
	{
		var map = new Dictionary<string, LocalDsqlCredential>(StringComparer.Ordinal);
		foreach (var credential in credentials)
			map[credential.AccessKeyId] = credential;

		_credentials = map;
		_region      = region;
		_clockSkew   = clockSkew;
		_time        = time ?? TimeProvider.System;
	}

	/// <summary>Checks <paramref name="token"/> for a login as <paramref name="role"/> to one of <paramref name="acceptedHosts"/>.</summary>
	public TokenVerification Verify(string token, string role, IReadOnlyCollection<string> acceptedHosts)
	{
		var failed = TokenVerification.Failed(role);

		// host/?query — no scheme, path "/"
		var separator = token.IndexOf("/?", StringComparison.Ordinal);
		if (separator <= 0 || token.Contains("://", StringComparison.Ordinal))
			return failed.Because("not a presigned URL");

		var host  = token[..separator];
		var query = token[(separator + 2)..];

		if (!acceptedHosts.Contains(host, StringComparer.OrdinalIgnoreCase))
			return failed.Because("host mismatch");

		var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
		foreach (var pair in query.Split('&'))
		{
			if (pair.Length == 0)
				continue;

			var equals = pair.IndexOf('=', StringComparison.Ordinal);
			string name, value;
			try
			{
				name  = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
				value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
			}
			catch (UriFormatException)
			{
				return failed.Because("malformed query");
			}

			if (!parameters.TryAdd(name, value))
				return failed.Because("duplicate parameter");
		}

		if (!parameters.Remove(SigV4QuerySigner.SignatureParameter, out var signature)
			|| !parameters.TryGetValue(SigV4QuerySigner.ActionParameter,        out var action)
			|| !parameters.TryGetValue(SigV4QuerySigner.AlgorithmParameter,     out var algorithm)
			|| !parameters.TryGetValue(SigV4QuerySigner.CredentialParameter,    out var credential)
			|| !parameters.TryGetValue(SigV4QuerySigner.DateParameter,          out var amzDate)
			|| !parameters.TryGetValue(SigV4QuerySigner.ExpiresParameter,       out var expiresText)
			|| !parameters.TryGetValue(SigV4QuerySigner.SignedHeadersParameter, out var signedHeaders))
			return failed.Because("missing parameter");

		if (algorithm != SigV4QuerySigner.Algorithm || signedHeaders != "host")
			return failed.Because("unsupported signing");

		// <akid>/<yyyymmdd>/<region>/dsql/aws4_request
		var scope = credential.Split('/');
		if (scope.Length != 5 || scope[3] != SigV4QuerySigner.Service || scope[4] != "aws4_request")
			return failed.Because("bad credential scope");

		if (scope[2] != _region)
			return failed.Because("region mismatch");

		if (!DateTimeOffset.TryParseExact(amzDate, SigV4QuerySigner.AmzDateFormat, CultureInfo.InvariantCulture,
				DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt)
			|| scope[1] != signedAt.UtcDateTime.ToString(SigV4QuerySigner.DateStampFormat, CultureInfo.InvariantCulture))
			return failed.Because("bad date");

		if (!int.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
			|| expires <= 0 || expires > SigV4QuerySigner.MaxExpiresSeconds)
			return failed.Because("bad expiry");

		if (!_credentials.TryGetValue(scope[0], out var configured))
			return failed.Because("unknown access key");

		var canonicalQuery = SigV4QuerySigner.BuildCanonicalQuery(parameters);
		var expected = SigV4QuerySigner.ComputeSignature(host, canonicalQuery, scope[2], configured.SecretAccessKey, amzDate, scope[1]);

		if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
			return failed.Because("signature mismatch");

		if (configured.SessionToken != null)
		{
			parameters.TryGetValue(SigV4QuerySigner.SecurityTokenParameter, out var sessionToken);
			if (sessionToken is null
				|| !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sessionToken), Encoding.UTF8.GetBytes(configured.SessionToken)))
				return failed.Because("session token mismatch");
		}

		var now = _time.GetUtcNow();
		if (now < signedAt - _clockSkew)
			return failed.Because("signed in the future");
		if (now > signedAt.AddSeconds(expires) + _clockSkew)
			return failed.Because("expired");

		if (action != SigV4QuerySigner.ConnectAction && action != SigV4QuerySigner.ConnectAdminAction)
			return failed.Because("unknown action");

		if (action != SigV4QuerySigner.ActionForRole(role))
			return TokenVerification.WrongAction(role, action);

		return TokenVerification.SignedBy(configured.IdentityArn);
	}
}
