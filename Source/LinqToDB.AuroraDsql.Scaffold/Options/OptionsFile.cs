using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

using LinqToDB.AuroraDsql.Scaffold.Generation;

namespace LinqToDB.AuroraDsql.Scaffold.Options;

/// <summary>A problem in an options file: the message names the file, the key and what is accepted.</summary>
sealed class OptionsFileException(string message) : Exception(message);

/// <summary>
/// The JSON options file of <c>scaffold --options</c> / <c>--save-options</c>: every command-line option under its name
/// without dashes in camelCase (<c>--include-schemas</c> → <c>includeSchemas</c>), plus <c>typeOverrides</c> and <c>tables</c>.
/// Reading is strict: an unknown key or a value of the wrong kind is an error that names the key and the accepted values.
/// Paths in the file are relative to the file's folder. Comments and trailing commas are allowed.
/// </summary>
static class OptionsFile
{
	static readonly string[] _topKeys =
	[
		"$schema",
		"endpoint", "region", "user", "profile", "port", "rootCertificate", "connectionString",
		"namespace", "output", "contextName", "classNaming", "singularize", "pluralize", "includeSchemas", "excludeSchemas",
		"includeTables", "excludeTables", "nullable", "indexAttributes", "foreignKeyAttributes", "checkAttributes",
		"dateType", "timeType", "timestamptzType", "jsonType", "customize", "quiet", "typeOverrides", "tables",
	];

	static readonly string[] _tableKeys    = ["className", "contextPropertyName", "columns"];
	static readonly string[] _columnKeys   = ["propertyName", "type"];
	static readonly string[] _typeKeys     = ["type", "valueType"];

