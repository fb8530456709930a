using System.Globalization;
using System.Text;

using LinqToDB.DataProvider;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Commands;
using LinqToDB.Internal.DataProvider.AuroraDsql.Merge;
using LinqToDB.Internal.DataProvider.AuroraDsql.Schema;
using LinqToDB.Internal.DataProvider.PostgreSQL;
using LinqToDB.Internal.SqlProvider;
using LinqToDB.Internal.SqlQuery;
using LinqToDB.Mapping;
using LinqToDB.SqlQuery;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>
/// PostgreSQL SQL builder with Aurora DSQL's DDL: identity with an explicit CACHE (never SERIAL), generated UUID keys,
/// explicit decimal precision, no TEMP tables, no TRUNCATE, and Merge() as INSERT … ON CONFLICT.
/// </summary>
sealed class AuroraDsqlSqlBuilder : PostgreSQLSqlBuilder
{
	public AuroraDsqlSqlBuilder(IDataProvider? provider, MappingSchema mappingSchema, DataOptions dataOptions, ISqlOptimizer sqlOptimizer, SqlProviderFlags sqlProviderFlags)
		: base(provider, mappingSchema, dataOptions, sqlOptimizer, sqlProviderFlags)
	{
	}

	AuroraDsqlSqlBuilder(BasicSqlBuilder parentBuilder) : base(parentBuilder)
	{
		_parent = parentBuilder as AuroraDsqlSqlBuilder;
	}

	readonly AuroraDsqlSqlBuilder? _parent;

	protected override ISqlBuilder CreateSqlBuilder() => new AuroraDsqlSqlBuilder(this);

	// DSQL is PostgreSQL 16 based: AS [NOT] MATERIALIZED is understood.
	protected override bool SupportsMaterializedCteHint => true;

	AuroraDsqlOptions DsqlOptions => DataOptions.FindOrDefault(AuroraDsqlOptions.Default);

	#region MERGE

	/// <summary>
	/// DSQL has no MERGE: the upsert shapes are built as <c>INSERT … SELECT … ON CONFLICT</c>, an update-only merge as
	/// <c>UPDATE … FROM</c> (see <see cref="UpsertPlan"/>, which refuses everything else). The source is a subquery (over a
	/// <c>VALUES</c> list for a collection); a collection of more than <see cref="AuroraDsqlOptions.MaxRowsPerTransaction"/>
	/// rows is refused, since one statement is one transaction.
	/// </summary>
	protected override void BuildMergeStatement(SqlMergeStatement merge)
	{
		var plan = UpsertPlan.From(merge, MappingSchema);

		Root._valuesRows = 0;

		BuildTag(merge);
		BuildWithClause(merge.With);

		if (plan.Insert != null)
			BuildMergeAsInsert(merge, plan);
		else
			BuildMergeAsUpdate(merge, plan.Update!);

		if (Root._valuesRows > DsqlOptions.MaxRowsPerTransaction)
			throw new AuroraDsqlNotSupportedException(
				$"This Merge() has {Root._valuesRows:N0} source rows, and one statement is one Aurora DSQL transaction, which may modify at most {DsqlOptions.MaxRowsPerTransaction:N0} rows " +
				"(SQLSTATE 54000). Nothing was sent. Merge the rows in chunks of at most that many (each Merge() commits on its own), " +
				"or load them with BulkCopy into a staging table and copy them on with InsertInBatches.");
	}

	/// <summary>The builder of the whole statement (subqueries are built by child builders).</summary>
	AuroraDsqlSqlBuilder Root => _parent?.Root ?? this;

	/// <summary>The most rows of a VALUES list built for the current statement.</summary>
	int _valuesRows;

	// Called for each value of a VALUES list with all its rows: the one place the rows of a collection source are seen.
	protected override bool IsSqlValuesTableValueTypeRequired(SqlValuesTable source, IReadOnlyList<List<ISqlExpression>> rows, int row, int column)
	{
		if (rows.Count > Root._valuesRows)
			Root._valuesRows = rows.Count;

		return base.IsSqlValuesTableValueTypeRequired(source, rows, row, column);
	}

