namespace AuroraDsql.Local.Backend;

/// <summary>PostgreSQL server programs found on this machine.</summary>
/// <param name="BinDirectory">The directory of <c>initdb</c> and <c>postgres</c>.</param>
/// <param name="MajorVersion">The major version <c>postgres --version</c> reports (0 when it could not be read).</param>
/// <param name="Version">The version <c>postgres --version</c> reports, e.g. <c>16.14</c>.</param>
sealed record PostgresInstallation(string BinDirectory, int MajorVersion, string Version);
