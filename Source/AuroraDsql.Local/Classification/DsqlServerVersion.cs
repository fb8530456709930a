using System.Globalization;

namespace AuroraDsql.Local.Classification;

/// <summary>The PostgreSQL version the endpoint reports (<c>server_version</c>, <c>server_version_num</c>), as DSQL does.</summary>
sealed record DsqlServerVersion
{
	/// <summary>
	/// What DSQL reports: <c>server_version</c> 16.15, recorded on live clusters in late 2026 (behaviour reference §1;
	/// earlier in 2026 it reported 16.13). <c>version()</c> returns just <c>PostgreSQL 16</c>.
	/// </summary>
	public static readonly DsqlServerVersion Latest = Parse("16.15");

	DsqlServerVersion(string version, string versionNum)
	{
		Version    = version;
		VersionNum = versionNum;
	}

	/// <summary><c>server_version</c>, e.g. <c>16.15</c>.</summary>
	public string Version { get; }

	/// <summary><c>server_version_num</c>, e.g. <c>160015</c>.</summary>
	public string VersionNum { get; }

	/// <summary>Reads <c>16.&lt;minor&gt;</c>.</summary>
	/// <exception cref="ArgumentException">Not a PostgreSQL 16 version.</exception>
	public static DsqlServerVersion Parse(string version)
	{
		var parts = version.Split('.');
		if (parts.Length != 2 || parts[0] != "16" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor) || minor > 99)
			throw new ArgumentException($"The server version must be a PostgreSQL 16 version such as {16}.15 (DSQL is PostgreSQL 16).", nameof(version));

		return new DsqlServerVersion(version, (160000 + minor).ToString(CultureInfo.InvariantCulture));
	}
}
