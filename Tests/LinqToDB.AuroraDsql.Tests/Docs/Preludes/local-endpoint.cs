// The context of docs/local-endpoint.md's C# fragments (see DocSampleTests). The shared rule set is internal: its
// sources are compiled with the fragments.
// compile-with: Source/Shared
global using AuroraDsql.Local;
global using AuroraDsql.Rules;
global using AuroraDsql.Sql;
global using Npgsql;

static partial class DocumentSamples
{
	static readonly LocalDsqlEndpoint endpoint = null!;
	static readonly string            sql      = "SELECT 1";
}
