namespace AuroraDsql.Local.Security;

/// <summary>
/// Outcome of a token check: the SQLSTATE and message the client gets (DSQL's texts, never the token), and an internal
/// reason for the endpoint's log that reveals no secret.
/// </summary>
sealed record TokenVerification(bool Succeeded, string SqlState, string Message, string Reason)
{
	/// <summary>After a success: the IAM identity of the credential that signed the token.</summary>
	public string? IdentityArn { get; init; }

	/// <summary>SQLSTATE for a token that does not authenticate (PostgreSQL's invalid_password, as for a wrong password).</summary>
	public const string AuthenticationFailedState = "28P01";

	/// <summary>SQLSTATE for a valid token signed for the wrong action (invalid_authorization_specification).</summary>
	public const string WrongActionState = "28000";

	public static TokenVerification Success { get; } = new(true, "", "", "ok");

	public static TokenVerification SignedBy(string identityArn) => Success with { IdentityArn = identityArn };

	public static TokenVerification Failed(string role) =>
		new(false, AuthenticationFailedState, $"IAM authentication failed for user \"{role}\"", "");

	public static TokenVerification WrongAction(string role, string action) =>
		new(false, WrongActionState, $"Wrong user to action mapping. user: {role}, action: {action}", "role/action mismatch");

	public TokenVerification Because(string reason) => this with { Reason = reason };
}
