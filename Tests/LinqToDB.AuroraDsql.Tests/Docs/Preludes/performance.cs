// The context of docs/performance.md's C# fragments (see DocSampleTests).
global using AuroraDsql.Local;

static partial class DocumentSamples
{
}
