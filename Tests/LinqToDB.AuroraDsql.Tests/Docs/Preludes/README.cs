// The context of README.md's C# fragments (see DocSampleTests).
global using Amazon.Runtime;
global using AuroraDsql.Local;
global using LinqToDB;
global using LinqToDB.Data;
global using LinqToDB.DataProvider.AuroraDsql;
global using Microsoft.AspNetCore.Builder;
global using Microsoft.Extensions.DependencyInjection;
global using Npgsql; // Npgsql.OpenTelemetry's AddNpgsql and AddNpgsqlInstrumentation
global using OpenTelemetry;
global using OpenTelemetry.Metrics;
global using OpenTelemetry.Trace;

static partial class DocumentSamples
{
	static readonly WebApplicationBuilder builder = null!;
}
