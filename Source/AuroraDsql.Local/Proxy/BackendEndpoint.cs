using System.Data.Common;
using System.Globalization;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// Where the PostgreSQL backend is and how to log in. For the endpoint's own cluster, sessions connect over the private
/// Unix socket as the client's role (trust). For an external server, every connection logs in with the configured
/// credentials and client sessions then take on the client's role with <c>SET SESSION AUTHORIZATION</c>.
/// </summary>
sealed class BackendEndpoint
{
	public string? UnixSocketPath { get; init; }

	public string Host { get; init; } = "127.0.0.1";

	public int Port { get; init; } = 5432;

	/// <summary>Login role of internal connections (and of all connections when <see cref="Impersonate"/>).</summary>
	public required string SuperUser { get; init; }

	public string? Password { get; init; }

	public string Database { get; init; } = "postgres";

	/// <summary>True for an external backend: sessions log in as <see cref="SuperUser"/> and switch role afterwards.</summary>
	public bool Impersonate { get; init; }

	/// <summary>A connection string for the Npgsql-style keys Host, Port, Username, Password, Database.</summary>
	public static BackendEndpoint FromConnectionString(string connectionString)
	{
		var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };

		string? Get(params string[] keys)
		{
			foreach (var key in keys)
			{
				if (builder.TryGetValue(key, out var value) && value is not null && value.ToString() is { Length: > 0 } text)
					return text;
			}

			return null;
		}

		var host     = Get("Host", "Server") ?? "127.0.0.1";
		var port     = int.Parse(Get("Port") ?? "5432", NumberStyles.Integer, CultureInfo.InvariantCulture);
		var user     = Get("Username", "User Name", "User Id", "UserId", "User") ?? "postgres";
		var password = Get("Password", "PWD");
		var database = Get("Database", "DB") ?? "postgres";

		return new BackendEndpoint
		{
			UnixSocketPath = host.StartsWith('/') ? Path.Combine(host, ".s.PGSQL." + port.ToString(CultureInfo.InvariantCulture)) : null,
			Host           = host,
			Port           = port,
			SuperUser      = user,
			Password       = password,
			Database       = database,
			Impersonate    = true,
		};
	}
}
