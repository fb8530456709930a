using System.Globalization;

namespace AuroraDsql.Testing;

/// <summary>
/// An Aurora DSQL cluster the provider's integration tests run against instead of the local endpoint, named by
/// environment variables: <c>DSQL_ENDPOINT</c> (the cluster's host name; its presence chooses the cluster), and the
/// optional <c>DSQL_PORT</c>, <c>DSQL_REGION</c>, <c>DSQL_USER</c> and <c>DSQL_ROOT_CERT</c> (a PEM file for a CA that
/// is not in the system trust store). Tokens are signed with the AWS SDK's default credential chain, as for any client.
/// </summary>
/// <param name="Host">Cluster endpoint host name, for example <c>abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws</c>.</param>
/// <param name="Port">Port; DSQL's 5432 unless <c>DSQL_PORT</c> says otherwise.</param>
/// <param name="Region">Region tokens are signed for; <see langword="null"/>: the provider's default (from the host name, else the SDK's region chain).</param>
/// <param name="User">Database role the tests connect as; <c>admin</c> unless <c>DSQL_USER</c> says otherwise.</param>
/// <param name="RootCertificatePath">PEM file of the CA to trust; <see langword="null"/>: the system trust store.</param>
public sealed record TestCluster(string Host, int Port, string? Region, string User, string? RootCertificatePath)
{
	public const string EndpointVariable = "DSQL_ENDPOINT";
	public const string PortVariable = "DSQL_PORT";
	public const string RegionVariable = "DSQL_REGION";
	public const string UserVariable = "DSQL_USER";
	public const string RootCertificateVariable = "DSQL_ROOT_CERT";

	/// <summary>The cluster named by this process's environment, or <see langword="null"/> when <c>DSQL_ENDPOINT</c> is not set.</summary>
	public static TestCluster? FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

	/// <summary>
	/// The cluster named by <paramref name="variable"/> (an environment lookup; empty values count as unset), or
	/// <see langword="null"/> when <c>DSQL_ENDPOINT</c> is not set.
	/// </summary>
	/// <exception cref="ArgumentException">A variable is set to something that cannot be used; the message names it and says what it takes.</exception>
	public static TestCluster? FromEnvironment(Func<string, string?> variable)
	{
		string? Value(string name) => variable(name) is { } value && value.Trim() is { Length: > 0 } trimmed ? trimmed : null;

		if (Value(EndpointVariable) is not { } host)
			return null;

		if (host.Contains("://", StringComparison.Ordinal) || host.IndexOfAny([':', '/', ' ', '?', '@']) >= 0)
			throw new ArgumentException(
				$"{EndpointVariable} takes the cluster's host name alone (for example abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws), " +
				$"without scheme, port or path; the port goes in {PortVariable}. It is: {host}");

		var port = 5432;
		if (Value(PortVariable) is { } portText
			&& (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
			throw new ArgumentException($"{PortVariable} takes a TCP port number (1 to 65535). It is: {portText}");

		var certificate = Value(RootCertificateVariable) is { } path ? Path.GetFullPath(path) : null;
		if (certificate != null && !File.Exists(certificate))
			throw new ArgumentException($"{RootCertificateVariable} names a PEM file with the CA certificate to trust, but there is no file at {certificate}.");

		return new TestCluster(host, port, Value(RegionVariable), Value(UserVariable) ?? "admin", certificate);
	}
}
