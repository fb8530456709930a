namespace AuroraDsql.Rules;

/// <summary>A column type DSQL accepts: PostgreSQL's internal name (<c>pg_type.typname</c>), and since when.</summary>
/// <param name="TypeName">The base type's <c>pg_type.typname</c> (<c>int4</c>, <c>varchar</c>, <c>jsonb</c>…).</param>
/// <param name="DisplayName">The SQL name (<c>integer</c>, <c>character varying</c>…).</param>
/// <param name="Since">The DSQL release that made it a column type; <see langword="null"/>: since launch.</param>
sealed record DsqlColumnType(string TypeName, string DisplayName, DateOnly? Since = null);
