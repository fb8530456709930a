// The context of docs/performance.md's C# fragments (see DocSampleTests).
global using AuroraDsql.Local;
global using Npgsql;

static partial class DocumentSamples
{
	static readonly NpgsqlConnection connection = null!;
}
