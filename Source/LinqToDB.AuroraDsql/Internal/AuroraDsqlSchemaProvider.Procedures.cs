using System.Globalization;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Schema;
using LinqToDB.Internal.SchemaProvider;
using LinqToDB.SchemaProvider;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

// Functions and procedures: metadata from pg_proc only. Nothing is executed (linq2db's default path calls table functions and
// procedures inside a transaction to learn their result sets).
partial class AuroraDsqlSchemaProvider
{
	sealed record ProcedureRow(
		string              Catalog,
		string              Schema,
		string              Name,
		string              Kind,
		bool                ReturnsSet,
		long                ReturnType,
		IReadOnlyList<long> ArgumentTypes,
		IReadOnlyList<long> AllArgumentTypes,
		IReadOnlyList<string?> Modes,
		IReadOnlyList<string?> Names,
		string?             Description);

	sealed record TypeRow(long Oid, string Schema, string Name, string? ElementSchema, string? ElementName, long RelationOid);

	// Returning null keeps linq2db from opening a transaction and executing anything; the metadata comes from
	// GetProviderSpecificProcedures instead.
	protected override List<ProcedureInfo>? GetProcedures(DataConnection dataConnection, GetSchemaOptions options) => null;

	protected override List<ProcedureSchema>? GetProviderSpecificProcedures(DataConnection dataConnection)
	{
		var rows = dataConnection.Query(
			rd => new ProcedureRow(
				Catalog:          rd.GetString(0),
				Schema:           rd.GetString(1),
				Name:             rd.GetString(2),
				Kind:             rd.GetString(3),
				ReturnsSet:       rd.GetBoolean(4),
				ReturnType:       rd.GetInt64(5),
				ArgumentTypes:    CatalogText.ParseVector(GetStringOrNull(rd, 6)),
				AllArgumentTypes: CatalogText.ParseIntegerArray(GetStringOrNull(rd, 7)),
				Modes:            CatalogText.ParseArray(GetStringOrNull(rd, 8)),
				Names:            CatalogText.ParseArray(GetStringOrNull(rd, 9)),
				Description:      GetStringOrNull(rd, 10)),
			$"""
			SELECT
				current_database(),
				ns.nspname,
				p.proname,
				p.prokind::text,
				p.proretset,
				p.prorettype::bigint,
				p.proargtypes::text,
				p.proallargtypes::text,
				p.proargmodes::text,
				p.proargnames::text,
				des.description
			FROM pg_catalog.pg_proc p
				JOIN pg_catalog.pg_namespace ns ON ns.oid = p.pronamespace
				LEFT JOIN pg_catalog.pg_description des ON des.objoid = p.oid AND des.objsubid = 0 AND des.classoid = {PgProcOid}
			WHERE {_schemaFilter}
			ORDER BY ns.nspname, p.proname, p.oid
			""",
			_filterParameters)
			.Where(r => IsSchemaSelected(r.Schema)
				&& (IncludedCatalogs.Count == 0 || IncludedCatalogs.Contains(r.Catalog))
				&& (ExcludedCatalogs.Count == 0 || !ExcludedCatalogs.Contains(r.Catalog)))
			.ToList();

		if (rows.Count == 0)
			return [];

		var types = LoadTypes(dataConnection, rows.SelectMany(r => r.AllArgumentTypes.Concat(r.ArgumentTypes).Append(r.ReturnType)).Distinct());

		// functions returning SETOF a table's row type: their result columns are that table's
		if (rows.Exists(r => r.ReturnsSet && types.TryGetValue(r.ReturnType, out var t) && t.RelationOid != 0))
			LoadColumns(dataConnection);

		return rows.Select(r => ToProcedure(r, types)).ToList();
	}

	static Dictionary<long, TypeRow> LoadTypes(DataConnection dataConnection, IEnumerable<long> oids)
	{
		var list = string.Join(", ", oids.Order().Select(o => o.ToString(CultureInfo.InvariantCulture)));

		return dataConnection.Query(
			rd => new TypeRow(rd.GetInt64(0), rd.GetString(1), rd.GetString(2), GetStringOrNull(rd, 3), GetStringOrNull(rd, 4), rd.GetInt64(5)),
			$"""
			SELECT t.oid::bigint, tns.nspname, t.typname, ens.nspname, e.typname, t.typrelid::bigint
			FROM pg_catalog.pg_type t
				JOIN pg_catalog.pg_namespace tns ON tns.oid = t.typnamespace
				LEFT JOIN pg_catalog.pg_type e ON t.typcategory = 'A' AND e.oid = t.typelem
				LEFT JOIN pg_catalog.pg_namespace ens ON ens.oid = e.typnamespace
			WHERE t.oid IN ({list})
			""")
			.ToDictionary(t => t.Oid);
	}