	/// <summary>Reads and checks an options file.</summary>
	public static ScaffoldSettings Read(string path)
	{
		ArgumentNullException.ThrowIfNull(path);

		var fullPath = Path.GetFullPath(path);
		if (!File.Exists(fullPath))
			throw new OptionsFileException($"The options file '{fullPath}' does not exist.");

		JsonDocument document;
		try
		{
			document = JsonDocument.Parse(File.ReadAllText(fullPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
		}
		catch (JsonException ex)
		{
			throw new OptionsFileException($"The options file '{fullPath}' is not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}): {FirstSentence(ex.Message)}");
		}

		using (document)
		{
			var reader = new Reader(fullPath);
			return reader.Settings(document.RootElement);
		}
	}

	/// <summary>
	/// Writes the settings as an options file: every option with its value (defaults included), paths relative to the file's
	/// folder. The connection string is never written (it holds a password): give it on the command line or in
	/// <c>LINQ2DB_DSQL_CONNECTION_STRING</c>.
	/// </summary>
	public static void Write(string path, ScaffoldSettings settings)
	{
		ArgumentNullException.ThrowIfNull(path);
		ArgumentNullException.ThrowIfNull(settings);

		var fullPath  = Path.GetFullPath(path);
		var directory = Path.GetDirectoryName(fullPath)!;

		string? Relative(string? value) => value is null ? null : Path.GetRelativePath(directory, Path.GetFullPath(value)).Replace('\\', '/');

		var root = new JsonObject
		{
			["endpoint"]             = settings.Endpoint,
			["region"]               = settings.Region,
			["user"]                 = settings.User,
			["profile"]              = settings.Profile,
			["port"]                 = settings.Port,
			["rootCertificate"]      = Relative(settings.RootCertificate),
			["namespace"]            = settings.Namespace,
			["output"]               = Relative(settings.Output),
			["contextName"]          = settings.ContextName,
			["classNaming"]          = settings.ClassNaming,
			["singularize"]          = settings.Singularize,
			["pluralize"]            = settings.Pluralize,
			["includeSchemas"]       = Array(settings.IncludeSchemas),
			["excludeSchemas"]       = Array(settings.ExcludeSchemas),
			["includeTables"]        = Array(settings.IncludeTables),
			["excludeTables"]        = Array(settings.ExcludeTables),
			["nullable"]             = settings.Nullable,
			["indexAttributes"]      = settings.IndexAttributes,
			["foreignKeyAttributes"] = settings.ForeignKeyAttributes,
			["checkAttributes"]      = settings.CheckAttributes,
			["dateType"]             = settings.DateType,
			["timeType"]             = settings.TimeType,
			["timestamptzType"]      = settings.TimestampTzType,
			["jsonType"]             = settings.JsonType,
			["customize"]            = Relative(settings.Customize),
			["quiet"]                = settings.Quiet,
		};

		var types = new JsonObject();
		foreach (var (sqlType, type) in (settings.TypeOverrides ?? new Dictionary<string, TypeOverride>()).OrderBy(p => p.Key, StringComparer.Ordinal))
			types[sqlType] = TypeNode(type);
		root["typeOverrides"] = types;

		var tables = new JsonObject();
		foreach (var (name, table) in (settings.Tables ?? new Dictionary<string, TableOverride>()).OrderBy(p => p.Key, StringComparer.Ordinal))
		{
			var node = new JsonObject();
			if (table.ClassName != null)
				node["className"] = table.ClassName;
			if (table.ContextPropertyName != null)
				node["contextPropertyName"] = table.ContextPropertyName;

			if (table.Columns.Count > 0)
			{
				var columns = new JsonObject();
				foreach (var (columnName, column) in table.Columns.OrderBy(p => p.Key, StringComparer.Ordinal))
				{
					var columnNode = new JsonObject();
					if (column.PropertyName != null)
						columnNode["propertyName"] = column.PropertyName;
					if (column.Type != null)
						columnNode["type"] = TypeNode(column.Type);
					columns[columnName] = columnNode;
				}
				node["columns"] = columns;
			}

			tables[name] = node;
		}
		root["tables"] = tables;

		// drop what was not given: the file then holds exactly what the run used
		foreach (var key in root.Where(p => p.Value is null).Select(p => p.Key).ToList())
			root.Remove(key);

		Directory.CreateDirectory(directory);
		var json = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, IndentCharacter = ' ', IndentSize = 2 });
		File.WriteAllText(fullPath, json.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
	}

	static JsonArray? Array(IReadOnlyList<string>? values) =>
		values is null ? null : new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

	static JsonNode TypeNode(TypeOverride type) =>
		type.IsValueType == TypeMapper.IsKnownValueType(type.TypeName)
			? JsonValue.Create(type.TypeName)
			: new JsonObject { ["type"] = type.TypeName, ["valueType"] = type.IsValueType };

	static string FirstSentence(string message)
	{
		var end = message.IndexOf(" Path:", StringComparison.Ordinal);
		return end > 0 ? message[..end] : message;
	}

	/// <summary>Reads one file; every error names the file and the key's path.</summary>
	sealed class Reader(string path)
	{
		readonly string _directory = Path.GetDirectoryName(path)!;

		OptionsFileException Error(string key, string problem) => new($"{path}: '{key}' {problem}");

		public ScaffoldSettings Settings(JsonElement root)
		{
			if (root.ValueKind != JsonValueKind.Object)
				throw new OptionsFileException($"{path}: the options file must hold a JSON object ({{ \"namespace\": \"MyApp.Data\", … }}).");

			CheckKeys(root, "", _topKeys);

			return new ScaffoldSettings
			{
				Endpoint             = String(root, "endpoint"),
				Region               = String(root, "region"),
				User                 = String(root, "user"),
				Profile              = String(root, "profile"),
				Port                 = Port(root),
				RootCertificate      = FilePath(root, "rootCertificate"),
				ConnectionString     = String(root, "connectionString"),
				Namespace            = Checked(root, "namespace", CommandLine.IsNamespace, "must be a valid C# namespace, such as \"MyApp.Data\""),
				Output               = FilePath(root, "output"),
				ContextName          = Checked(root, "contextName", CommandLine.IsContextName, "must be a valid C# class name that the generated code does not use itself, such as \"ShopDb\""),
				ClassNaming          = Choice(root, "classNaming", Choices.ClassNaming),
				Singularize          = Bool(root, "singularize"),
				Pluralize            = Bool(root, "pluralize"),
				IncludeSchemas       = Strings(root, "includeSchemas"),
				ExcludeSchemas       = Strings(root, "excludeSchemas"),
				IncludeTables        = Strings(root, "includeTables"),
				ExcludeTables        = Strings(root, "excludeTables"),
				Nullable             = Bool(root, "nullable"),
				IndexAttributes      = Bool(root, "indexAttributes"),
				ForeignKeyAttributes = Bool(root, "foreignKeyAttributes"),
				CheckAttributes      = Bool(root, "checkAttributes"),
				DateType             = Choice(root, "dateType", Choices.DateType),
				TimeType             = Choice(root, "timeType", Choices.TimeType),
				TimestampTzType      = Choice(root, "timestamptzType", Choices.TimestampTzType),
				JsonType             = Choice(root, "jsonType", Choices.JsonType),
				Customize            = FilePath(root, "customize"),
				Quiet                = Bool(root, "quiet"),
				TypeOverrides        = TypeOverrides(root),
				Tables               = Tables(root),
			};
		}

		void CheckKeys(JsonElement element, string prefix, string[] accepted)
		{
			foreach (var property in element.EnumerateObject())
			{
				if (!accepted.Contains(property.Name, StringComparer.Ordinal))
				{
					var close = accepted.FirstOrDefault(a => string.Equals(a, property.Name, StringComparison.OrdinalIgnoreCase));
					throw Error(prefix + property.Name,
						"is not an option" + (close != null ? $" (did you mean '{close}'? names are case-sensitive)" : "") +
						". Accepted keys" + (prefix.Length > 0 ? " here" : "") + ": " + string.Join(", ", accepted.Where(a => a != "$schema")) + ".");
				}
			}
		}

		static JsonElement? Get(JsonElement element, string name) =>
			element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

		string? String(JsonElement root, string key, string? prefix = null)
		{
			if (Get(root, key) is not { } value)
				return null;
			if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
				throw Error((prefix ?? "") + key, $"must be a non-empty string (got {Describe(value)}).");
			return value.GetString();
		}

		string? Checked(JsonElement root, string key, Func<string?, bool> isValid, string requirement)
		{
			var value = String(root, key);
			if (value != null && !isValid(value))
				throw Error(key, $"{requirement} (got \"{value}\").");
			return value;
		}

		string? FilePath(JsonElement root, string key) =>
			String(root, key) is { } value ? Path.GetFullPath(Path.Combine(_directory, value)) : null;

		bool? Bool(JsonElement root, string key)
		{
			if (Get(root, key) is not { } value)
				return null;
			if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
				throw Error(key, $"must be true or false (got {Describe(value)}).");
			return value.GetBoolean();
		}

		int? Port(JsonElement root)
		{
			if (Get(root, "port") is not { } value)
				return null;
			if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var port) || port is <= 0 or > 65535)
				throw Error("port", $"must be a number between 1 and 65535 (got {Describe(value)}).");
			return port;
		}

