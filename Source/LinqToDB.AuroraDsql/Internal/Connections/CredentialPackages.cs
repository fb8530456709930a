using System.Text.RegularExpressions;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Connections;

/// <summary>
/// The AWS SDK loads the service clients behind some credentials at run time: SSO profiles need AWSSDK.SSO and
/// AWSSDK.SSOOIDC, assume-role and web-identity profiles AWSSDK.SecurityToken. Without them it throws an
/// <see cref="InvalidOperationException"/> that names an assembly; this says which packages to add.
/// </summary>
static partial class CredentialPackages
{
	/// <summary>The explained exception, or <see langword="null"/> when <paramref name="exception"/> is not the SDK's missing-assembly error.</summary>
	public static InvalidOperationException? Explain(InvalidOperationException exception, string? profileName)
	{
		var match = MissingAssembly().Match(exception.Message);
		if (!match.Success)
			return null;

		var (packages, what) = match.Groups[1].Value switch
		{
			"AWSSDK.SSO" or "AWSSDK.SSOOIDC" => ("AWSSDK.SSO and AWSSDK.SSOOIDC", "SSO (IAM Identity Center) credentials"),
			"AWSSDK.SecurityToken"           => ("AWSSDK.SecurityToken", "assumed-role and web-identity credentials"),
			var other                        => (other, "these credentials"),
		};

		var source = profileName is null ? "The AWS credentials need" : $"The AWS profile '{profileName}' needs";
		return new InvalidOperationException(
			$"{source} {packages}, which the application does not reference: the AWS SDK loads them at run time for {what}. Add them to the application (dotnet add package {packages.Replace(" and ", " / ", StringComparison.Ordinal)}).",
			exception);
	}

	[GeneratedRegex(@"^Assembly (AWSSDK\.[A-Za-z0-9]+) could not be found or loaded", RegexOptions.CultureInvariant)]
	private static partial Regex MissingAssembly();
}
