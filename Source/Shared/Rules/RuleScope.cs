namespace AuroraDsql.Rules;

/// <summary>Where a rule is checked.</summary>
enum RuleScope : byte
{
	/// <summary>From the statement's text alone (tokens): <see cref="DsqlRuleSet.Check(AuroraDsql.Sql.SqlStatement)"/>, usable by any client.</summary>
	Statement,

	/// <summary>From the catalog after the statement ran (the local endpoint's backend event trigger).</summary>
	Catalog,

	/// <summary>From the transaction the statement runs in (the local endpoint: DDL/DML mix, limits, conflicts).</summary>
	Transaction,
}
