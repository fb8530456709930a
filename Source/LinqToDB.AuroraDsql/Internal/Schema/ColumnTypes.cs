using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.SqlQuery;
using LinqToDB.Mapping;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

/// <summary>Facts about mapped columns that DSQL's DDL rules depend on.</summary>
static class ColumnTypes
{
	public static bool IsGuid(SqlField field)
	{
		var type = field.Type.SystemType;
		type = Nullable.GetUnderlyingType(type) ?? type;

		return type == typeof(Guid) || field.Type.DataType == DataType.Guid
			|| string.Equals(field.Type.DbType, "uuid", StringComparison.OrdinalIgnoreCase);
	}

	public static bool IsIntegral(SqlField field) => field.Type.DataType switch
	{
		DataType.Byte or DataType.SByte or DataType.Int16 or DataType.UInt16 or DataType.Int32 or DataType.UInt32 or DataType.Int64 => true,
		_ => false,
	};

	public static AuroraDsqlIdentityAttribute? GetIdentityAttribute(SqlField field, MappingSchema mappingSchema)
	{
		var column = field.ColumnDescriptor;
		if (column is null)
			return null;

		return mappingSchema.GetAttribute<AuroraDsqlIdentityAttribute>(column.EntityDescriptor.ObjectType, column.MemberInfo);
	}
	/// <summary>
	/// The type, when it is one DSQL cannot use as an index key (primary keys included): json, jsonb, bytea, interval,
	/// timetz; otherwise <see langword="null"/>.
	/// </summary>
	public static string? UnindexableKeyType(DbDataType type)
	{
		switch (type.DataType)
		{
			case DataType.Json:       return "json";
			case DataType.BinaryJson: return "jsonb";
			case DataType.Binary or DataType.VarBinary or DataType.Image or DataType.Blob: return "bytea";
			case DataType.Interval:   return "interval";
		}

		if (type.DbType?.Trim().ToLowerInvariant() is { } dbType)
			return dbType is "json" or "jsonb" or "bytea" or "interval" or "timetz" or "time with time zone" ? dbType : null;

		var systemType = Nullable.GetUnderlyingType(type.SystemType) ?? type.SystemType;

		return type.DataType != DataType.Undefined ? null
			: systemType == typeof(byte[])   ? "bytea"
			: systemType == typeof(TimeSpan) ? "interval"
			: null;
	}
}
