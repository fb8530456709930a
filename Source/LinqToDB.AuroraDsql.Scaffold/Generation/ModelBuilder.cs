using System.Reflection;

using LinqToDB.AuroraDsql.Scaffold.Naming;
using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.SchemaProvider;

namespace LinqToDB.AuroraDsql.Scaffold.Generation;

/// <summary>
/// Decides every C# name of the model from a schema read by the Aurora DSQL schema provider. The result depends only on the
/// schema and the options: tables are visited in a fixed order and every collision is resolved the same way each time.
/// </summary>
sealed class ModelBuilder(GenerationOptions options)
{
	// Type names the generated code uses unqualified: an entity class of one of these names would hide them.
	static readonly HashSet<string> _reservedTypeNames = new(StringComparer.OrdinalIgnoreCase)
	{
		"System", "LinqToDB", "DataType", "ITable", "IQueryable", "IEnumerable", "DataConnection", "DataOptions",
		"DateTime", "DateTimeOffset", "TimeSpan", "Guid", "Object", "String",
		"Table", "Column", "PrimaryKey", "Identity", "NotNull", "Association", "AuroraDsqlIdentity", "AuroraDsqlIndex",
		"TableAttribute", "ColumnAttribute", "PrimaryKeyAttribute", "IdentityAttribute", "NotNullAttribute", "AssociationAttribute",
		"AuroraDsqlIdentityAttribute", "AuroraDsqlIndexAttribute",
		// members every class inherits from object: nameof(Equals.Id) in an association would bind to the method
		"Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize", "ReferenceEquals",
	};

	/// <summary>Whether a class of this name would hide a type the generated code uses unqualified.</summary>
	public static bool IsReservedTypeName(string name) => _reservedTypeNames.Contains(name);

	// Members every entity inherits from object: a property of one of these names would hide it (CS0108/CS0114).
	static readonly HashSet<string> _objectMembers = new(StringComparer.Ordinal)
	{
		"Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize", "ReferenceEquals",
	};

