using System.Collections;
using System.Globalization;
using System.Net;
using System.Text;

namespace AuroraDsql.Local.Tests.Conformance;

/// <summary>
/// Writes a value Npgsql read the way the recording client printed the value it read (pgx v5, Go's <c>%v</c>), so that the
/// recorded rows can be compared as recorded: NULL as <c>NULL</c>, booleans <c>true</c>/<c>false</c>, a uuid as its
/// 16 bytes (<c>[0 0 … 170]</c>), arrays and row values as <c>[a b c]</c>, inet as address/prefix length, times in UTC
/// RFC 3339 with the fraction's trailing zeros cut.
/// </summary>
static class PgxValueText
{
	public static string Format(object? value) => value switch
	{
		null or DBNull => "NULL",
		string s => s,
		bool b => b ? "true" : "false",
		Guid g => "[" + string.Join(' ', g.ToByteArray(bigEndian: true)) + "]",
		byte[] bytes => Encoding.UTF8.GetString(bytes),
		IPAddress address => $"{address}/{(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)}",
		DateTime time => Rfc3339(new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc))),
		DateTimeOffset time => Rfc3339(time.ToUniversalTime()),
		double d => d.ToString("R", CultureInfo.InvariantCulture),
		float f => f.ToString("R", CultureInfo.InvariantCulture),
		IEnumerable items => "[" + string.Join(' ', items.Cast<object?>().Select(Format)) + "]",
		IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
		_ => value.ToString() ?? "",
	};

	static string Rfc3339(DateTimeOffset time)
	{
		var text = time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
		return text + "Z";
	}
}
