using System.Net;
using System.Net.NetworkInformation;

using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.SqlQuery;
using LinqToDB.Mapping;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

/// <summary>
/// Refuses, before anything is sent, table definitions Aurora DSQL cannot create: column types it cannot store,
/// identity columns it cannot generate, too many columns or key columns.
/// </summary>
static class CreateTableValidator
{
	public const int MaxColumns           = 255;
	public const int MaxPrimaryKeyColumns = 8;

	public static void Validate(SqlTable table, MappingSchema mappingSchema, AuroraDsqlOptions options)
	{
		var tableName = table.TableName.Name;

		if (table.Fields.Count > MaxColumns)
			throw new AuroraDsqlNotSupportedException(
				$"Table '{tableName}' has {table.Fields.Count} columns; Aurora DSQL tables can have at most {MaxColumns}. Split it into tables that share the primary key.");

		var keyColumns = table.Fields.Count(f => f.IsPrimaryKey);
		if (keyColumns > MaxPrimaryKeyColumns)
			throw new AuroraDsqlNotSupportedException(
				$"Table '{tableName}' has a primary key of {keyColumns} columns; Aurora DSQL allows at most {MaxPrimaryKeyColumns}. Use a surrogate key (a UUID or bigint identity) and a unique index on the natural key.");

		foreach (var field in table.Fields)
		{
			if (field.IsIdentity)
				ValidateIdentity(tableName, field, mappingSchema, options);

			ValidateType(tableName, field);

			if (field.IsPrimaryKey && ColumnTypes.UnindexableKeyType(field.Type) is { } keyType)
				throw new AuroraDsqlNotSupportedException(
					$"Table '{tableName}': primary key column '{field.PhysicalName}' is {keyType}, which Aurora DSQL cannot use as an index key. " +
					"Use a uuid, integer or text key (for binary data, a hash of it).");
		}
	}


	static void ValidateIdentity(string tableName, SqlField field, MappingSchema mappingSchema, AuroraDsqlOptions options)
	{
		var dbType = field.Type.DbType;

		if (ColumnTypes.IsGuid(field))
			return;

		if (!ColumnTypes.IsIntegral(field))
			throw new AuroraDsqlNotSupportedException(
				$"Column '{tableName}.{field.PhysicalName}' is an identity of type {field.Type.SystemType.Name}; Aurora DSQL identity columns are bigint. " +
				"Map it to long, or use a Guid key with [Identity] to get uuid DEFAULT gen_random_uuid().");

		if (!string.IsNullOrEmpty(dbType) && !IsBigInt(dbType))
			throw new AuroraDsqlNotSupportedException(
				$"Column '{tableName}.{field.PhysicalName}' is an identity with DbType '{dbType}'; Aurora DSQL identity columns must be bigint. Set DbType = \"bigint\" or remove it.");

		var identity = ColumnTypes.GetIdentityAttribute(field, mappingSchema);
		var cache    = identity?.Cache is > 0 ? identity.Cache : options.IdentityCache;

		// With a cache of 65536 every session reserves a block of 65536 values: a 16-bit property overflows at once.
		if (cache > 1 && field.Type.DataType is DataType.Int16 or DataType.UInt16 or DataType.Byte or DataType.SByte)
			throw new AuroraDsqlNotSupportedException(
				$"Column '{tableName}.{field.PhysicalName}' is a {field.Type.SystemType.Name} identity with CACHE {cache}: each session reserves {cache:N0} values at once, " +
				"so the values overflow the property's type. Map it to long, or declare [AuroraDsqlIdentity(Cache = 1)] for ordered, small values.");
	}

	static bool IsBigInt(string dbType) =>
		dbType.Trim().ToLowerInvariant() is "bigint" or "int8";

	static void ValidateType(string tableName, SqlField field)
	{
		var reason = UnsupportedTypeReason(field);
		if (reason != null)
			throw new AuroraDsqlNotSupportedException($"Column '{tableName}.{field.PhysicalName}': {reason}");
	}

