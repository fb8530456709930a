using System.Globalization;
using AuroraDsql.Local.Proxy;

namespace AuroraDsql.Local.Backend;

/// <summary>
/// The backend's PostgreSQL version and, when it is not 16 (DSQL is PostgreSQL 16), what differs from DSQL because of it.
/// </summary>
sealed class BackendCompatibility
{
	/// <summary>How to get PostgreSQL 16, for the warning.</summary>
	const string Remedy = "Install PostgreSQL 16: 'bash Build/install-postgres16.sh' in the LinqToDB.AuroraDsql repository (or your distribution's "
		+ "PostgreSQL 16 server), then restart the endpoint, or point --pg-bin / " + PostgresBinaries.EnvironmentVariable + " at its bin directory.";

	public BackendCompatibility(string version, int versionNum)
	{
		Version      = version;
		MajorVersion = versionNum / 10000;
		Warning      = WarningFor(version, MajorVersion);
	}

	/// <summary>The backend's <c>server_version</c>, e.g. <c>16.14</c>.</summary>
	public string Version { get; }

	/// <summary>The backend's major version, e.g. 16.</summary>
	public int MajorVersion { get; }

	/// <summary>What differs from DSQL; <see langword="null"/> on PostgreSQL 16.</summary>
	public string? Warning { get; }

	/// <summary>Reads the version over a backend connection.</summary>
	public static async Task<BackendCompatibility> ReadAsync(InternalConnection connection, CancellationToken cancellationToken)
	{
		var rows = await connection.QueryAsync(
			"SELECT pg_catalog.current_setting('server_version'), pg_catalog.current_setting('server_version_num')", cancellationToken).ConfigureAwait(false);
		var version = rows[0][0] ?? "unknown";
		var number  = int.TryParse(rows[0][1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
		return new BackendCompatibility(version, number);
	}

	static string? WarningFor(string version, int major) => major switch
	{
		PostgresBinaries.PreferredMajorVersion => null,
		< PostgresBinaries.PreferredMajorVersion =>
			$"The backend is PostgreSQL {version}, not 16 like DSQL, so some statements DSQL accepts fail here: PostgreSQL 16 syntax "
			+ "(column STORAGE in CREATE TABLE and ADD COLUMN, the SQL/JSON constructors JSON_ARRAY/JSON_OBJECT/JSON_ARRAYAGG/JSON_OBJECTAGG and "
			+ "IS JSON, any_value(), numeric literals with underscores or 0x/0o/0b prefixes, SYSTEM_USER, pg_input_is_valid()…), settings "
			+ "PostgreSQL 16 added are unknown, pg_settings still lists the ones it removed (lc_collate, lc_ctype), and error texts follow "
			+ $"PostgreSQL {major}. " + Remedy,
		_ =>
			$"The backend is PostgreSQL {version}, not 16 like DSQL, so some statements DSQL refuses run here: syntax, functions and "
			+ $"settings added after PostgreSQL 16 (JSON_TABLE, MERGE … RETURNING…), and error texts follow PostgreSQL {major}. " + Remedy,
	};
}
