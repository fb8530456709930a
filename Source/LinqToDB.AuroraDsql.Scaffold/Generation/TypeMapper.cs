using LinqToDB.AuroraDsql.Scaffold.Model;

namespace LinqToDB.AuroraDsql.Scaffold.Generation;

/// <summary>
/// Chooses the C# type of a column: the provider's type, changed by the type options (<c>DateOnly</c>, <c>TimeOnly</c>,
/// <c>DateTimeOffset</c>, <c>JsonDocument</c>), then by the SQL-type overrides, then by the column's own override.
/// </summary>
sealed class TypeMapper(GenerationOptions options)
{
	/// <summary>The property's type as written (with <c>?</c> where nullable), whether it is a reference type, and its DataType.</summary>
	public (string TypeName, bool IsReferenceType, DataType DataType) Map(ColumnInfo column, ColumnOverride? columnOverride)
	{
		ArgumentNullException.ThrowIfNull(column);

		var (name, isValueType) = Option(column) ?? (CSharpTypeName(column.ProviderType), column.ProviderType.IsValueType);

		if (FindSqlTypeOverride(column.DbType) is { } sqlType)
			(name, isValueType) = (sqlType.TypeName, sqlType.IsValueType);

		if (columnOverride?.Type is { } own)
			(name, isValueType) = (own.TypeName, own.IsValueType);

		if (column.IsNullable && (isValueType || options.NullableReferenceTypes))
			name += "?";

		return (name, !isValueType, column.DataType);
	}

	(string, bool)? Option(ColumnInfo column) => column.DataType switch
	{
		DataType.Date when column.ProviderType == typeof(DateTime) && options.DateType == DateMapping.DateOnly => ("DateOnly", true),
		DataType.Time when column.ProviderType == typeof(TimeSpan) && options.TimeType == TimeMapping.TimeOnly => ("TimeOnly", true),
		DataType.DateTimeOffset when column.ProviderType == typeof(DateTimeOffset) && options.TimestampTzType == TimestampTzMapping.DateTime => ("DateTime", true),
		DataType.Json or DataType.BinaryJson when column.ProviderType == typeof(string) && options.JsonType == JsonMapping.JsonDocument => ("JsonDocument", false),
		_ => null,
	};

	// exact SQL type first (numeric(12,4)), then its name without the modifiers (numeric)
	TypeOverride? FindSqlTypeOverride(string dbType)
	{
		if (options.TypeOverrides.Count == 0)
			return null;

		if (options.TypeOverrides.TryGetValue(dbType, out var exact))
			return exact;

		var open = dbType.IndexOf('(', StringComparison.Ordinal);
		if (open > 0)
		{
			var close    = dbType.IndexOf(')', open);
			var baseName = (dbType[..open] + (close > 0 ? dbType[(close + 1)..] : "")).Trim();
			if (options.TypeOverrides.TryGetValue(baseName, out var byName))
				return byName;
		}

		return null;
	}

	/// <summary>The C# name of a .NET type: keywords for the built-in ones, the simple name otherwise.</summary>
	public static string CSharpTypeName(Type type)
	{
		ArgumentNullException.ThrowIfNull(type);

		if (type.IsArray)
			return CSharpTypeName(type.GetElementType()!) + "[]";

		return Type.GetTypeCode(type) switch
		{
			TypeCode.Boolean => "bool",
			TypeCode.Byte    => "byte",
			TypeCode.SByte   => "sbyte",
			TypeCode.Int16   => "short",
			TypeCode.UInt16  => "ushort",
			TypeCode.Int32   => "int",
			TypeCode.UInt32  => "uint",
			TypeCode.Int64   => "long",
			TypeCode.UInt64  => "ulong",
			TypeCode.Single  => "float",
			TypeCode.Double  => "double",
			TypeCode.Decimal => "decimal",
			TypeCode.Char    => "char",
			TypeCode.String  => "string",
			_ when type == typeof(object) => "object",
			_ => type.Name,
		};
	}

	static readonly HashSet<string> _valueTypeNames = new(StringComparer.Ordinal)
	{
		"bool", "byte", "sbyte", "short", "ushort", "int", "uint", "long", "ulong", "float", "double", "decimal", "char",
		"Boolean", "Byte", "SByte", "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64", "Single", "Double", "Decimal", "Char",
		"DateTime", "DateTimeOffset", "DateOnly", "TimeOnly", "TimeSpan", "Guid", "BigInteger", "Half",
	};

	/// <summary>Whether a type name given in an override is a value type the tool knows (for types it does not know, the options say).</summary>
	public static bool IsKnownValueType(string typeName)
	{
		ArgumentNullException.ThrowIfNull(typeName);
		var name = typeName.StartsWith("System.", StringComparison.Ordinal) ? typeName["System.".Length..] : typeName;
		return _valueTypeNames.Contains(name);
	}
}
