using LinqToDB.AuroraDsql.Scaffold.Naming;

namespace LinqToDB.AuroraDsql.Scaffold.Generation;

/// <summary>What to generate and how to name it.</summary>
sealed record GenerationOptions
{
	/// <summary>Namespace of the generated classes.</summary>
	public string Namespace { get; init; } = "DataModel";

	/// <summary>Name of the generated <c>DataConnection</c> subclass.</summary>
	public string ContextName { get; init; } = "DsqlDb";

	/// <summary>How table and column names become class and property names.</summary>
	public ClassNaming ClassNaming { get; init; } = ClassNaming.Pascal;

	/// <summary>Singular entity class names (<c>pets</c> → <c>Pet</c>).</summary>
	public bool Singularize { get; init; }

	/// <summary>Plural context property and collection association names (<c>Pet</c> → <c>Pets</c>).</summary>
	public bool Pluralize { get; init; }

	/// <summary>Schemas to read (all but system schemas when empty), in order of precedence for class names.</summary>
	public IReadOnlyList<string> IncludeSchemas { get; init; } = [];

	/// <summary>Schemas not to read.</summary>
	public IReadOnlyList<string> ExcludeSchemas { get; init; } = [];

	/// <summary>Tables and views to generate (<c>table</c> or <c>schema.table</c>, <c>*</c> and <c>?</c> wildcards); all when empty.</summary>
	public IReadOnlyList<string> IncludeTables { get; init; } = [];

	/// <summary>Tables and views not to generate.</summary>
	public IReadOnlyList<string> ExcludeTables { get; init; } = [];

	/// <summary>Generate for nullable reference types (<c>#nullable enable</c>, <c>string?</c>).</summary>
	public bool NullableReferenceTypes { get; init; }

	/// <summary>Declare indexes with <c>[AuroraDsqlIndex]</c>.</summary>
	public bool IndexAttributes { get; init; }

	/// <summary>Declare foreign keys with <c>[AuroraDsqlForeignKey]</c>.</summary>
	public bool ForeignKeyAttributes { get; init; }

	/// <summary>Declare CHECK constraints with <c>[AuroraDsqlCheck]</c>.</summary>
	public bool CheckAttributes { get; init; }

	/// <summary>The .NET type of <c>date</c> columns.</summary>
	public DateMapping DateType { get; init; } = DateMapping.DateOnly;

	/// <summary>The .NET type of <c>time</c> columns.</summary>
	public TimeMapping TimeType { get; init; } = TimeMapping.TimeOnly;

	/// <summary>The .NET type of <c>timestamptz</c> columns.</summary>
	public TimestampTzMapping TimestampTzType { get; init; } = TimestampTzMapping.DateTimeOffset;

	/// <summary>The .NET type of <c>json</c> and <c>jsonb</c> columns.</summary>
	public JsonMapping JsonType { get; init; } = JsonMapping.String;

	/// <summary>C# types by SQL type (<c>numeric</c>, <c>numeric(12,4)</c>, <c>shop.quantity</c>), before per-column overrides.</summary>
	public IReadOnlyDictionary<string, TypeOverride> TypeOverrides { get; init; } = new Dictionary<string, TypeOverride>();

	/// <summary>Names and types per table (<c>table</c> or <c>schema.table</c>).</summary>
	public IReadOnlyDictionary<string, TableOverride> Tables { get; init; } = new Dictionary<string, TableOverride>();

	/// <summary>The schema whose tables are unqualified in linq2db terms (default <c>public</c>).</summary>
	public string DefaultSchema { get; init; } = "public";
}

/// <summary>The .NET type of <c>date</c>.</summary>
enum DateMapping { DateOnly, DateTime }

/// <summary>The .NET type of <c>time</c>.</summary>
enum TimeMapping { TimeOnly, TimeSpan }

/// <summary>The .NET type of <c>timestamptz</c>.</summary>
enum TimestampTzMapping { DateTimeOffset, DateTime }

/// <summary>The .NET type of <c>json</c>/<c>jsonb</c>.</summary>
enum JsonMapping { String, JsonDocument }

/// <summary>A C# type chosen for a column: its name as written (without <c>?</c>) and whether it is a value type.</summary>
sealed record TypeOverride(string TypeName, bool IsValueType);

/// <summary>Names and column settings of one table.</summary>
sealed record TableOverride
{
	/// <summary>The class name, or <see langword="null"/> to derive it.</summary>
	public string? ClassName { get; init; }

	/// <summary>The data connection's property name, or <see langword="null"/> to derive it.</summary>
	public string? ContextPropertyName { get; init; }

	/// <summary>Settings per column name.</summary>
	public IReadOnlyDictionary<string, ColumnOverride> Columns { get; init; } = new Dictionary<string, ColumnOverride>();
}

/// <summary>Name and type of one column.</summary>
sealed record ColumnOverride
{
	/// <summary>The property name, or <see langword="null"/> to derive it.</summary>
	public string? PropertyName { get; init; }

	/// <summary>The C# type, or <see langword="null"/> for the column's.</summary>
	public TypeOverride? Type { get; init; }
}
