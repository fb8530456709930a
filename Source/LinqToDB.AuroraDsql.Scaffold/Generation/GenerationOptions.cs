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

	/// <summary>Generate for nullable reference types (<c>#nullable enable</c>, <c>string?</c>).</summary>
	public bool NullableReferenceTypes { get; init; }

	/// <summary>Declare indexes with <c>[AuroraDsqlIndex]</c>.</summary>
	public bool IndexAttributes { get; init; }

	/// <summary>The schema whose tables are unqualified in linq2db terms (default <c>public</c>).</summary>
	public string DefaultSchema { get; init; } = "public";
}
