using System.Globalization;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

/// <summary>
/// The column types the schema provider knows: their SQL names (as PostgreSQL's <c>format_type</c> prints them, computed here
/// so no catalog function beyond what DSQL documents is needed), linq2db <see cref="DataType"/> and .NET type.
/// </summary>
static class SchemaTypes
{
	/// <summary>What a catalog type maps to.</summary>
	/// <param name="Name">Canonical SQL name without modifiers, for example <c>character varying</c>.</param>
	/// <param name="DataType">linq2db data type.</param>
	/// <param name="SystemType">.NET type.</param>
	public sealed record TypeMapping(string Name, DataType DataType, Type SystemType);

	// pg_catalog type name (pg_type.typname) → mapping. Every DSQL column type, plus the few other types views commonly expose.
	static readonly Dictionary<string, TypeMapping> _byTypeName = new(StringComparer.Ordinal)
	{
		["int2"]        = new("smallint",                    DataType.Int16,          typeof(short)),
		["int4"]        = new("integer",                     DataType.Int32,          typeof(int)),
		["int8"]        = new("bigint",                      DataType.Int64,          typeof(long)),
		["float4"]      = new("real",                        DataType.Single,         typeof(float)),
		["float8"]      = new("double precision",            DataType.Double,         typeof(double)),
		["numeric"]     = new("numeric",                     DataType.Decimal,        typeof(decimal)),
		["bpchar"]      = new("character",                   DataType.NChar,          typeof(string)),
		["varchar"]     = new("character varying",           DataType.NVarChar,       typeof(string)),
		["text"]        = new("text",                        DataType.Text,           typeof(string)),
		["bytea"]       = new("bytea",                       DataType.Binary,         typeof(byte[])),
		["bool"]        = new("boolean",                     DataType.Boolean,        typeof(bool)),
		["date"]        = new("date",                        DataType.Date,           typeof(DateTime)),
		["time"]        = new("time without time zone",      DataType.Time,           typeof(TimeSpan)),
		["timetz"]      = new("time with time zone",         DataType.TimeTZ,         typeof(DateTimeOffset)),
		["timestamp"]   = new("timestamp without time zone", DataType.DateTime2,      typeof(DateTime)),
		["timestamptz"] = new("timestamp with time zone",    DataType.DateTimeOffset, typeof(DateTimeOffset)),
		["interval"]    = new("interval",                    DataType.Interval,       typeof(TimeSpan)),
		["uuid"]        = new("uuid",                        DataType.Guid,           typeof(Guid)),
		["json"]        = new("json",                        DataType.Json,           typeof(string)),
		["jsonb"]       = new("jsonb",                       DataType.BinaryJson,     typeof(string)),
		// not column types on DSQL, but views and functions can return them
		["name"]        = new("name",                        DataType.NVarChar,       typeof(string)),
		["char"]        = new("\"char\"",                    DataType.Char,           typeof(char)),
		["oid"]         = new("oid",                         DataType.UInt32,         typeof(uint)),
	};

	static readonly Dictionary<string, TypeMapping> _byName = _byTypeName.Values.ToDictionary(m => m.Name, StringComparer.Ordinal);

	/// <summary>The mapping of a canonical SQL type name (see <see cref="TypeMapping.Name"/>), or <see langword="null"/>.</summary>
	public static TypeMapping? FindByName(string? name) =>
		name != null && _byName.TryGetValue(name, out var mapping) ? mapping : null;

	/// <summary>Every known type, for the schema provider's data-type list.</summary>
	public static IEnumerable<TypeMapping> All => _byTypeName.Values;

	/// <summary>
	/// Canonical name (without modifiers) of a type: for <c>pg_catalog</c> types the SQL name, for arrays the element's name
	/// followed by <c>[]</c>, for other types the schema-qualified type name.
	/// </summary>
	public static string GetBaseName(string typeSchema, string typeName, string? elementTypeSchema, string? elementTypeName)
	{
		if (elementTypeName != null && typeName.StartsWith('_'))
			return GetBaseName(elementTypeSchema ?? typeSchema, elementTypeName, null, null) + "[]";

		if (typeSchema == "pg_catalog")
			return _byTypeName.TryGetValue(typeName, out var mapping) ? mapping.Name : typeName;

		return QuoteIfNeeded(typeSchema) + "." + QuoteIfNeeded(typeName);
	}