	void BuildMergeAsInsert(SqlMergeStatement merge, UpsertPlan plan)
	{
		var insert = plan.Insert!;

		AppendIndent().Append("INSERT INTO ");
		BuildPhysicalTable(merge.Target.Source, null);
		StringBuilder.Append(" AS ");
		Convert(StringBuilder, GetTableAlias(merge.Target)!, ConvertType.NameToQueryTableAlias);
		StringBuilder.AppendLine();

		AppendIndent().AppendLine(OpenParens);
		Indent++;
		AppendList(insert.Items, item => BuildExpression(item.Column, false, true));
		Indent--;
		StringBuilder.AppendLine();
		AppendIndent().AppendLine(")");

		AppendIndent().AppendLine("SELECT");
		Indent++;
		AppendList(insert.Items, item => BuildExpression(item.Expression!, true, true));
		Indent--;
		StringBuilder.AppendLine();

		BuildMergeSourceAsFrom(merge);

		if (insert.Where != null)
		{
			AppendIndent().AppendLine("WHERE");
			Indent++;
			AppendIndent();
			BuildSearchCondition(Precedence.Unknown, insert.Where, wrapCondition: true);
			Indent--;
			StringBuilder.AppendLine();
		}

		AppendIndent().Append("ON CONFLICT (");
		for (var i = 0; i < plan.ConflictColumns.Count; i++)
		{
			if (i > 0)
				StringBuilder.Append(InlineComma);
			BuildExpression(plan.ConflictColumns[i], false, true);
		}

		if (plan.Update is not { } update)
		{
			StringBuilder.AppendLine(") DO NOTHING");
			return;
		}

		StringBuilder.AppendLine(") DO UPDATE SET");

		// The update sees the source row as EXCLUDED, the row proposed for insertion.
		var excluded = plan.SourceValues.ToDictionary(
			pair => (IQueryElement)pair.Key,
			pair => (IQueryElement)new SqlExpression(pair.Key.Type, "EXCLUDED." + ConvertInline(pair.Value.PhysicalName, ConvertType.NameToQueryField).Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal), Precedence.Primary));

		Indent++;
		AppendList(update.Items, item =>
		{
			BuildExpression(item.Column, false, true);
			StringBuilder.Append(" = ");
			BuildExpression(item.Expression!.Replace(excluded), true, true);
		});
		Indent--;
		StringBuilder.AppendLine();

