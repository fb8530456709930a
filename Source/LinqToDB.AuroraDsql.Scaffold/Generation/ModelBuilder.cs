using System.Reflection;

using LinqToDB.AuroraDsql.Scaffold.Model;
using LinqToDB.AuroraDsql.Scaffold.Naming;
using LinqToDB.Data;

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
		"DateTime", "DateTimeOffset", "DateOnly", "TimeOnly", "TimeSpan", "Guid", "Object", "String", "JsonDocument", "JsonDocumentConverter", "ValueConverter",
		"Table", "Column", "PrimaryKey", "Identity", "NotNull", "Association", "AuroraDsqlIdentity", "AuroraDsqlIndex",
		"AuroraDsqlForeignKey", "AuroraDsqlCheck", "AuroraDsqlReferentialAction",
		"TableAttribute", "ColumnAttribute", "PrimaryKeyAttribute", "IdentityAttribute", "NotNullAttribute", "AssociationAttribute",
		"AuroraDsqlIdentityAttribute", "AuroraDsqlIndexAttribute", "AuroraDsqlForeignKeyAttribute", "AuroraDsqlCheckAttribute",
		"ValueConverterAttribute",
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
	readonly TypeMapper        _types   = new(options);

	/// <summary>Builds the model of the tables that pass the table filter.</summary>
	public ScaffoldModel Build(IReadOnlyList<TableInfo> schema)
	{
		ArgumentNullException.ThrowIfNull(schema);

		var contextName = Names.ToIdentifier(_options.ContextName, ClassNaming.Preserve);
		var filter      = new TableFilter(_options.IncludeTables, _options.ExcludeTables);
		var tables      = schema
			.Where(filter.Includes)
			.OrderBy(t => SchemaRank(t.SchemaName))
			.ThenBy(t => t.SchemaName, StringComparer.Ordinal)
			.ThenBy(t => t.Name, StringComparer.Ordinal)
			.ToList();

		// class names, unique ignoring case (they are file names too): names given in the options are taken first, as they are;
		// a derived name the generated code relies on gets "Entity" appended, a name taken in another schema gets the schema's
		// name in front, any other clash a number
		var classNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [contextName] = "" };
		foreach (var table in tables)
			if (Override(table)?.ClassName is { } given)
				classNames[given] = table.SchemaName;

		var entities = new List<EntityModel>();

		foreach (var table in tables)
		{
			var name = Override(table)?.ClassName;

			if (name is null)
			{
				name = ClassName(table.Name);

				if (_reservedTypeNames.Contains(name))
					name += _options.ClassNaming == ClassNaming.Pascal ? "Entity" : "_entity";

				if (classNames.TryGetValue(name, out var takenBy) && takenBy.Length > 0 && takenBy != table.SchemaName)
				{
					var prefix = Names.ToIdentifier(table.SchemaName, _options.ClassNaming);
					name = _options.ClassNaming == ClassNaming.Pascal ? prefix + name : prefix + "_" + name;
				}

				name = Names.MakeUnique(name, n => classNames.ContainsKey(n) || _reservedTypeNames.Contains(n));
				classNames[name] = table.SchemaName;
			}

			var entity = new EntityModel { Table = table, ClassName = name, FileName = name + ".cs" };
			AddProperties(entity);
			entities.Add(entity);
		}

		var model = new ScaffoldModel
		{
			Namespace              = _options.Namespace,
			ContextClassName       = contextName,
			ContextFileName        = contextName + ".cs",
			NullableReferenceTypes = _options.NullableReferenceTypes,
		};
		model.Entities.AddRange(entities);

		AddAssociations(model);

		foreach (var entity in entities.Where(e => !e.IsView))
		{
			if (_options.IndexAttributes)
				AddIndexes(entity);
			if (_options.ForeignKeyAttributes)
				AddForeignKeys(model, entity);
			if (_options.CheckAttributes)
				entity.CheckConstraints.AddRange(entity.Table.CheckConstraints);
		}

		// context properties
		var contextMembers = new HashSet<string>(_dataConnectionMembers, StringComparer.Ordinal) { contextName, "InitDataContext" };
		foreach (var entity in entities)
			if (Override(entity.Table)?.ContextPropertyName is { } given)
				contextMembers.Add(entity.ContextPropertyName = given);

		foreach (var entity in entities.Where(e => e.ContextPropertyName.Length == 0))
		{
			var name = _options.Pluralize ? Inflector.Pluralize(entity.ClassName) : entity.ClassName;
			entity.ContextPropertyName = Names.MakeUnique(name, contextMembers.Contains);
			contextMembers.Add(entity.ContextPropertyName);
		}

		return model;
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

	// a qualified entry (schema.table) wins over one for the table name in any schema
	TableOverride? Override(TableInfo table) =>
		_options.Tables.TryGetValue(table.QualifiedName, out var qualified) ? qualified
		: _options.Tables.TryGetValue(table.Name, out var plain) ? plain
		: null;

	#region Properties

	void AddProperties(EntityModel entity)
	{
		var columns   = entity.Table.Columns;
		var overrides = Override(entity.Table)?.Columns ?? new Dictionary<string, ColumnOverride>();

		var taken = new HashSet<string>(_objectMembers, StringComparer.Ordinal) { entity.ClassName };
		foreach (var column in columns)
			if (overrides.GetValueOrDefault(column.Name)?.PropertyName is { } given)
				taken.Add(given);

		var hasIdentity = columns.Any(c => c.IsIdentity);
		var keyCount    = columns.Count(c => c.IsPrimaryKey);

		foreach (var column in columns)
		{
			var columnOverride = overrides.GetValueOrDefault(column.Name);
			var name           = columnOverride?.PropertyName;

			if (name is null)
			{
				name = Names.ToIdentifier(column.Name, _options.ClassNaming);

				if (name == entity.ClassName)
					name += _options.ClassNaming == ClassNaming.Pascal ? "Column" : "_column";

				name = Names.MakeUnique(name, taken.Contains);
				taken.Add(name);
			}

			var (typeName, isReference, dataType) = _types.Map(column, columnOverride);

			// A UUID key the database fills with gen_random_uuid(): the provider's [Identity] Guid convention (CreateTable emits
			// the same default, inserts skip the column and InsertWithIdentity returns it).
			var isGeneratedUuidKey = !hasIdentity && !entity.IsView && keyCount == 1 && column.IsPrimaryKey
				&& column.ProviderType == typeof(Guid) && column.HasRandomUuidDefault;

			entity.Properties.Add(new PropertyModel
			{
				Column          = column,
				Name            = name,
				TypeName        = typeName,
				IsReferenceType = isReference,
				IsIdentity      = column.IsIdentity || isGeneratedUuidKey,
				DataType        = dataType,
			});
		}
	}

	#endregion

	#region Associations

	void AddAssociations(ScaffoldModel model)
	{
		var entities = model.Entities;
		var forward  = new List<(EntityModel Child, EntityModel Parent, ForeignKeyInfo Key, AssociationModel Association)>();

		foreach (var entity in entities)
		{
			var taken = TakenMemberNames(entity);

			foreach (var key in entity.Table.ForeignKeys)
			{
				if (model.FindEntity(key.ReferencedSchema, key.ReferencedTable) is not { } parent)
					continue;

				var thisKeys  = key.Columns.Select(entity.FindProperty).ToList();
				var otherKeys = key.ReferencedColumns.Select(parent.FindProperty).ToList();

				if (thisKeys.Contains(null) || otherKeys.Contains(null))
					continue;

				var name = Names.MakeUnique(ForwardName(entity, parent, thisKeys!), taken.Contains);
				taken.Add(name);

				var association = new AssociationModel
				{
					Key             = key,
					Name            = name,
					Other           = parent,
					ThisKeys        = thisKeys!,
					OtherKeys       = otherKeys!,
					IsCollection    = false,
					CanBeNull       = thisKeys.Exists(p => p!.Column.IsNullable),
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
				.ThenBy(f => f.Key.Name, StringComparer.Ordinal)
				.ToList();

			if (incoming.Count == 0)
				continue;

			var taken = TakenMemberNames(parent);

			foreach (var (child, _, key, association) in incoming)
			{
				var isOneToOne = IsOneToOne(child, association);
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

	// the referencing columns are the child's whole primary key: at most one child row per parent row
	static bool IsOneToOne(EntityModel child, AssociationModel association)
	{
		var primaryKey = child.Properties.Where(p => p.Column.IsPrimaryKey).ToList();
		return primaryKey.Count > 0 && primaryKey.Count == association.ThisKeys.Count && association.ThisKeys.All(primaryKey.Contains);
	}

	static HashSet<string> TakenMemberNames(EntityModel entity)
	{
		var taken = new HashSet<string>(_objectMembers, StringComparer.Ordinal) { entity.ClassName };
		taken.UnionWith(entity.Properties.Select(p => p.Name));
		taken.UnionWith(entity.Associations.Select(a => a.Name));
		return taken;
	}

	string ForwardName(EntityModel entity, EntityModel parent, List<PropertyModel?> thisKeys)
	{
		if (thisKeys.Count == 1)
		{
			// owner_id → Owner (Pascal) / owner (preserve)
			var column = thisKeys[0]!.Column.Name;
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

	#region Indexes and constraints

	static void AddIndexes(EntityModel entity)
	{
		foreach (var index in entity.Table.Indexes)
		{
			if (index.IsPrimaryKey)
				continue;

			if (!index.IsValid)
			{
				entity.Remarks.Add($"Index <c>{CodeText.Xml(index.Name)}</c> is not declared: it is not valid (its asynchronous build failed or has not finished).");
				continue;
			}

			if (index.Keys.Any(k => k.Descending))
			{
				entity.Remarks.Add($"Index <c>{CodeText.Xml(index.Name)}</c> is not declared: it has a descending key, which Aurora DSQL does not support.");
				continue;
			}

			if (index.Keys.Any(k => k.ColumnName is null && k.Expression is null))
			{
				entity.Remarks.Add($"Index <c>{CodeText.Xml(index.Name)}</c> is not declared: a key could not be read.");
				continue;
			}

			var keys = index.Keys.Select(k => k.ColumnName is null
				? new IndexMemberModel { Expression = IsParenthesized(k.Expression!) ? k.Expression : "(" + k.Expression + ")", NullsFirst = k.NullsFirst }
				: new IndexMemberModel { ColumnName = k.ColumnName, Property = entity.FindProperty(k.ColumnName), NullsFirst = k.NullsFirst })
				.ToList();

			entity.Indexes.Add(new IndexModel
			{
				Index   = index,
				Keys    = keys,
				Include = index.Include.Select(c => new IndexMemberModel { ColumnName = c, Property = entity.FindProperty(c) }).ToList(),
			});

			if (index.ConstraintName != null)
				entity.Remarks.Add($"Index <c>{CodeText.Xml(index.Name)}</c> implements the UNIQUE constraint <c>{CodeText.Xml(index.ConstraintName)}</c>.");
		}
	}

	static void AddForeignKeys(ScaffoldModel model, EntityModel entity)
	{
		foreach (var key in entity.Table.ForeignKeys)
		{
			var principal = model.FindEntity(key.ReferencedSchema, key.ReferencedTable);
			var columns   = key.Columns.Select(entity.FindProperty).ToList();
			var refs      = key.ReferencedColumns.Select(c => principal?.FindProperty(c)).ToList();

			if (principal is null || principal.IsView || columns.Contains(null) || refs.Contains(null))
			{
				entity.Remarks.Add($"Foreign key <c>{CodeText.Xml(key.Name)}</c> is not declared: it references <c>{CodeText.Xml(key.ReferencedSchema + "." + key.ReferencedTable)}</c>, which is not in this model.");
				continue;
			}

			var primaryKey = principal.Properties.Where(p => p.Column.IsPrimaryKey).OrderBy(p => p.Column.PrimaryKeyOrder).ToList();

			entity.ForeignKeys.Add(new ForeignKeyModel
			{
				Key                  = key,
				Principal            = principal,
				Properties           = columns!,
				PrincipalProperties  = refs!,
				ReferencesPrimaryKey = primaryKey.SequenceEqual(refs!),
			});
		}
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