		string? Choice(JsonElement root, string key, string[] accepted)
		{
			if (Get(root, key) is not { } value)
				return null;

			var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
			var match = accepted.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase));
			if (match is null)
				throw Error(key, $"must be one of: {string.Join(", ", accepted)} (got {Describe(value)}).");
			return match;
		}

		List<string>? Strings(JsonElement root, string key)
		{
			if (Get(root, key) is not { } value)
				return null;

			// "a,b" is accepted like on the command line
			if (value.ValueKind == JsonValueKind.String)
				return CommandLine.SplitList([value.GetString()!]);

			if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(e.GetString())))
				throw Error(key, $"must be an array of names, such as [\"shop\", \"billing\"] (got {Describe(value)}).");

			return CommandLine.SplitList(value.EnumerateArray().Select(e => e.GetString()!).ToArray());
		}

		Dictionary<string, TypeOverride>? TypeOverrides(JsonElement root)
		{
			if (Get(root, "typeOverrides") is not { } value)
				return null;
			if (value.ValueKind != JsonValueKind.Object)
				throw Error("typeOverrides", $"must be an object of SQL type → C# type, such as {{ \"numeric\": \"double\" }} (got {Describe(value)}).");

			var result = new Dictionary<string, TypeOverride>(StringComparer.Ordinal);
			foreach (var property in value.EnumerateObject())
				result[property.Name] = Type(property.Value, "typeOverrides." + property.Name);
			return result;
		}

		TypeOverride Type(JsonElement value, string key)
		{
			string? name;
			bool?   isValueType = null;

			if (value.ValueKind == JsonValueKind.String)
				name = value.GetString();
			else if (value.ValueKind == JsonValueKind.Object)
			{
				CheckKeys(value, key + ".", _typeKeys);
				name = String(value, "type", key + ".");
				if (Get(value, "valueType") is { } valueType)
				{
					if (valueType.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
						throw Error(key + ".valueType", $"must be true or false (got {Describe(valueType)}).");
					isValueType = valueType.GetBoolean();
				}
			}
			else
				throw Error(key, $"must be a C# type name, such as \"double\", or {{ \"type\": \"MyEnum\", \"valueType\": true }} (got {Describe(value)}).");

			if (string.IsNullOrWhiteSpace(name) || name.EndsWith('?'))
				throw Error(key, $"must name a C# type without '?' (nullable columns get it): got {Describe(value)}.");

			return new TypeOverride(name.Trim(), isValueType ?? TypeMapper.IsKnownValueType(name.Trim()));
		}

		Dictionary<string, TableOverride>? Tables(JsonElement root)
		{
			if (Get(root, "tables") is not { } value)
				return null;
			if (value.ValueKind != JsonValueKind.Object)
				throw Error("tables", $"must be an object keyed by \"schema.table\" or \"table\" (got {Describe(value)}).");

			var result = new Dictionary<string, TableOverride>(StringComparer.Ordinal);

			foreach (var table in value.EnumerateObject())
			{
				var key = "tables." + table.Name;
				if (table.Value.ValueKind != JsonValueKind.Object)
					throw Error(key, $"must be an object with {string.Join(", ", _tableKeys)} (got {Describe(table.Value)}).");

				CheckKeys(table.Value, key + ".", _tableKeys);

				var columns = new Dictionary<string, ColumnOverride>(StringComparer.Ordinal);
				if (Get(table.Value, "columns") is { } columnsValue)
				{
					if (columnsValue.ValueKind != JsonValueKind.Object)
						throw Error(key + ".columns", $"must be an object keyed by column name (got {Describe(columnsValue)}).");

					foreach (var column in columnsValue.EnumerateObject())
					{
						var columnKey = key + ".columns." + column.Name;
						if (column.Value.ValueKind != JsonValueKind.Object)
							throw Error(columnKey, $"must be an object with {string.Join(", ", _columnKeys)} (got {Describe(column.Value)}).");

						CheckKeys(column.Value, columnKey + ".", _columnKeys);

						columns[column.Name] = new ColumnOverride
						{
							PropertyName = Identifier(column.Value, "propertyName", columnKey + "."),
							Type         = Get(column.Value, "type") is { } type ? Type(type, columnKey + ".type") : null,
						};
					}
				}

				result[table.Name] = new TableOverride
				{
					ClassName           = ClassName(table.Value, key + "."),
					ContextPropertyName = Identifier(table.Value, "contextPropertyName", key + "."),
					Columns             = columns,
				};
			}

			return result;
		}

		string? ClassName(JsonElement element, string prefix)
		{
			var value = Identifier(element, "className", prefix);
			if (value != null && !CommandLine.IsContextName(value))
				throw Error(prefix + "className", $"is a type name the generated code uses (got \"{value}\"); choose another class name.");
			return value;
		}

		string? Identifier(JsonElement element, string name, string prefix)
		{
			var value = String(element, name, prefix);
			if (value != null && !CommandLine.IsIdentifier(value))
				throw Error(prefix + name, $"must be a valid C# identifier (got \"{value}\").");
			return value;
		}

		static string Describe(JsonElement value) => value.ValueKind switch
		{
			JsonValueKind.String => "\"" + value.GetString() + "\"",
			JsonValueKind.Number => value.GetRawText(),
			JsonValueKind.True   => "true",
			JsonValueKind.False  => "false",
			JsonValueKind.Array  => "an array",
			JsonValueKind.Object => "an object",
			_                    => value.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture),
		};
	}
}
