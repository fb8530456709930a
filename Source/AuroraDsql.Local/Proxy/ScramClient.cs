using System.Security.Cryptography;
using System.Text;

namespace AuroraDsql.Local.Proxy;

/// <summary>The client side of SCRAM-SHA-256 (RFC 5802/7677) without channel binding, as PostgreSQL uses it.</summary>
sealed class ScramClient
{
	public const string Mechanism = "SCRAM-SHA-256";

	readonly string _password;
	readonly string _clientNonce;
	readonly string _clientFirstBare;
	byte[]? _expectedServerSignature;

	public ScramClient(string password)
	{
		_password        = password;
		_clientNonce     = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
		_clientFirstBare = "n=,r=" + _clientNonce;
	}

	/// <summary>client-first-message (no channel binding, empty user name: PostgreSQL takes it from the startup packet).</summary>
	public string ClientFirstMessage => "n,," + _clientFirstBare;

	/// <summary>Computes client-final-message from server-first-message.</summary>
	public string ClientFinalMessage(string serverFirst)
	{
		string? nonce = null, salt = null;
		var iterations = 0;

		foreach (var part in serverFirst.Split(','))
		{
			if (part.StartsWith("r=", StringComparison.Ordinal))
				nonce = part[2..];
			else if (part.StartsWith("s=", StringComparison.Ordinal))
				salt = part[2..];
			else if (part.StartsWith("i=", StringComparison.Ordinal))
				iterations = int.Parse(part[2..], System.Globalization.CultureInfo.InvariantCulture);
		}

		if (nonce is null || salt is null || iterations <= 0 || !nonce.StartsWith(_clientNonce, StringComparison.Ordinal))
			throw new Protocol.PgProtocolException("invalid SCRAM server-first-message");

		var salted      = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(_password), Convert.FromBase64String(salt), iterations, HashAlgorithmName.SHA256, 32);
		var clientKey   = HMACSHA256.HashData(salted, "Client Key"u8);
		var storedKey   = SHA256.HashData(clientKey);
		var withoutProof = "c=biws,r=" + nonce;
		var authMessage = Encoding.UTF8.GetBytes(_clientFirstBare + "," + serverFirst + "," + withoutProof);
		var signature   = HMACSHA256.HashData(storedKey, authMessage);

		var proof = new byte[clientKey.Length];
		for (var k = 0; k < proof.Length; k++)
			proof[k] = (byte)(clientKey[k] ^ signature[k]);

		var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
		_expectedServerSignature = HMACSHA256.HashData(serverKey, authMessage);

		return withoutProof + ",p=" + Convert.ToBase64String(proof);
	}

	/// <summary>Checks server-final-message (<c>v=…</c>).</summary>
	public bool VerifyServerFinal(string serverFinal)
	{
		if (_expectedServerSignature is null || !serverFinal.StartsWith("v=", StringComparison.Ordinal))
			return false;

		byte[] actual;
		try
		{
			actual = Convert.FromBase64String(serverFinal[2..].Split(',')[0]);
		}
		catch (FormatException)
		{
			return false;
		}

		return CryptographicOperations.FixedTimeEquals(actual, _expectedServerSignature);
	}
}
