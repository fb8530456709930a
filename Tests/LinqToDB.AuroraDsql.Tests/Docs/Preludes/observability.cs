// The context of docs/observability.md's C# fragments (see DocSampleTests).
global using LinqToDB;
global using LinqToDB.Async;
global using LinqToDB.Data;
global using LinqToDB.DataProvider.AuroraDsql;
global using LinqToDB.Mapping;
global using Microsoft.AspNetCore.Builder;
global using Microsoft.Extensions.DependencyInjection;
global using Npgsql; // Npgsql.OpenTelemetry's AddNpgsql and AddNpgsqlInstrumentation
global using Microsoft.Extensions.Logging;
global using OpenTelemetry;
global using OpenTelemetry.Metrics;
global using OpenTelemetry.Trace;

static partial class DocumentSamples
{
	static readonly WebApplicationBuilder builder = null!;
	static readonly DataConnection        db      = null!;
	static readonly DataOptions           options = new();
	static readonly CancellationToken     token   = default;
}

[Table("owner")]
public class Owner
{
	[PrimaryKey, Identity] public Guid    Id   { get; set; }
	[Column, NotNull]      public string  Name { get; set; } = "";
	[Column]               public string? City { get; set; }
}
