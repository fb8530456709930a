using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;

using LinqToDB.DataProvider.AuroraDsql;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Connections;

/// <summary>
/// A connection string given to the provider by name (<c>UseConnectionString("AuroraDSQL", …)</c>, configuration,
/// <c>UseAuroraDsqlConnectionString</c>): Npgsql's keys plus the provider's own, <see cref="RegionKey"/>,
/// <see cref="TokenLifetimeKey"/> and <see cref="ProfileKey"/>, which are taken out before Npgsql sees the string.
/// Every key is checked: one that is neither Npgsql's nor the provider's, or a value Npgsql refuses, is an
/// <see cref="ArgumentException"/> naming the key (never the value of a password).
/// </summary>
sealed partial class ParsedConnectionString
{
	/// <summary>AWS region tokens are signed for (default: from the host name, else the AWS SDK's region chain).</summary>
	public const string RegionKey = "Region";

	/// <summary>Lifetime of each token in seconds, 1 to 604800 (default 900). Also written <c>TokenLifetime</c>.</summary>
	public const string TokenLifetimeKey = "Token Lifetime";

	/// <summary>Named profile of the shared AWS config and credentials files that signs tokens (default: the SDK's chain).</summary>
	public const string ProfileKey = "Profile";

	readonly List<KeyValuePair<string, string>> _npgsqlKeys;

	ParsedConnectionString(NpgsqlConnectionStringBuilder npgsql, List<KeyValuePair<string, string>> npgsqlKeys, string? region, TimeSpan? tokenLifetime, string? profile)
	{
		Npgsql        = npgsql;
		_npgsqlKeys   = npgsqlKeys;
		Region        = region;
		TokenLifetime = tokenLifetime;
		Profile       = profile;
	}

	/// <summary>The Npgsql part: every key but the provider's own.</summary>
	public NpgsqlConnectionStringBuilder Npgsql { get; }

	public string?   Region        { get; }
	public TimeSpan? TokenLifetime { get; }
	public string?   Profile       { get; }

	/// <summary>A password (or a password file) is given: it is used as is, and no token is signed.</summary>
	public bool HasPassword => !string.IsNullOrEmpty(Npgsql.Password) || !string.IsNullOrEmpty(Npgsql.Passfile);

	/// <summary>Parses and checks <paramref name="connectionString"/>.</summary>
	public static ParsedConnectionString Parse(string connectionString)
	{
		ArgumentNullException.ThrowIfNull(connectionString);

		DbConnectionStringBuilder generic;
		try
		{
			generic = new DbConnectionStringBuilder { ConnectionString = connectionString };
		}
		catch (ArgumentException ex)
		{
			// the message gives a position, never the text
			throw new ArgumentException("The Aurora DSQL connection string is malformed: " + ex.Message, nameof(connectionString));
		}

		var npgsql = new NpgsqlConnectionStringBuilder();
		var npgsqlKeys = new List<KeyValuePair<string, string>>();
		string? region = null, profile = null;
		TimeSpan? tokenLifetime = null;

		// DbConnectionStringBuilder lower-cases keys and drops empty values: errors name keys as written.
		var written = KeysAsWritten(connectionString);

		foreach (var key in written)
		{
			if (ProviderKey(key) is { } providerKey && !generic.ContainsKey(key))
				throw new ArgumentException($"The connection string key '{key}' is empty: give {(providerKey == TokenLifetimeKey ? "the token lifetime in seconds" : Describe(providerKey))}.", nameof(connectionString));
		}

		foreach (string parsedKey in generic.Keys)
		{
			var key   = written.FirstOrDefault(k => string.Equals(k, parsedKey, StringComparison.OrdinalIgnoreCase)) ?? parsedKey;
			var value = Convert.ToString(generic[parsedKey], CultureInfo.InvariantCulture) ?? "";

			switch (ProviderKey(key))
			{
				case RegionKey:
					region = Required(key, value, Describe(RegionKey));
					break;

				case TokenLifetimeKey:
					if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < 1 || seconds > DsqlAuthTokenGenerator.MaxExpiresIn.TotalSeconds)
						throw new ArgumentException($"The connection string key '{key}' takes the token lifetime in seconds, from 1 to 604800 (7 days); got '{value}'.", nameof(connectionString));
					tokenLifetime = TimeSpan.FromSeconds(seconds);
					break;

				case ProfileKey:
					profile = Required(key, value, Describe(ProfileKey));
					break;

				default:
					SetNpgsqlKey(npgsql, key, value);
					npgsqlKeys.Add(new(key, value));
					break;
			}
		}

