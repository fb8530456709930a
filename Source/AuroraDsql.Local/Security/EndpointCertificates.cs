using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AuroraDsql.Local.Security;

/// <summary>
/// The endpoint's own certificate authority and server certificate (ECDSA P-256), made with
/// System.Security.Cryptography. The CA certificate is written as PEM so clients can verify the server
/// (<c>SslMode=VerifyFull</c>, <c>sslrootcert</c>). A CA found in the directory (<c>ca.pem</c> + <c>ca.key</c>) is reused,
/// so a kept certificate directory keeps working across restarts.
/// </summary>
sealed class EndpointCertificates : IDisposable
{
	public const string CaCertificateFileName = "ca.pem";
	public const string CaKeyFileName         = "ca.key";

	EndpointCertificates(X509Certificate2 ca, X509Certificate2 server, string caPath)
	{
		CaCertificate     = ca;
		ServerCertificate = server;
		CaCertificatePath = caPath;
		Context           = SslStreamCertificateContext.Create(server, [ca], offline: true);
	}

	public X509Certificate2 CaCertificate { get; }

	public X509Certificate2 ServerCertificate { get; }

	public string CaCertificatePath { get; }

	public SslStreamCertificateContext Context { get; }

	/// <summary>Loads or creates the CA in <paramref name="directory"/> and issues a fresh server certificate for the names.</summary>
	public static EndpointCertificates Create(string directory, IEnumerable<string> hostNames)
	{
		Directory.CreateDirectory(directory);

		var caPath  = Path.Combine(directory, CaCertificateFileName);
		var keyPath = Path.Combine(directory, CaKeyFileName);

		X509Certificate2 ca;
		if (File.Exists(caPath) && File.Exists(keyPath))
			ca = X509Certificate2.CreateFromPemFile(caPath, keyPath);
		else
		{
			ca = CreateCa();
			using var caKey = ca.GetECDsaPrivateKey()!;
			WritePrivate(keyPath, caKey.ExportPkcs8PrivateKeyPem());
			File.WriteAllText(caPath, ca.ExportCertificatePem() + "\n");
		}

		var server = CreateServerCertificate(ca, hostNames);
		return new EndpointCertificates(ca, server, caPath);
	}

	static X509Certificate2 CreateCa()
	{
		using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
		var request = new CertificateRequest("CN=Aurora DSQL local endpoint CA, O=LinqToDB.AuroraDsql", key, HashAlgorithmName.SHA256);
		request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
		request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
		request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

		var now = DateTimeOffset.UtcNow;
		return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
	}

	static X509Certificate2 CreateServerCertificate(X509Certificate2 ca, IEnumerable<string> hostNames)
	{
		using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
		var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);

		var san = new SubjectAlternativeNameBuilder();
		var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
		foreach (var name in hostNames.Concat(["localhost", "127.0.0.1"]))
		{
			if (string.IsNullOrWhiteSpace(name) || !seen.Add(name))
				continue;

			if (IPAddress.TryParse(name, out var ip))
				san.AddIpAddress(ip);
			else
				san.AddDnsName(name);
		}

		request.CertificateExtensions.Add(san.Build());
		request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
		request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
		request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
		request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
		request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));

		var now    = DateTimeOffset.UtcNow;
		var notAfter = now.AddDays(397) < ca.NotAfter ? now.AddDays(397) : ca.NotAfter.ToUniversalTime().AddMinutes(-1);
		var serial = RandomNumberGenerator.GetBytes(16);
		serial[0] &= 0x7F;

		using var issued = request.Create(ca, now.AddMinutes(-5), notAfter, serial);
		using var withKey = issued.CopyWithPrivateKey(key);
		// Round-trip through PKCS#12 so the key is a persisted (not ephemeral) key, which SslStream handles on every platform.
#if NET9_0_OR_GREATER
		return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
#else
		return new X509Certificate2(withKey.Export(X509ContentType.Pkcs12), (string?)null);
#endif
	}

	static void WritePrivate(string path, string content)
	{
		if (OperatingSystem.IsWindows())
		{
			File.WriteAllText(path, content);
			return;
		}

		using var stream = new FileStream(path, new FileStreamOptions
		{
			Mode = FileMode.Create,
			Access = FileAccess.Write,
			UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
		});
		using var writer = new StreamWriter(stream);
		writer.Write(content);
	}

	public void Dispose()
	{
		CaCertificate.Dispose();
		ServerCertificate.Dispose();
	}
}