		if (update.Where != null)
		{
			AppendIndent().AppendLine("WHERE");
			Indent++;
			AppendIndent();
			BuildSearchCondition(Precedence.Unknown, update.Where.Replace(excluded), wrapCondition: true);
			Indent--;
			StringBuilder.AppendLine();
		}
	}

	void BuildMergeAsUpdate(SqlMergeStatement merge, SqlMergeOperationClause update)
	{
		AppendIndent().Append("UPDATE ");
		BuildPhysicalTable(merge.Target.Source, null);
		StringBuilder.Append(" AS ");
		Convert(StringBuilder, GetTableAlias(merge.Target)!, ConvertType.NameToQueryTableAlias);
		StringBuilder.AppendLine();

		AppendIndent().AppendLine("SET");
		Indent++;
		AppendList(update.Items, item =>
		{
			BuildExpression(item.Column, false, true);
			StringBuilder.Append(" = ");
			BuildExpression(item.Expression!, true, true);
		});
		Indent--;
		StringBuilder.AppendLine();

		BuildMergeSourceAsFrom(merge);

		AppendIndent().AppendLine("WHERE");
		Indent++;
		AppendIndent();
		BuildSearchCondition(Precedence.Unknown, merge.On, wrapCondition: true);

		if (update.Where != null)
		{
			StringBuilder.Append(" AND ");
			BuildSearchCondition(Precedence.LogicalConjunction, update.Where, wrapCondition: true);
		}

		Indent--;
		StringBuilder.AppendLine();
	}

	/// <summary><c>FROM (SELECT …) "Source" (fields)</c>; a collection is a VALUES list inside the subquery.</summary>
	void BuildMergeSourceAsFrom(SqlMergeStatement merge)
	{
		AppendIndent().AppendLine("FROM");
		Indent++;
		AppendIndent();
		BuildMergeSourceQuery(NullabilityContext, merge.Source);
		Indent--;
		StringBuilder.AppendLine();
	}

	void AppendList(List<SqlSetExpression> items, Action<SqlSetExpression> build)
	{
		for (var i = 0; i < items.Count; i++)
		{
			if (i > 0)
				StringBuilder.AppendLine(Comma);
			AppendIndent();
			build(items[i]);
		}
	}

	#endregion

	#region CREATE TABLE

	protected override void BuildCreateTableStatement(SqlCreateTableStatement createTable)
	{
		CreateTableValidator.Validate(createTable.Table, MappingSchema, DsqlOptions);
		base.BuildCreateTableStatement(createTable);
	}

	/// <summary>
	/// A temporary table is created as a regular table (DSQL has none) whose name the command interceptor makes unique
	/// (<see cref="TemporaryTables"/>). Rows that vanish at COMMIT and global temporary tables cannot be imitated.
	/// </summary>
	protected override void BuildCreateTableCommand(SqlTable table)
	{
		var options = table.TableOptions;

		if (options.HasIsTransactionTemporaryData() || options.HasIsGlobalTemporaryStructure() || options.HasIsGlobalTemporaryData())
			throw new AuroraDsqlNotSupportedException(
				$"Aurora DSQL has no temporary tables, and table '{table.TableName.Name}' asks for {options & TableOptions.IsTemporaryOptionSet}: the provider creates temporary tables as " +
				"regular tables with a unique name, which cannot empty themselves at COMMIT or share their structure between sessions. Nothing was sent. " +
				"Use TableOptions.IsTemporary (the default of CreateTempTable), and delete the rows yourself when they are no longer needed.");

		StringBuilder.Append("CREATE TABLE ");

		if (options.HasCreateIfNotExists())
			StringBuilder.Append("IF NOT EXISTS ");
	}

	/// <summary>
	/// A temporary table's primary key goes unnamed (PostgreSQL names it after the table, which is unique): linq2db's
	/// <c>PK_&lt;name&gt;</c> would collide between the tables several connections create for one temporary table name.
	/// </summary>
	protected override void BuildCreateTablePrimaryKey(SqlCreateTableStatement createTable, string pkName, IEnumerable<string> fieldNames)
	{
		if (!createTable.Table.TableOptions.IsTemporaryOptionSet())
		{
			base.BuildCreateTablePrimaryKey(createTable, pkName, fieldNames);
			return;
		}

		AppendIndent().Append("PRIMARY KEY (").Append(string.Join(InlineComma, fieldNames)).Append(')');
	}

	/// <summary>A temporary table's name is a placeholder that the command interceptor replaces with the connection's unique table.</summary>
	public override StringBuilder BuildObjectName(StringBuilder sb, SqlObjectName name, ConvertType objectType = ConvertType.NameToQueryTable, bool escape = true, TableOptions tableOptions = TableOptions.NotSet, bool withoutSuffix = false)
	{
		if (objectType == ConvertType.NameToQueryTable && escape && tableOptions.IsTemporaryOptionSet())
			name = name with { Name = TemporaryTables.Placeholder + name.Name };

		return base.BuildObjectName(sb, name, objectType, escape, tableOptions, withoutSuffix);
	}

	/// <summary>Appends the declared FOREIGN KEY and CHECK constraints inside the column list.</summary>
	protected override void BuildEndCreateTableStatement(SqlCreateTableStatement createTable)
	{
		var type = createTable.Table.ObjectType;
		var constraints = new List<string>();

		if (DsqlOptions.EmitForeignKeys)
			foreach (var foreignKey in MappingSchema.GetAttributes<AuroraDsqlForeignKeyAttribute>(type))
				constraints.Add(ConstraintSql.ForeignKey(this, MappingSchema, type, foreignKey));

		foreach (var check in MappingSchema.GetAttributes<AuroraDsqlCheckAttribute>(type))
			constraints.Add(ConstraintSql.Check(ConvertInline(check.Name, ConvertType.NameToQueryTable), check.Condition));

		if (constraints.Count > 0)
		{
			// The column list ends with "\n)\n": add the constraints before its closing parenthesis.
			var close = StringBuilder.ToString().LastIndexOf("\n)", StringComparison.Ordinal);
			if (close < 0)
				throw new InvalidOperationException("Cannot place the declared constraints: the CREATE TABLE statement has no column list (CreateTableOptions header/footer?). Add them with AddForeignKey/AddCheckConstraint instead.");

			StringBuilder.Insert(close, string.Concat(constraints.Select(c => ",\n\t" + c)));
		}

		// PostgreSQL's builder would add ON COMMIT to a temporary table, which here is a regular one.
		if (createTable.Table.TableOptions.IsTemporaryOptionSet())
		{
			if (createTable.StatementFooter != null)
				AppendIndent().Append(createTable.StatementFooter);
		}
		else
		{
			base.BuildEndCreateTableStatement(createTable);
		}
	}

	protected override void BuildCreateTableFieldType(SqlField field)
	{
		if (field.IsIdentity)
		{
			// DSQL identities are bigint only; UUID keys are generated by a default.
			StringBuilder.Append(ColumnTypes.IsGuid(field) ? "uuid" : "bigint");
			return;
		}

		base.BuildCreateTableFieldType(field);
	}

	protected override void BuildDataTypeFromDataType(DbDataType type, bool forCreateTable, bool canBeNull)
	{
		if (forCreateTable)
		{
			switch (type.DataType)
			{
				case DataType.Decimal:
					// A bare numeric becomes numeric(18,6) on DSQL and silently rounds: always be explicit.
					var precision = type.Precision ?? DsqlOptions.DefaultDecimalPrecision;
					var scale     = type.Scale ?? (type.Precision is null ? DsqlOptions.DefaultDecimalScale : 0);

					if (scale > precision)
						throw new AuroraDsqlNotSupportedException(
							$"A decimal column would be numeric({precision}, {scale}): the scale cannot exceed the precision. Set Precision (and Scale) on the column, or adjust DefaultDecimalPrecision/DefaultDecimalScale.");

					StringBuilder.Append(CultureInfo.InvariantCulture, $"numeric({precision}, {scale})");
					return;
				case DataType.SmallMoney:
					StringBuilder.Append("numeric(10, 4)");
					return;
				case DataType.UInt64:
				case DataType.VarNumeric when type.Precision is null:
					StringBuilder.Append("numeric(20, 0)");
					return;
			}
		}

		base.BuildDataTypeFromDataType(type, forCreateTable, canBeNull);
	}

	protected override void BuildCreateTableIdentityAttribute1(SqlField field)
	{
		var identity = ColumnTypes.GetIdentityAttribute(field, MappingSchema);

		if (ColumnTypes.IsGuid(field))
		{
			if (identity?.GeneratedAlways == true)
				throw new AuroraDsqlNotSupportedException(
					$"Column '{field.PhysicalName}' is a UUID key filled by DEFAULT gen_random_uuid(); a default cannot be GENERATED ALWAYS, so inserts could still set it. " +
					"Remove GeneratedAlways, or use a long identity column (bigint GENERATED ALWAYS AS IDENTITY).");

			StringBuilder.Append("DEFAULT gen_random_uuid()");
			return;
		}

		var cache    = identity?.Cache is > 0 ? identity.Cache : DsqlOptions.IdentityCache;

		StringBuilder
			.Append(identity?.GeneratedAlways == true ? "GENERATED ALWAYS AS IDENTITY (CACHE " : "GENERATED BY DEFAULT AS IDENTITY (CACHE ")
			.Append(cache.ToString(CultureInfo.InvariantCulture))
			.Append(')');
	}

	protected override void BuildCreateTableNullAttribute(SqlField field, DefaultNullable defaultNullable)
	{
		// A UUID key filled by the database without being marked [Identity] (SkipOnInsert) still needs its default.
		if (!field.IsIdentity && field.IsPrimaryKey && !field.IsInsertable && ColumnTypes.IsGuid(field))
			StringBuilder.Append("DEFAULT gen_random_uuid() ");

		base.BuildCreateTableNullAttribute(field, defaultNullable);
	}

	#endregion

	#region TRUNCATE

	/// <summary>
	/// DSQL refuses TRUNCATE and limits a transaction to 3,000 modified rows. The statement built here is a plain
	/// <c>DELETE FROM table</c> behind a marker; <see cref="AuroraDsqlCommandInterceptor"/> recognizes the marker and
	/// deletes in committed batches (outside a transaction) or checks the table size first (inside one). Identity values
	/// are not reset.
	/// </summary>
	protected override void BuildTruncateTableStatement(SqlTruncateTableStatement truncateTable)
	{
		var table     = truncateTable.Table!;
		var tableName = BuildObjectName(new(), table.TableName, ConvertType.NameToQueryTable, true, table.TableOptions).ToString();
		var keys      = table.Fields.Where(f => f.IsPrimaryKey).OrderBy(f => f.PrimaryKeyOrder).Select(f => ConvertInline(f.PhysicalName, ConvertType.NameToQueryField)).ToList();

		StringBuilder.AppendLine(TruncateMarker.Format(DsqlOptions.MaxRowsPerTransaction, tableName, keys));
		BuildTag(truncateTable);
		AppendIndent().Append("DELETE FROM ").Append(tableName).AppendLine();
	}

	#endregion
}
