using LinqToDB.Mapping;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// Declares a CHECK constraint that <c>CreateTable</c> (and <c>EnsureSchema</c>) emits inline:
/// <c>CONSTRAINT name CHECK (condition)</c>.
/// </summary>
/// <example><c>[AuroraDsqlCheck("ck_price_positive", "\"Price\" &gt; 0")]</c></example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Interface, AllowMultiple = true, Inherited = true)]
public sealed class AuroraDsqlCheckAttribute : MappingAttribute
{
	/// <summary>Declares a CHECK constraint.</summary>
	/// <param name="name">Constraint name.</param>
	/// <param name="condition">The SQL condition, with quoted column names as they are in the table.</param>
	public AuroraDsqlCheckAttribute(string name, string condition)
	{
		Name      = name;
		Condition = condition;
	}

	/// <summary>Constraint name.</summary>
	public string Name { get; }

	/// <summary>SQL condition.</summary>
	public string Condition { get; }

	/// <inheritdoc />
	public override string GetObjectID() => $".{Configuration}.{Name}.{Condition}.";
}
