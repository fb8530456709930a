using LinqToDB.AuroraDsql.Scaffold.Generation;

namespace LinqToDB.AuroraDsql.Scaffold.Options;

/// <summary>
/// Every option of <c>linq2db-dsql scaffold</c>, as given (<see langword="null"/>: not given). The command line and the options
/// file (<c>--options</c>) each fill one; <see cref="Over"/> lays the command line over the file.
/// </summary>
sealed record ScaffoldSettings
{
	// connection
	public string? Endpoint            { get; init; }
	public string? Region              { get; init; }
	public string? User                { get; init; }
	public string? Profile             { get; init; }
	public int?    Port                { get; init; }
	public string? RootCertificate     { get; init; }
	public string? ConnectionString    { get; init; }

	// generation
	public string?                Namespace            { get; init; }
	public string?                Output               { get; init; }
	public string?                ContextName          { get; init; }
	public string?                ClassNaming          { get; init; }
	public bool?                  Singularize          { get; init; }
	public bool?                  Pluralize            { get; init; }
	public IReadOnlyList<string>? IncludeSchemas       { get; init; }
	public IReadOnlyList<string>? ExcludeSchemas       { get; init; }
	public IReadOnlyList<string>? IncludeTables        { get; init; }
	public IReadOnlyList<string>? ExcludeTables        { get; init; }
	public bool?                  Nullable             { get; init; }
	public bool?                  IndexAttributes      { get; init; }
	public bool?                  ForeignKeyAttributes { get; init; }
	public bool?                  CheckAttributes      { get; init; }
	public string?                DateType             { get; init; }
	public string?                TimeType             { get; init; }
	public string?                TimestampTzType      { get; init; }
	public string?                JsonType             { get; init; }
	public string?                Customize            { get; init; }
	public bool?                  Quiet                { get; init; }

	// options file only
	public IReadOnlyDictionary<string, TypeOverride>?  TypeOverrides { get; init; }
	public IReadOnlyDictionary<string, TableOverride>? Tables        { get; init; }

	/// <summary>These settings, with every setting they do not give taken from <paramref name="lower"/>.</summary>
	public ScaffoldSettings Over(ScaffoldSettings lower)
	{
		ArgumentNullException.ThrowIfNull(lower);

		return new ScaffoldSettings
		{
			Endpoint             = Endpoint ?? lower.Endpoint,
			Region               = Region ?? lower.Region,
			User                 = User ?? lower.User,
			Profile              = Profile ?? lower.Profile,
			Port                 = Port ?? lower.Port,
			RootCertificate      = RootCertificate ?? lower.RootCertificate,
			ConnectionString     = ConnectionString ?? lower.ConnectionString,
			Namespace            = Namespace ?? lower.Namespace,
			Output               = Output ?? lower.Output,
			ContextName          = ContextName ?? lower.ContextName,
			ClassNaming          = ClassNaming ?? lower.ClassNaming,
			Singularize          = Singularize ?? lower.Singularize,
			Pluralize            = Pluralize ?? lower.Pluralize,
			IncludeSchemas       = IncludeSchemas ?? lower.IncludeSchemas,
			ExcludeSchemas       = ExcludeSchemas ?? lower.ExcludeSchemas,
			IncludeTables        = IncludeTables ?? lower.IncludeTables,
			ExcludeTables        = ExcludeTables ?? lower.ExcludeTables,
			Nullable             = Nullable ?? lower.Nullable,
			IndexAttributes      = IndexAttributes ?? lower.IndexAttributes,
			ForeignKeyAttributes = ForeignKeyAttributes ?? lower.ForeignKeyAttributes,
			CheckAttributes      = CheckAttributes ?? lower.CheckAttributes,
			DateType             = DateType ?? lower.DateType,
			TimeType             = TimeType ?? lower.TimeType,
			TimestampTzType      = TimestampTzType ?? lower.TimestampTzType,
			JsonType             = JsonType ?? lower.JsonType,
			Customize            = Customize ?? lower.Customize,
			Quiet                = Quiet ?? lower.Quiet,
			TypeOverrides        = TypeOverrides ?? lower.TypeOverrides,
			Tables               = Tables ?? lower.Tables,
		};
	}
}
