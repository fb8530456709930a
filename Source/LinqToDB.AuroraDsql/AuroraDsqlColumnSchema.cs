using LinqToDB.SchemaProvider;

namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>
/// A column read by the Aurora DSQL schema provider: linq2db's <see cref="ColumnSchema"/> plus its default, identity options and
/// generation expression.
/// </summary>
/// <remarks>
/// <see cref="ColumnSchema.ColumnType"/> is the exact SQL type as PostgreSQL's <c>format_type</c> prints it (for example
/// <c>numeric(12,4)</c>, <c>character varying(50)</c>, <c>timestamp(3) with time zone</c>); <see cref="ColumnSchema.Length"/>,
/// <see cref="ColumnSchema.Precision"/> and <see cref="ColumnSchema.Scale"/> are what that type declares, and
/// <see langword="null"/> when it declares nothing.
/// </remarks>
public sealed class AuroraDsqlColumnSchema : ColumnSchema
{
	/// <summary>The column default as SQL (for example <c>gen_random_uuid()</c> or <c>now()</c>), or <see langword="null"/>.</summary>
	public string? DefaultValue { get; set; }

	/// <summary>
	/// For an identity column, the <c>CACHE</c> of its sequence: <c>1</c> or at least <c>65536</c> on Aurora DSQL. Otherwise
	/// <see langword="null"/>.
	/// </summary>
	public long? IdentityCache { get; set; }

	/// <summary>For an identity column, <see langword="true"/> when it is <c>GENERATED ALWAYS</c> rather than <c>BY DEFAULT</c>.</summary>
	public bool IsIdentityGeneratedAlways { get; set; }

	/// <summary>For a generated column (<c>GENERATED ALWAYS AS (…) STORED</c>), its expression; otherwise <see langword="null"/>.</summary>
	public string? GenerationExpression { get; set; }
}