	static string? UnsupportedTypeReason(SqlField field)
	{
		var type = field.Type;

		if (!string.IsNullOrEmpty(type.DbType))
			return UnsupportedDbTypeReason(type.DbType!);

		// A collection mapped to json/jsonb (with a converter) is stored as one document: that DSQL has.
		if (type.DataType is not (DataType.Json or DataType.BinaryJson) && ((type.DataType & DataType.Array) != 0 || IsCollection(type.SystemType)))
			return "Aurora DSQL has no array columns. Store the elements in a child table (one row per element) or in a json/jsonb column.";

		var systemType = Nullable.GetUnderlyingType(type.SystemType) ?? type.SystemType;

		return type.DataType switch
		{
			DataType.Money      => "Aurora DSQL has no money type. Use decimal with explicit precision, for example [Column(Precision = 19, Scale = 4)].",
			DataType.Xml        => "Aurora DSQL has no xml type. Store the document as text.",
			DataType.BitArray   => "Aurora DSQL has no bit/bit varying types. Use boolean columns, an integer bit mask, or bytea.",
			DataType.Dictionary => "Aurora DSQL has no hstore type. Use a jsonb column (DataType.BinaryJson).",
			DataType.Udt when systemType == typeof(IPAddress) || systemType == typeof(PhysicalAddress)
			                    => "Aurora DSQL has no inet/cidr/macaddr types. Store the address as text (or bytea).",
			DataType.Udt        => $"Aurora DSQL cannot store {systemType.Name} (no geometric, network, range or user-defined types). Store it as text, json/jsonb or separate columns.",
			_                   => null,
		};
	}

	static bool IsCollection(Type type) =>
		type != typeof(byte[]) && type != typeof(string) && (type.IsArray || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>)));

	/// <summary>Why an explicit column type (DbType) cannot be created on DSQL, or <see langword="null"/>.</summary>
	internal static string? UnsupportedDbTypeReason(string dbType)
	{
		var name = dbType.Trim().ToLowerInvariant();

		if (name.EndsWith(']') || name.Contains(" array", StringComparison.Ordinal) || name.StartsWith('_'))
			return $"'{dbType}' is an array type; Aurora DSQL has no array columns. Store the elements in a child table or in a json/jsonb column.";

		var baseName = name.Split('(')[0].Trim();

		return baseName switch
		{
			"serial" or "serial4" or "bigserial" or "serial8" or "smallserial" or "serial2"
				=> $"type '{dbType}' does not exist on Aurora DSQL. Use a long property with [Identity] (bigint GENERATED BY DEFAULT AS IDENTITY (CACHE …)) or a Guid key.",
			"money"
				=> "Aurora DSQL has no money type. Use numeric(19, 4).",
			"xml"
				=> "Aurora DSQL has no xml type. Use text.",
			"inet" or "cidr" or "macaddr" or "macaddr8"
				=> $"Aurora DSQL has no {baseName} type. Store the address as text.",
			"point" or "line" or "lseg" or "box" or "path" or "polygon" or "circle"
				=> $"Aurora DSQL has no geometric types ({baseName}). Store coordinates in numeric/double precision columns or json.",
			"bit" or "varbit" or "bit varying"
				=> $"Aurora DSQL has no {baseName} type. Use boolean, an integer bit mask, or bytea.",
			"tsvector" or "tsquery"
				=> $"Aurora DSQL has no full-text search types ({baseName}).",
			"hstore"
				=> "Aurora DSQL has no hstore type. Use jsonb.",
			"citext"
				=> "Aurora DSQL has no extensions, so no citext. Use text and compare with lower(...).",
			"int4range" or "int8range" or "numrange" or "tsrange" or "tstzrange" or "daterange"
				or "int4multirange" or "int8multirange" or "nummultirange" or "tsmultirange" or "tstzmultirange" or "datemultirange"
				=> $"Aurora DSQL has no range types ({baseName}). Store the bounds in two columns.",
			"numeric" or "decimal" when !name.Contains('(', StringComparison.Ordinal)
				=> $"DbType '{dbType}' has no precision, and a bare numeric becomes numeric(18,6) on Aurora DSQL, silently rounding. " +
				   "Write numeric(precision, scale), or drop DbType and set Precision and Scale on the column.",
			_ => null,
		};
	}
}