	ProcedureSchema ToProcedure(ProcedureRow row, Dictionary<long, TypeRow> types)
	{
		var parameters = new List<ParameterSchema>();
		var outColumns = new List<(string Name, TypeRow? Type)>();
		var argTypes   = row.AllArgumentTypes.Count > 0 ? row.AllArgumentTypes : row.ArgumentTypes;
		var n          = 0;

		for (var i = 0; i < argTypes.Count; i++)
		{
			var mode = i < row.Modes.Count ? row.Modes[i] ?? "i" : "i";
			var name = i < row.Names.Count && !string.IsNullOrEmpty(row.Names[i]) ? row.Names[i] : null;
			var type = types.GetValueOrDefault(argTypes[i]);

			if (mode == "t")
			{
				// RETURNS TABLE (…) column
				outColumns.Add((name ?? "column" + (outColumns.Count + 1).ToString(CultureInfo.InvariantCulture), type));
				continue;
			}

			if (mode is "o" or "b")
				outColumns.Add((name ?? "column" + (outColumns.Count + 1).ToString(CultureInfo.InvariantCulture), type));

			parameters.Add(ToParameter(name ?? "par" + (++n).ToString(CultureInfo.InvariantCulture), name, type, isIn: mode is "i" or "b" or "v", isOut: mode is "o" or "b", isResult: false));
		}

		var returnType = types.GetValueOrDefault(row.ReturnType);
		var returnName = returnType is null ? null : SchemaTypes.GetBaseName(returnType.Schema, returnType.Name, returnType.ElementSchema, returnType.ElementName);
		var isRecord   = returnName is "record";
		var isVoid     = returnName is "void";

		if (row.Kind != "p" && !row.ReturnsSet && !isVoid && !isRecord && outColumns.Count == 0)
			parameters.Add(ToParameter("@return", null, returnType, isIn: false, isOut: false, isResult: true));

		var procedure = new ProcedureSchema
		{
			CatalogName         = row.Catalog,
			SchemaName          = row.Schema,
			ProcedureName       = row.Name,
			MemberName          = ToValidName(row.Name),
			IsFunction          = row.Kind != "p",
			IsTableFunction     = row.ReturnsSet,
			IsAggregateFunction = row.Kind == "a",
			IsDefaultSchema     = string.Equals(row.Schema, _defaultSchema, StringComparison.Ordinal),
			IsResultDynamic     = isRecord && outColumns.Count == 0,
			Description         = row.Description,
			Parameters          = parameters,
		};

		if (row.ReturnsSet)
		{
			var columns = outColumns.Count > 0
				? outColumns.Select((c, i) => ToResultColumn(c.Name, c.Type, i + 1)).ToList()
				: returnType != null && returnType.RelationOid != 0 && _columnsByTable.TryGetValue(returnType.RelationOid, out var tableColumns)
					? tableColumns.Select(c => ToResultColumn(c)).ToList()
					: returnType != null && !isRecord
						? [ToResultColumn(row.Name, returnType, 1)]
						: [];

			if (columns.Count > 0)
			{
				var table = new AuroraDsqlTableSchema
				{
					IsProcedureResult = true,
					TypeName          = ToValidName(row.Name + "Result"),
					ForeignKeys       = [],
					Columns           = columns.Cast<ColumnSchema>().ToList(),
				};

				foreach (var column in columns)
					column.Table = table;

				procedure.ResultTable = table;
				procedure.IsLoaded    = true;
			}
		}

		return procedure;
	}

	ParameterSchema ToParameter(string memberName, string? name, TypeRow? type, bool isIn, bool isOut, bool isResult)
	{
		var baseName   = type is null ? null : SchemaTypes.GetBaseName(type.Schema, type.Name, type.ElementSchema, type.ElementName);
		var systemType = GetSystemType(baseName, null, null, null, null, null, _options);

		return new ParameterSchema
		{
			SchemaName    = name,
			SchemaType    = baseName,
			IsIn          = isIn,
			IsOut         = isOut,
			IsResult      = isResult,
			IsNullable    = true,
			ParameterName = ToValidName(memberName),
			ParameterType = ToTypeName(systemType, true),
			SystemType    = systemType,
			DataType      = GetDataType(baseName, null, null, null, null),
		};
	}

	AuroraDsqlColumnSchema ToResultColumn(string name, TypeRow? type, int ordinal)
	{
		var baseName   = type is null ? null : SchemaTypes.GetBaseName(type.Schema, type.Name, type.ElementSchema, type.ElementName);
		var systemType = GetSystemType(baseName, null, null, null, null, null, _options);

		return new AuroraDsqlColumnSchema
		{
			ColumnName = name,
			ColumnType = baseName,
			IsNullable = true,
			MemberName = ToValidName(name),
			MemberType = ToTypeName(systemType, true),
			SystemType = systemType,
			DataType   = GetDataType(baseName, null, null, null, null),
			Ordinal    = ordinal,
		};
	}

	AuroraDsqlColumnSchema ToResultColumn(ColumnRow column)
	{
		var systemType = GetSystemType(column.BaseTypeName, column.TypeName, null, column.Length, column.Precision, column.Scale, _options);

		return new AuroraDsqlColumnSchema
		{
			ColumnName = column.Name,
			ColumnType = column.TypeName,
			IsNullable = true,
			MemberName = ToValidName(column.Name),
			MemberType = ToTypeName(systemType, true),
			SystemType = systemType,
			DataType   = GetDataType(column.BaseTypeName, column.TypeName, column.Length, column.Precision, column.Scale),
			Length     = column.Length,
			Precision  = column.Precision,
			Scale      = column.Scale,
			Ordinal    = column.Ordinal,
		};
	}
}
