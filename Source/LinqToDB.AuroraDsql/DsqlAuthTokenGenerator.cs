using Amazon;
using Amazon.Runtime;

using AuroraDsql.Signing;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// Generates Aurora DSQL IAM authentication tokens (the password of a DSQL connection) locally, without a network call.
/// The method names and parameters mirror <c>Amazon.DSQL.Util.DSQLAuthTokenGenerator</c> from AWSSDK.DSQL.
/// </summary>
/// <remarks>
/// A token is a SigV4-presigned <c>GET https://&lt;hostname&gt;/?Action=DbConnect[Admin]</c> request without the scheme.
/// It only authenticates the connect: an open session outlives the token. Treat tokens as secrets.
/// </remarks>
public static class DsqlAuthTokenGenerator
{
	/// <summary>Default token lifetime used by the AWS SDKs and CLI: 15 minutes.</summary>
	public static readonly TimeSpan DefaultExpiresIn = TimeSpan.FromMinutes(15);

	/// <summary>Longest token lifetime DSQL accepts: 7 days.</summary>
	public static readonly TimeSpan MaxExpiresIn = TimeSpan.FromSeconds(SigV4QuerySigner.MaxExpiresSeconds);

	/// <summary>Generates a token for a custom database role (IAM action <c>dsql:DbConnect</c>).</summary>
	/// <param name="credentials">AWS credentials that sign the token.</param>
	/// <param name="region">Region of the cluster.</param>
	/// <param name="hostname">Cluster endpoint, for example <c>abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws</c> (no scheme, no port).</param>
	/// <param name="expiresIn">Token lifetime: more than zero and at most 7 days.</param>
	public static string GenerateDbConnectAuthToken(AWSCredentials credentials, RegionEndpoint region, string hostname, TimeSpan expiresIn) =>
		Generate(SigV4QuerySigner.ConnectAction, credentials, region, hostname, expiresIn, DateTimeOffset.UtcNow);

	/// <summary>Generates a token for the <c>admin</c> role (IAM action <c>dsql:DbConnectAdmin</c>).</summary>
	/// <param name="credentials">AWS credentials that sign the token.</param>
	/// <param name="region">Region of the cluster.</param>
	/// <param name="hostname">Cluster endpoint, for example <c>abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws</c> (no scheme, no port).</param>
	/// <param name="expiresIn">Token lifetime: more than zero and at most 7 days.</param>
	public static string GenerateDbConnectAdminAuthToken(AWSCredentials credentials, RegionEndpoint region, string hostname, TimeSpan expiresIn) =>
		Generate(SigV4QuerySigner.ConnectAdminAction, credentials, region, hostname, expiresIn, DateTimeOffset.UtcNow);

	/// <summary>Generates a token for a custom database role, signed at <paramref name="signingTime"/> (for reproducible output).</summary>
	/// <param name="credentials">AWS credentials that sign the token.</param>
	/// <param name="region">Region of the cluster.</param>
	/// <param name="hostname">Cluster endpoint, for example <c>abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws</c> (no scheme, no port).</param>
	/// <param name="expiresIn">Token lifetime: more than zero and at most 7 days.</param>
	/// <param name="signingTime">The instant the token is signed at; it is valid from then for <paramref name="expiresIn"/>.</param>
	public static string GenerateDbConnectAuthToken(AWSCredentials credentials, RegionEndpoint region, string hostname, TimeSpan expiresIn, DateTimeOffset signingTime) =>
		Generate(SigV4QuerySigner.ConnectAction, credentials, region, hostname, expiresIn, signingTime);

	/// <summary>Generates a token for the <c>admin</c> role, signed at <paramref name="signingTime"/> (for reproducible output).</summary>
	/// <param name="credentials">AWS credentials that sign the token.</param>
	/// <param name="region">Region of the cluster.</param>
	/// <param name="hostname">Cluster endpoint, for example <c>abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws</c> (no scheme, no port).</param>
	/// <param name="expiresIn">Token lifetime: more than zero and at most 7 days.</param>
	/// <param name="signingTime">The instant the token is signed at; it is valid from then for <paramref name="expiresIn"/>.</param>
	public static string GenerateDbConnectAdminAuthToken(AWSCredentials credentials, RegionEndpoint region, string hostname, TimeSpan expiresIn, DateTimeOffset signingTime) =>
		Generate(SigV4QuerySigner.ConnectAdminAction, credentials, region, hostname, expiresIn, signingTime);

