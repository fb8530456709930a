using System.Globalization;

using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// Declares an index on an entity, created the DSQL way (<c>CREATE [UNIQUE] INDEX ASYNC …</c>, one statement per
/// transaction) when the schema is ensured. Apply it to the entity class, once per index, or in fluent mapping with
/// <c>HasAttribute</c>.
/// </summary>
/// <example>
/// <code>
/// [AuroraDsqlIndex("ix_pet_owner", nameof(OwnerId), nameof(Name) + " NULLS LAST", Include = [nameof(BirthDate)])]
/// [AuroraDsqlIndex("ux_pet_tag", nameof(Tag), Unique = true, NullsNotDistinct = true, Predicate = "\"Tag\" IS NOT NULL")]
/// public class Pet { … }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Interface, AllowMultiple = true, Inherited = true)]
public sealed class AuroraDsqlIndexAttribute : MappingAttribute
{
	/// <summary>Declares an index.</summary>
	/// <param name="name">Index name (not schema-qualified: DSQL puts the index in its table's schema).</param>
	/// <param name="keys">
	/// Key parts, in order (at most 8): a mapped member name or a column name, optionally followed by <c> NULLS FIRST</c> or
	/// <c> NULLS LAST</c>; or a SQL expression in parentheses, such as <c>(lower("Email"))</c>, whose functions must be
	/// IMMUTABLE. DSQL does not allow ASC/DESC on index keys.
	/// </param>
	public AuroraDsqlIndexAttribute(string name, params string[] keys)
	{
		Name = name;
		Keys = keys;
	}

	/// <summary>Index name.</summary>
	public string Name { get; }

	/// <summary>Key parts; see the constructor.</summary>
	public IReadOnlyList<string> Keys { get; }

	/// <summary>A unique index.</summary>
	public bool Unique { get; set; }

	/// <summary>Non-key columns stored in the index (<c>INCLUDE</c>): member or column names, no expressions.</summary>
	public string[] Include { get; set; } = [];

	/// <summary>For a unique index, treat NULLs as equal (<c>NULLS NOT DISTINCT</c>).</summary>
	public bool NullsNotDistinct { get; set; }

	/// <summary>Partial-index predicate, SQL (the text after <c>WHERE</c>), for example <c>"Deleted" = false</c>.</summary>
	public string? Predicate { get; set; }

	/// <inheritdoc />
	public override string GetObjectID() =>
		string.Create(CultureInfo.InvariantCulture,
			$".{Configuration}.{Name}.{string.Join(",", Keys)}.{(Unique ? 1 : 0)}.{string.Join(",", Include)}.{(NullsNotDistinct ? 1 : 0)}.{Predicate}.");
}
