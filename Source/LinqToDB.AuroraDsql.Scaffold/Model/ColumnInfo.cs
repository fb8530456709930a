namespace LinqToDB.AuroraDsql.Scaffold.Model;

/// <summary>A column as the tool read it from the Aurora DSQL catalogs.</summary>
public sealed class ColumnInfo
{
	/// <summary>Column name, as in the database.</summary>
	public required string Name { get; init; }

	/// <summary>Position in the table, from 1.</summary>
	public int Ordinal { get; init; }

	/// <summary>
	/// The exact SQL type as PostgreSQL's <c>format_type</c> prints it: <c>bigint</c>, <c>numeric(12,4)</c>,
	/// <c>character varying(50)</c>, <c>timestamp with time zone</c>, a domain's qualified name.
	/// </summary>
	public required string DbType { get; init; }

	/// <summary>linq2db's data type of the column (<see cref="DataType.Undefined"/> when it has none).</summary>
	public DataType DataType { get; init; }

	/// <summary>The .NET type the provider reads the column as (before the tool's type options and overrides).</summary>
	public required Type ProviderType { get; init; }

	/// <summary>Length <c>char(n)</c>/<c>varchar(n)</c> declare, or <see langword="null"/>.</summary>
	public int? Length { get; init; }

	/// <summary>Precision <c>numeric(p,s)</c> or a date/time type declares, or <see langword="null"/>.</summary>
	public int? Precision { get; init; }

	/// <summary>Scale <c>numeric(p,s)</c> declares, or <see langword="null"/>.</summary>
	public int? Scale { get; init; }

	/// <summary>The column accepts NULL.</summary>
	public bool IsNullable { get; init; }

	/// <summary>Part of the primary key.</summary>
	public bool IsPrimaryKey { get; init; }

	/// <summary>Position in the primary key, from 1; 0 when not part of it.</summary>
	public int PrimaryKeyOrder { get; init; }

	/// <summary>An identity column (<c>GENERATED … AS IDENTITY</c>).</summary>
	public bool IsIdentity { get; init; }

	/// <summary>For an identity column, the <c>CACHE</c> of its sequence (<c>1</c> or at least <c>65536</c>); otherwise <see langword="null"/>.</summary>
	public long? IdentityCache { get; init; }

	/// <summary>For an identity column, <c>GENERATED ALWAYS</c> rather than <c>BY DEFAULT</c>.</summary>
	public bool IsIdentityGeneratedAlways { get; init; }

	/// <summary>The column default as SQL (<c>gen_random_uuid()</c>, <c>now()</c>, <c>0</c>), or <see langword="null"/>.</summary>
	public string? DefaultValue { get; init; }

	/// <summary>A <c>uuid</c> column whose default is <c>gen_random_uuid()</c>: the database fills it on insert.</summary>
	public bool HasRandomUuidDefault =>
		DataType == DataType.Guid && string.Equals(DefaultValue?.Trim(), "gen_random_uuid()", StringComparison.OrdinalIgnoreCase);

	/// <summary>For a generated column (<c>GENERATED ALWAYS AS (…) STORED</c>), its expression; otherwise <see langword="null"/>.</summary>
	public string? GenerationExpression { get; init; }

	/// <summary>The column's comment (<c>COMMENT ON COLUMN</c>), or <see langword="null"/>.</summary>
	public string? Description { get; init; }

	/// <inheritdoc />
	public override string ToString() => Name + " " + DbType;
}