	/// <summary>Asynchronously resolves the credentials and generates a token for a custom database role.</summary>
	/// <param name="credentials">AWS credentials that sign the token.</param>
	/// <param name="region">Region of the cluster.</param>
	/// <param name="hostname">Cluster endpoint, for example <c>abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws</c> (no scheme, no port).</param>
	/// <param name="expiresIn">Token lifetime: more than zero and at most 7 days.</param>
	public static Task<string> GenerateDbConnectAuthTokenAsync(AWSCredentials credentials, RegionEndpoint region, string hostname, TimeSpan expiresIn) =>
		GenerateAsync(SigV4QuerySigner.ConnectAction, credentials, region, hostname, expiresIn, DateTimeOffset.UtcNow);

	/// <summary>Asynchronously resolves the credentials and generates a token for the <c>admin</c> role.</summary>
	/// <param name="credentials">AWS credentials that sign the token.</param>
	/// <param name="region">Region of the cluster.</param>
	/// <param name="hostname">Cluster endpoint, for example <c>abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws</c> (no scheme, no port).</param>
	/// <param name="expiresIn">Token lifetime: more than zero and at most 7 days.</param>
	public static Task<string> GenerateDbConnectAdminAuthTokenAsync(AWSCredentials credentials, RegionEndpoint region, string hostname, TimeSpan expiresIn) =>
		GenerateAsync(SigV4QuerySigner.ConnectAdminAction, credentials, region, hostname, expiresIn, DateTimeOffset.UtcNow);

	static string Generate(string action, AWSCredentials credentials, RegionEndpoint region, string hostname, TimeSpan expiresIn, DateTimeOffset signingTime)
	{
		var expiresSeconds = Validate(credentials, region, hostname, expiresIn);
		return Sign(action, credentials.GetCredentials(), region, hostname, expiresSeconds, signingTime);
	}

	static async Task<string> GenerateAsync(string action, AWSCredentials credentials, RegionEndpoint region, string hostname, TimeSpan expiresIn, DateTimeOffset signingTime)
	{
		var expiresSeconds = Validate(credentials, region, hostname, expiresIn);
		var immutable      = await credentials.GetCredentialsAsync().ConfigureAwait(false);
		return Sign(action, immutable, region, hostname, expiresSeconds, signingTime);
	}

	static int Validate(AWSCredentials credentials, RegionEndpoint region, string hostname, TimeSpan expiresIn)
	{
		ArgumentNullException.ThrowIfNull(credentials);
		ArgumentNullException.ThrowIfNull(region);
		ArgumentException.ThrowIfNullOrWhiteSpace(hostname);

		if (hostname.Contains("://", StringComparison.Ordinal) || hostname.Contains('/', StringComparison.Ordinal) || hostname.Contains(':', StringComparison.Ordinal))
			throw new ArgumentException("The hostname must be the bare cluster endpoint, without a scheme, port or path (for example 'abc….dsql.us-east-1.on.aws').", nameof(hostname));

		if (expiresIn <= TimeSpan.Zero || expiresIn > MaxExpiresIn)
			throw new ArgumentOutOfRangeException(nameof(expiresIn), expiresIn, "The token lifetime must be more than zero and at most 7 days (604,800 seconds).");

		// SigV4 expresses the lifetime in whole seconds; a sub-second lifetime would round to an invalid zero.
		var seconds = (int)Math.Ceiling(expiresIn.TotalSeconds);
		return Math.Min(seconds, SigV4QuerySigner.MaxExpiresSeconds);
	}

	static string Sign(string action, ImmutableCredentials credentials, RegionEndpoint region, string hostname, int expiresSeconds, DateTimeOffset signingTime)
	{
		if (string.IsNullOrEmpty(credentials.AccessKey) || string.IsNullOrEmpty(credentials.SecretKey))
			throw new ArgumentException("The AWS credentials resolved to an empty access key or secret key.", nameof(credentials));

		return SigV4QuerySigner.CreateToken(
			hostname.Trim().ToLowerInvariant(),
			region.SystemName.ToLowerInvariant(),
			action,
			credentials.AccessKey,
			credentials.SecretKey,
			credentials.UseToken ? credentials.Token : null,
			signingTime,
			expiresSeconds);
	}
}