	/// <summary>
	/// The SQL type with its modifiers, as <c>format_type(atttypid, atttypmod)</c> prints it for the types DSQL supports.
	/// </summary>
	public static string Format(string typeSchema, string typeName, int typmod, string? elementTypeSchema, string? elementTypeName)
	{
		if (elementTypeName != null && typeName.StartsWith('_'))
			return Format(elementTypeSchema ?? typeSchema, elementTypeName, typmod, null, null) + "[]";

		if (typeSchema != "pg_catalog")
			return GetBaseName(typeSchema, typeName, null, null);

		var (length, precision, scale) = GetFacets(typeSchema, typeName, typmod);

		return typeName switch
		{
			"bpchar"      => length is { } n ? Invariant($"character({n})") : "bpchar",
			"varchar"     => length is { } n ? Invariant($"character varying({n})") : "character varying",
			"numeric"     => precision is { } p ? Invariant($"numeric({p},{scale})") : "numeric",
			"time"        => precision is { } p ? Invariant($"time({p}) without time zone") : "time without time zone",
			"timetz"      => precision is { } p ? Invariant($"time({p}) with time zone") : "time with time zone",
			"timestamp"   => precision is { } p ? Invariant($"timestamp({p}) without time zone") : "timestamp without time zone",
			"timestamptz" => precision is { } p ? Invariant($"timestamp({p}) with time zone") : "timestamp with time zone",
			"interval"    => FormatInterval(typmod),
			"bit"         => length is { } n ? Invariant($"bit({n})") : "bit",
			"varbit"      => length is { } n ? Invariant($"bit varying({n})") : "bit varying",
			_             => GetBaseName(typeSchema, typeName, null, null),
		};
	}

	/// <summary>Length, precision and scale a type modifier declares (all <see langword="null"/> when it declares none).</summary>
	public static (int? Length, int? Precision, int? Scale) GetFacets(string typeSchema, string typeName, int typmod)
	{
		if (typeSchema != "pg_catalog" || typmod < 0)
			return (null, null, null);

		switch (typeName)
		{
			case "bpchar":
			case "varchar":
				return (typmod - 4, null, null);
			case "bit":
			case "varbit":
				return (typmod, null, null);
			case "numeric":
			{
				var value = typmod - 4;
				// PostgreSQL 15+ stores the scale as an 11-bit signed number (negative scales are allowed).
				return (null, (value >> 16) & 0xFFFF, ((value & 0x7FF) ^ 1024) - 1024);
			}
			case "time":
			case "timetz":
			case "timestamp":
			case "timestamptz":
				return (null, typmod, null);
			case "interval":
			{
				var precision = typmod & 0xFFFF;
				return (null, precision == 0xFFFF ? null : precision, null);
			}
			default:
				return (null, null, null);
		}
	}

	// src/include/utils/datetime.h: bit positions of interval fields in the type modifier
	const int Month = 1 << 1, Year = 1 << 2, Day = 1 << 3, Hour = 1 << 10, Minute = 1 << 11, Second = 1 << 12, FullRange = 0x7FFF;

	static string FormatInterval(int typmod)
	{
		if (typmod < 0)
			return "interval";

		var fields = (typmod >> 16) & 0x7FFF;
		var text = fields switch
		{
			Year                        => " year",
			Month                       => " month",
			Day                         => " day",
			Hour                        => " hour",
			Minute                      => " minute",
			Second                      => " second",
			Year | Month                => " year to month",
			Day | Hour                  => " day to hour",
			Day | Hour | Minute         => " day to minute",
			Day | Hour | Minute | Second => " day to second",
			Hour | Minute               => " hour to minute",
			Hour | Minute | Second      => " hour to second",
			Minute | Second             => " minute to second",
			FullRange                   => "",
			_                           => "",
		};

		var precision = typmod & 0xFFFF;
		return "interval" + text + (precision == 0xFFFF ? "" : Invariant($"({precision})"));
	}

	static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

	/// <summary>Quotes an identifier the way PostgreSQL's <c>quote_ident</c> does (for the names it prints itself).</summary>
	public static string QuoteIfNeeded(string identifier)
	{
		var plain = identifier.Length > 0
			&& (char.IsAsciiLetterLower(identifier[0]) || identifier[0] == '_')
			&& identifier.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

		return plain ? identifier : "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
	}
}
