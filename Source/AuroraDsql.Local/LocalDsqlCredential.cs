namespace AuroraDsql.Local;

/// <summary>
/// AWS credentials the endpoint accepts IAM tokens from: tokens signed with <see cref="AccessKeyId"/> are verified with
/// <see cref="SecretAccessKey"/>. With a <see cref="SessionToken"/> (temporary credentials), tokens must carry it.
/// </summary>
/// <param name="AccessKeyId">The access key id named in the token's credential scope.</param>
/// <param name="SecretAccessKey">The secret key the signature is recomputed with.</param>
/// <param name="SessionToken">When set, the token's <c>X-Amz-Security-Token</c> must equal it.</param>
public sealed record LocalDsqlCredential(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
	/// <summary>Access key id of the fixed local test credentials (AWS's documentation example key).</summary>
	public const string DefaultAccessKeyId = "AKIAIOSFODNN7EXAMPLE";

	/// <summary>Secret key of the fixed local test credentials (AWS's documentation example key).</summary>
	public const string DefaultSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

	/// <summary>The fixed, documented local test credentials: <c>AKIAIOSFODNN7EXAMPLE</c> / <c>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</c>.</summary>
	public static LocalDsqlCredential Default { get; } = new(DefaultAccessKeyId, DefaultSecretAccessKey);

	/// <summary>Keeps the secret and session token out of logs and exception messages.</summary>
	public override string ToString() => $"LocalDsqlCredential {{ AccessKeyId = {AccessKeyId} }}";
}