		var parsed = new ParsedConnectionString(npgsql, npgsqlKeys, region, tokenLifetime, profile);

		if (parsed.HasPassword && (region ?? profile ?? (object?)tokenLifetime) != null)
			throw new ArgumentException(
				$"The connection string has a Password, which is used as is, and {string.Join(", ", parsed.GivenProviderKeys())}, which only apply to the IAM tokens the provider signs when there is no Password. Remove one or the other.",
				nameof(connectionString));

		return parsed;
	}

	/// <summary>
	/// The settings of <c>UseAuroraDsql</c> for this connection string (no password): host, port, user and database
	/// from their keys, the provider's keys, and every other Npgsql key over the provider's defaults.
	/// </summary>
	public AuroraDsqlConnectionOptions ToConnectionOptions()
	{
		if (string.IsNullOrWhiteSpace(Npgsql.Host))
			throw new ArgumentException("The Aurora DSQL connection string has no Host: give the cluster endpoint, for example Host=abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws.", "connectionString");

		var options = new AuroraDsqlConnectionOptions(Npgsql.Host)
		{
			Port        = Npgsql.Port,   // Npgsql's default is DSQL's, 5432
			Region      = Region,
			ProfileName = Profile,
		};

		if (Npgsql.Username is { Length: > 0 } user)
			options = options with { User = user };
		if (Npgsql.Database is { Length: > 0 } database)
			options = options with { Database = database };
		if (TokenLifetime is { } lifetime)
			options = options with { TokenLifetime = lifetime };

		// Every Npgsql key as given, over the provider's defaults (TLS, pool, lifetimes, application name); host, port,
		// user and database come out the same as above.
		var keys = _npgsqlKeys;
		return options with
		{
			ConfigureConnectionString = builder =>
			{
				foreach (var (key, value) in keys)
					builder[key] = value;
			},
		};
	}

	IEnumerable<string> GivenProviderKeys()
	{
		if (Region != null)
			yield return RegionKey;
		if (TokenLifetime != null)
			yield return TokenLifetimeKey;
		if (Profile != null)
			yield return ProfileKey;
	}

	/// <summary>The provider key <paramref name="key"/> names (case and spaces ignored, as Npgsql does), or <see langword="null"/>.</summary>
	static string? ProviderKey(string key) =>
		key.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant() switch
		{
			"REGION"        => RegionKey,
			"TOKENLIFETIME" => TokenLifetimeKey,
			"PROFILE"       => ProfileKey,
			_               => null,
		};

	static string Describe(string providerKey) =>
		providerKey == RegionKey
			? "an AWS region, for example Region=us-east-1"
			: "the name of a profile in the shared AWS config or credentials file";

	/// <summary>The keys of a connection string as written (trimmed), in order; quoted values may add a few that are not keys.</summary>
	static List<string> KeysAsWritten(string connectionString) =>
		KeyPattern().Matches(connectionString).Select(m => m.Groups["key"].Value.Trim()).Where(k => k.Length > 0).ToList();

	[GeneratedRegex(@"(?:^|;)\s*(?<key>[^=;]+?)\s*=(?!=)", RegexOptions.CultureInvariant)]
	private static partial Regex KeyPattern();

	static string Required(string key, string value, string what) =>
		string.IsNullOrWhiteSpace(value)
			? throw new ArgumentException($"The connection string key '{key}' is empty: give {what}.")
			: value.Trim();

	static void SetNpgsqlKey(NpgsqlConnectionStringBuilder npgsql, string key, string value)
	{
		try
		{
			npgsql[key] = value;
		}
		catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
		{
			if (!npgsql.ContainsKey(key) && ex is ArgumentException)
				throw new ArgumentException(
					$"The connection string key '{key}' is neither an Npgsql key nor one of the Aurora DSQL provider's ({RegionKey}, {TokenLifetimeKey}, {ProfileKey}).");

			// Npgsql's message may quote the value: left out for secrets.
			var secret = key.Contains("password", StringComparison.OrdinalIgnoreCase) || key.Contains("pwd", StringComparison.OrdinalIgnoreCase);
			throw new ArgumentException(
				$"The connection string key '{key}' has a value Npgsql does not accept" + (secret ? "." : ": " + ex.Message));
		}
	}
}
