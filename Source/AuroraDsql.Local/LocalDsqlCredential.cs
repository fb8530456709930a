namespace AuroraDsql.Local;

/// <summary>
/// AWS credentials the endpoint accepts IAM tokens from: tokens signed with <see cref="AccessKeyId"/> are verified with
/// <see cref="SecretAccessKey"/>. With a <see cref="SessionToken"/> (temporary credentials), tokens must carry it.
/// </summary>
/// <param name="AccessKeyId">The access key id named in the token's credential scope.</param>
/// <param name="SecretAccessKey">The secret key the signature is recomputed with.</param>
/// <param name="SessionToken">When set, the token's <c>X-Amz-Security-Token</c> must equal it.</param>
/// <remarks>
/// Tokens signed with this credential come from the IAM identity <see cref="IdentityArn"/>: as on DSQL, a DbConnect token
/// logs in as a custom role only when admin has mapped that identity to the role (<c>AWS IAM GRANT role TO 'arn'</c>).
/// </remarks>
public sealed record LocalDsqlCredential(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
	/// <summary>Access key id of the fixed local test credentials (AWS's documentation example key).</summary>
	public const string DefaultAccessKeyId = "AKIAIOSFODNN7EXAMPLE";

	/// <summary>Secret key of the fixed local test credentials (AWS's documentation example key).</summary>
	public const string DefaultSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

	/// <summary>
	/// The IAM identity of the fixed local test credentials, and of any credential that names none:
	/// <c>arn:aws:iam::111122223333:user/aurora-dsql-local</c> (AWS's documentation example account).
	/// </summary>
	public const string DefaultIdentityArn = "arn:aws:iam::111122223333:user/aurora-dsql-local";

	/// <summary>
	/// The ARN of the IAM identity (role or user) that tokens signed with this credential come from, as STS
	/// <c>GetCallerIdentity</c> would answer it; <c>AWS IAM GRANT role TO '<i>arn</i>'</c> lets them log in as <c>role</c>.
	/// Default: <see cref="DefaultIdentityArn"/>.
	/// </summary>
	public string IdentityArn { get; init; } = DefaultIdentityArn;

	/// <summary>The fixed, documented local test credentials: <c>AKIAIOSFODNN7EXAMPLE</c> / <c>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</c>.</summary>
	public static LocalDsqlCredential Default { get; } = new(DefaultAccessKeyId, DefaultSecretAccessKey);

	/// <summary>Keeps the secret and session token out of logs and exception messages.</summary>
	public override string ToString() => $"LocalDsqlCredential {{ AccessKeyId = {AccessKeyId}, IdentityArn = {IdentityArn} }}";
}
