using Amazon.Runtime;

using AuroraDsql.Local;

using LinqToDB.DataProvider.AuroraDsql;

using PetClinic.Model;

namespace PetClinic.Api;

/// <summary>
/// Registers <see cref="ClinicDb"/> with <c>AddAuroraDsqlContext</c>: the <c>AuroraDsql</c> configuration section
/// (or <c>DSQL_ENDPOINT</c>, <c>DSQL_USER</c>, <c>DSQL_REGION</c>, as for the console example) names a cluster; without
/// either, a local DSQL endpoint is started and stopped with the application. The schema is ensured at start-up.
/// </summary>
public static class ClinicDatabase
{
	/// <summary>The application name the API's connections report (the tests inject faults into its sessions by it).</summary>
	public const string ApplicationName = "petclinic-api";

	/// <summary>Registers the database; returns what the API talks to.</summary>
	public static async Task<string> AddAsync(WebApplicationBuilder builder)
	{
		var configuration = builder.Configuration;
		var section       = configuration.GetSection(AuroraDsqlServiceOptions.DefaultSectionName);
		var cluster       = Setting(section["Endpoint"]) ?? Setting(configuration["DSQL_ENDPOINT"]);

		LocalDsqlEndpoint? local = null;
		if (cluster is null)
		{
			local = await LocalDsqlEndpoint.StartAsync();
			// Stopped when the container is disposed, after the application has stopped.
			builder.Services.AddHostedService(_ => new LocalEndpointLifetime(local));
			builder.Services.AddSingleton(_ => local);
		}

		builder.Services.AddAuroraDsqlContext<ClinicDb>(section, options =>
		{
			options.ApplicationName ??= ApplicationName;

			if (local != null)
			{
				options.Endpoint            = local.HostName;
				options.Port                = local.Port;
				options.Region              = local.Region;
				options.Credentials         = new BasicAWSCredentials(local.AccessKeyId, local.SecretAccessKey);
				options.RootCertificatePath = local.CaCertificatePath;
			}
			else
			{
				options.Endpoint = cluster;
				options.User     = Setting(options.User)   ?? Setting(configuration["DSQL_USER"]);
				options.Region   = Setting(options.Region) ?? Setting(configuration["DSQL_REGION"]);
			}
		});

		builder.Services.AddHostedService<ClinicSchema>();
		builder.Services.AddSingleton<VisitGate>();

		return local != null
			? $"local DSQL endpoint on {local.Host}:{local.Port} (set DSQL_ENDPOINT to use a real cluster)"
			: $"Aurora DSQL cluster {cluster}";
	}

	static string? Setting(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

	/// <summary>Disposes the local endpoint with the container.</summary>
	sealed class LocalEndpointLifetime(LocalDsqlEndpoint endpoint) : IHostedService, IAsyncDisposable
	{
		public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

		public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

		public ValueTask DisposeAsync() => endpoint.DisposeAsync();
	}
}
