using System.Globalization;

using LinqToDB.DataProvider.AuroraDsql;

using Npgsql;

namespace LinqToDB.AuroraDsql.Scaffold;

/// <summary>
/// How the tool connects: a cluster endpoint with IAM authentication (the settings of <c>UseAuroraDsql</c>), or a plain Npgsql
/// connection string (<c>UseAuroraDsqlConnectionString</c>). Secrets are never part of <see cref="Describe"/>.
/// </summary>
sealed record ConnectionSettings
{
	/// <summary>Environment variable read when neither an endpoint nor a connection string is given on the command line.</summary>
	public const string ConnectionStringVariable = "LINQ2DB_DSQL_CONNECTION_STRING";

	public string? Endpoint            { get; init; }
	public string? Region              { get; init; }
	public string? User                { get; init; }
	public string? Profile             { get; init; }
	public int?    Port                { get; init; }
	public string? RootCertificatePath { get; init; }
	public string? ConnectionString    { get; init; }

	/// <summary>Checks the combination; returns an error message or <see langword="null"/>.</summary>
	public string? Validate()
	{
		if (Endpoint is null && ConnectionString is null)
			return $"Give --endpoint <cluster endpoint> or --connection-string <Npgsql connection string> (or set {ConnectionStringVariable}).";

		if (Endpoint != null && ConnectionString != null)
			return "Give either --endpoint or --connection-string, not both.";

		if (ConnectionString != null && ((Region ?? User ?? Profile ?? RootCertificatePath) != null || Port != null))
			return "--region, --user, --profile, --port and --root-certificate go with --endpoint; put such settings in the connection string instead.";

		if (ConnectionString != null)
		{
			try
			{
				_ = new NpgsqlConnectionStringBuilder(ConnectionString);
			}
			catch (ArgumentException ex)
			{
				// the message names the bad keyword, never the values
				return "The connection string is not valid: " + ex.Message;
			}
		}

		if (Port is <= 0 or > 65535)
			return "--port must be between 1 and 65535.";

		if (RootCertificatePath != null && !File.Exists(RootCertificatePath))
			return $"The root certificate file '{RootCertificatePath}' does not exist.";

		return null;
	}

	/// <summary>linq2db options that connect as configured.</summary>
	public DataOptions CreateDataOptions()
	{
		if (ConnectionString != null)
			return new DataOptions().UseAuroraDsqlConnectionString(ConnectionString);

		return new DataOptions().UseAuroraDsql(Endpoint!, ApplyEndpointSettings);
	}

	/// <summary>The endpoint settings as <see cref="AuroraDsqlConnectionOptions"/> (what <c>UseAuroraDsql</c> receives).</summary>
	public AuroraDsqlConnectionOptions ApplyEndpointSettings(AuroraDsqlConnectionOptions options)
	{
		ArgumentNullException.ThrowIfNull(options);

		return options with
		{
			Region              = Region ?? options.Region,
			User                = User ?? options.User,
			ProfileName         = Profile ?? options.ProfileName,
			Port                = Port ?? options.Port,
			RootCertificatePath = RootCertificatePath ?? options.RootCertificatePath,
		};
	}

	/// <summary>Where the tool connects, for progress output: host, port, database, user. Never a password or token.</summary>
	public string Describe()
	{
		if (ConnectionString != null)
		{
			var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
			return string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port} as {builder.Username ?? "(default user)"}, database {builder.Database ?? "(default)"}");
		}

		var options = ApplyEndpointSettings(new AuroraDsqlConnectionOptions(Endpoint!));
		return string.Create(CultureInfo.InvariantCulture,
			$"{options.Host}:{options.Port} as {options.User}, region {options.Region ?? AuroraDsqlTools.TryGetRegionFromEndpoint(options.Host) ?? "(from the AWS SDK)"}, IAM authentication{(options.ProfileName is null ? "" : " with profile " + options.ProfileName)}");
	}

	/// <summary>Values that must never appear in output: the connection string and its password.</summary>
	public IEnumerable<string> Secrets()
	{
		if (ConnectionString is null)
			yield break;

		yield return ConnectionString;

		NpgsqlConnectionStringBuilder? builder = null;
		try
		{
			builder = new NpgsqlConnectionStringBuilder(ConnectionString);
		}
		catch (ArgumentException)
		{
			// not parseable: the whole string is masked above
		}

		if (!string.IsNullOrEmpty(builder?.Password))
			yield return builder.Password;
	}
}