	// Members the context inherits from DataConnection.
	static readonly HashSet<string> _dataConnectionMembers = typeof(DataConnection)
		.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.FlattenHierarchy)
		.Where(m => m switch
		{
			MethodBase method     => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly,
			FieldInfo field       => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
			PropertyInfo property => (property.GetMethod ?? property.SetMethod) is { } accessor && (accessor.IsPublic || accessor.IsFamily || accessor.IsFamilyOrAssembly),
			EventInfo e           => e.AddMethod is { } add && (add.IsPublic || add.IsFamily),
			_                     => true,
		})
		.Select(m => m.Name)
		.Concat(_objectMembers)
		.ToHashSet(StringComparer.Ordinal);

	readonly GenerationOptions _options = options;

	public DataModel Build(DatabaseSchema schema)
	{
		ArgumentNullException.ThrowIfNull(schema);

		var contextName = Names.ToIdentifier(_options.ContextName, ClassNaming.Preserve);
		var tables      = schema.Tables
			.OfType<AuroraDsqlTableSchema>()
			.Where(t => !t.IsProcedureResult)
			.OrderBy(t => SchemaRank(t.SchemaName ?? ""))
			.ThenBy(t => t.SchemaName, StringComparer.Ordinal)
			.ThenBy(t => t.TableName, StringComparer.Ordinal)
			.ToList();

		// class names, unique ignoring case (they are file names too): a name the generated code relies on gets "Entity"
		// appended, a name taken in another schema gets the schema's name in front, any other clash a number
		var classNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [contextName] = "" };
		var entities   = new List<EntityModel>();

		foreach (var table in tables)
		{
			var schemaName = table.SchemaName ?? "";
			var name       = ClassName(table.TableName!);

			if (_reservedTypeNames.Contains(name))
				name += _options.ClassNaming == ClassNaming.Pascal ? "Entity" : "_entity";

			if (classNames.TryGetValue(name, out var takenBy) && takenBy.Length > 0 && takenBy != schemaName)
			{
				var prefix = Names.ToIdentifier(schemaName, _options.ClassNaming);
				name = _options.ClassNaming == ClassNaming.Pascal ? prefix + name : prefix + "_" + name;
			}

			name = Names.MakeUnique(name, n => classNames.ContainsKey(n) || _reservedTypeNames.Contains(n));
			classNames[name] = schemaName;

			var entity = new EntityModel { Table = table, ClassName = name, FileName = name + ".cs" };
			AddProperties(entity);
			entities.Add(entity);
		}

		var byTable = entities.ToDictionary(e => (TableSchema)e.Table, e => e, ReferenceEqualityComparer.Instance as IEqualityComparer<TableSchema>);

		AddAssociations(entities, byTable);

		if (_options.IndexAttributes)
			foreach (var entity in entities.Where(e => !e.IsView))
				AddIndexes(entity);

		// context properties
		var contextMembers = new HashSet<string>(_dataConnectionMembers, StringComparer.Ordinal) { contextName, "InitDataContext" };
		foreach (var entity in entities)
		{
			var name = _options.Pluralize ? Inflector.Pluralize(entity.ClassName) : entity.ClassName;
			entity.ContextPropertyName = Names.MakeUnique(name, contextMembers.Contains);
			contextMembers.Add(entity.ContextPropertyName);
		}

		return new DataModel { Options = _options, ContextClassName = contextName, Entities = entities };
	}

	int SchemaRank(string schema)
	{
		for (var i = 0; i < _options.IncludeSchemas.Count; i++)
			if (string.Equals(_options.IncludeSchemas[i], schema, StringComparison.Ordinal))
				return i;

		return string.Equals(schema, _options.DefaultSchema, StringComparison.Ordinal) ? _options.IncludeSchemas.Count : _options.IncludeSchemas.Count + 1;
	}

	string ClassName(string tableName)
	{
		var name = Names.ToIdentifier(tableName, _options.ClassNaming);
		return _options.Singularize ? Inflector.Singularize(name) : name;
	}

	#region Properties

	void AddProperties(EntityModel entity)
	{
		var taken = new HashSet<string>(_objectMembers, StringComparer.Ordinal) { entity.ClassName };
		var columns = entity.Table.Columns.Cast<AuroraDsqlColumnSchema>().OrderBy(c => c.Ordinal ?? int.MaxValue).ToList();

		var hasIdentity = columns.Exists(c => c.IsIdentity);
		var keyColumns  = columns.Where(c => c.IsPrimaryKey).ToList();

		foreach (var column in columns)
		{
			var name = Names.ToIdentifier(column.ColumnName, _options.ClassNaming);

			if (name == entity.ClassName)
				name += _options.ClassNaming == ClassNaming.Pascal ? "Column" : "_column";

			name = Names.MakeUnique(name, taken.Contains);
			taken.Add(name);

			var type        = column.SystemType ?? typeof(object);
			var isReference = !type.IsValueType;
			var typeName    = CSharpTypeName(type);

			if (column.IsNullable && (!isReference || _options.NullableReferenceTypes))
				typeName += "?";

			// A UUID key the database fills with gen_random_uuid(): the provider's [Identity] Guid convention (CreateTable emits
			// the same default, inserts skip the column and InsertWithIdentity returns it).
			var isGeneratedUuidKey =
				!hasIdentity && !entity.IsView && keyColumns.Count == 1 && column.IsPrimaryKey && type == typeof(Guid)
				&& string.Equals(column.DefaultValue?.Trim(), "gen_random_uuid()", StringComparison.OrdinalIgnoreCase);

			entity.Properties.Add(new PropertyModel
			{
				Column      = column,
				Name        = name,
				TypeName    = typeName,
				IsReference = isReference,
				IsIdentity  = column.IsIdentity || isGeneratedUuidKey,
			});
		}
	}

	static string CSharpTypeName(Type type)
	{
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

	#endregion

	#region Associations

	void AddAssociations(List<EntityModel> entities, Dictionary<TableSchema, EntityModel> byTable)
	{
		var forward = new List<(EntityModel Child, EntityModel Parent, ForeignKeySchema Key, AssociationModel Association)>();

		foreach (var entity in entities)
		{
			var taken = TakenMemberNames(entity);

			foreach (var key in entity.Table.ForeignKeys.Where(k => k.BackReference != null).OrderBy(k => k.KeyName, StringComparer.Ordinal))
			{
				if (!byTable.TryGetValue(key.OtherTable, out var parent))
					continue;

				var thisKeys  = key.ThisColumns .Select(c => entity.Properties.Find(p => ReferenceEquals(p.Column, c))).ToList();
				var otherKeys = key.OtherColumns.Select(c => parent.Properties.Find(p => ReferenceEquals(p.Column, c))).ToList();

				if (thisKeys.Contains(null) || otherKeys.Contains(null))
					continue;

				var name = Names.MakeUnique(ForwardName(entity, key, parent, thisKeys!), taken.Contains);
				taken.Add(name);

				var association = new AssociationModel
				{
					Key             = key,
					Name            = name,
					Other           = parent,
					ThisKeys        = thisKeys!,
					OtherKeys       = otherKeys!,
					IsCollection    = false,
					CanBeNull       = key.ThisColumns.Exists(c => c.IsNullable),
					IsBackReference = false,
					ForeignKeyTable = entity.Table,
					ReferencedTable = parent.Table,
				};

				entity.Associations.Add(association);
				forward.Add((entity, parent, key, association));
			}
		}

		// back references, per referenced entity, in a fixed order
		foreach (var parent in entities)
		{
			var incoming = forward
				.Where(f => f.Parent == parent)
				.OrderBy(f => f.Child.ClassName, StringComparer.Ordinal)
				.ThenBy(f => f.Key.KeyName, StringComparer.Ordinal)
				.ToList();

			if (incoming.Count == 0)
				continue;

			var taken = TakenMemberNames(parent);

			foreach (var (child, _, key, association) in incoming)
			{
				var isOneToOne = key.AssociationType == AssociationType.OneToOne;
				var name       = isOneToOne || !_options.Pluralize ? child.ClassName : Inflector.Pluralize(child.ClassName);

				// several keys from one table to this one: name them by the referencing association
				if (incoming.Count(f => f.Child == child) > 1)
					name += _options.ClassNaming == ClassNaming.Pascal ? "By" + association.Name : "_by_" + association.Name;

				if (name == parent.ClassName)
					name += _options.ClassNaming == ClassNaming.Pascal ? "Reference" : "_reference";

				name = Names.MakeUnique(name, taken.Contains);
				taken.Add(name);

				parent.Associations.Add(new AssociationModel
				{
					Key             = key,
					Name            = name,
					Other           = child,
					ThisKeys        = association.OtherKeys,
					OtherKeys       = association.ThisKeys,
					IsCollection    = !isOneToOne,
					CanBeNull       = true,
					IsBackReference = true,
					ForeignKeyTable = child.Table,
					ReferencedTable = parent.Table,
				});
			}
		}
	}

	static HashSet<string> TakenMemberNames(EntityModel entity)
	{
		var taken = new HashSet<string>(_objectMembers, StringComparer.Ordinal) { entity.ClassName };
		taken.UnionWith(entity.Properties.Select(p => p.Name));
		taken.UnionWith(entity.Associations.Select(a => a.Name));
		return taken;
	}

	string ForwardName(EntityModel entity, ForeignKeySchema key, EntityModel parent, List<PropertyModel?> thisKeys)
	{
		if (thisKeys.Count == 1)
		{
			// owner_id → Owner (Pascal) / owner (preserve)
			var column = thisKeys[0]!.Column.ColumnName;
			var words  = Names.SplitWords(column).ToList();

			if (words.Count > 1 && string.Equals(words[^1], "id", StringComparison.OrdinalIgnoreCase))
			{
				var trimmed = _options.ClassNaming == ClassNaming.Pascal
					? Names.ToIdentifier(string.Join("_", words.Take(words.Count - 1)), ClassNaming.Pascal)
					: Names.ToIdentifier(column[..column.LastIndexOf(words[^1], StringComparison.Ordinal)].TrimEnd('_', ' ', '-'), ClassNaming.Preserve);

				if (trimmed.Length > 0 && trimmed != entity.ClassName && trimmed != "_")
					return trimmed;
			}
		}

		return parent.ClassName != entity.ClassName ? parent.ClassName : parent.ClassName + (_options.ClassNaming == ClassNaming.Pascal ? "Parent" : "_parent");
	}

	#endregion

	#region Indexes

	static void AddIndexes(EntityModel entity)
	{
		foreach (var index in entity.Table.Indexes)
		{
			if (index.IsPrimaryKey)
				continue;

			if (!index.IsValid)
			{
				entity.Notes.Add($"Index <c>{CodeText.Xml(index.Name)}</c> is not declared: it is not valid (its asynchronous build failed or has not finished).");
				continue;
			}

			if (index.Keys.Any(k => k.Descending))
			{
				entity.Notes.Add($"Index <c>{CodeText.Xml(index.Name)}</c> is not declared: it has a descending key, which Aurora DSQL does not support.");
				continue;
			}

			if (index.Keys.Any(k => k.ColumnName is null && k.Expression is null))
			{
				entity.Notes.Add($"Index <c>{CodeText.Xml(index.Name)}</c> is not declared: a key could not be read.");
				continue;
			}

			var keys = index.Keys.Select(k =>
			{
				var nulls = k.NullsFirst ? " NULLS FIRST" : "";

				if (k.ColumnName is null)
				{
					var expression = k.Expression!;
					if (!IsParenthesized(expression))
						expression = "(" + expression + ")";
					return CodeText.Literal(expression + nulls);
				}

				return MemberReference(entity, k.ColumnName) + (nulls.Length > 0 ? " + " + CodeText.Literal(nulls) : "");
			}).ToList();

			entity.Indexes.Add(new IndexModel
			{
				Index              = index,
				KeyExpressions     = keys,
				IncludeExpressions = index.Include.Select(c => MemberReference(entity, c)).ToList(),
			});

			if (index.ConstraintName != null)
				entity.Notes.Add($"Index <c>{CodeText.Xml(index.Name)}</c> implements the UNIQUE constraint <c>{CodeText.Xml(index.ConstraintName ?? "")}</c>.");
		}
	}

	static string MemberReference(EntityModel entity, string columnName)
	{
		var property = entity.Properties.Find(p => p.Column.ColumnName == columnName);
		return property is null ? CodeText.Literal(columnName) : "nameof(" + CodeText.EscapeMember(property.Name) + ")";
	}

	#endregion
	/// <summary>Whether the whole expression is one parenthesized term: <c>(a + 1)</c> is, <c>(a + 1) * (b + 1)</c> is not.</summary>
	internal static bool IsParenthesized(string expression)
	{
		if (expression.Length < 2 || expression[0] != '(' || expression[^1] != ')')
			return false;

		var depth = 0;
		char? quote = null;

		for (var i = 0; i < expression.Length; i++)
		{
			var c = expression[i];

			if (quote != null)
			{
				if (c == quote)
					quote = null;
				continue;
			}

			switch (c)
			{
				case '\'' or '"':
					quote = c;
					break;
				case '(':
					depth++;
					break;
				case ')':
					depth--;
					if (depth == 0 && i < expression.Length - 1)
						return false;
					break;
			}
		}

		return depth == 0;
	}
}
