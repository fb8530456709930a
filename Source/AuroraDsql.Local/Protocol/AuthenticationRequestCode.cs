namespace AuroraDsql.Local.Protocol;

/// <summary>The code of an AuthenticationRequest message: which authentication step the server asks for.</summary>
enum AuthenticationRequestCode
{
	/// <summary>AuthenticationOk: the login succeeded.</summary>
	Ok = 0,

	/// <summary>A clear-text password (inside TLS: the endpoint asks clients for their IAM token so).</summary>
	CleartextPassword = 3,

	/// <summary>An MD5-hashed password; a 4-byte salt follows.</summary>
	Md5Password = 5,

	/// <summary>SASL: the mechanisms the server offers follow.</summary>
	Sasl = 10,

	/// <summary>SASL challenge data follow.</summary>
	SaslContinue = 11,

	/// <summary>SASL outcome data follow (the server's signature).</summary>
	SaslFinal = 12,
}
