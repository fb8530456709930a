namespace LinqToDB.AuroraDsql.Scaffold.Model;

/// <summary>A CHECK constraint as the tool read it from the Aurora DSQL catalogs.</summary>
public sealed class CheckConstraintInfo
{
	/// <summary>Constraint name.</summary>
	public required string Name { get; init; }

	/// <summary>The condition as SQL, without <c>CHECK ( )</c>: <c>(price &gt; (0)::numeric)</c>.</summary>
	public required string Condition { get; init; }

	/// <summary><see langword="false"/> for a constraint added <c>NOT VALID</c> whose validation has not run (or failed).</summary>
	public bool IsValidated { get; init; } = true;

	/// <inheritdoc />
	public override string ToString() => Name + " CHECK " + Condition;
}
