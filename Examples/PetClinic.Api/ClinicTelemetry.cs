using LinqToDB.DataProvider.AuroraDsql;

using Npgsql;

using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace PetClinic.Api;

/// <summary>
/// OpenTelemetry for the API: a span per request (ASP.NET Core's), the provider's spans and counters
/// (<c>LinqToDB.AuroraDsql</c>) and Npgsql's inside it, exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class ClinicTelemetry
{
	public static void Add(WebApplicationBuilder builder)
	{
		var telemetry = builder.Services.AddOpenTelemetry()
			.WithTracing(tracing => tracing
				.AddAspNetCoreInstrumentation()
				.AddSource(AuroraDsqlDiagnostics.ActivitySourceName)
				.AddNpgsql())
			.WithMetrics(metrics => metrics
				.AddAspNetCoreInstrumentation()
				.AddMeter(AuroraDsqlDiagnostics.MeterName)
				.AddNpgsqlInstrumentation());

		if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
			telemetry.UseOtlpExporter();
	}
}
