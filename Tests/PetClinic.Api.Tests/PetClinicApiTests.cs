using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

using AuroraDsql.Local;

using LinqToDB.DataProvider.AuroraDsql;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using OpenTelemetry.Trace;

using static PetClinic.Api.ClinicApi;

namespace PetClinic.Api.Tests;

/// <summary>
/// The pet clinic API as its users call it, through <see cref="WebApplicationFactory{TEntryPoint}"/>: with no
/// configuration it runs on a local DSQL endpoint of its own, with the provider's DI registration, logging and tracing.
/// </summary>
public sealed class PetClinicApiTests
{
	/// <summary>Holds both first attempts of two visits until both have read, so that their writes conflict.</summary>
	sealed class BothReadFirst : VisitGate
	{
		readonly TaskCompletionSource _bothRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
		int _read;

		public override Task AfterReadAsync(int attempt, CancellationToken cancellationToken)
		{
			if (attempt != 1)
				return Task.CompletedTask;

			if (Interlocked.Increment(ref _read) == 2)
				_bothRead.TrySetResult();

			// The guard only turns a broken gate into a failure instead of a hang; the test never waits on it otherwise.
			return _bothRead.Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
		}
	}

	WebApplicationFactory<Program> _factory = null!;
	CapturingLoggerProvider _logs = null!;
	List<Activity> _spans = null!;
	HttpClient _client = null!;

	[OneTimeSetUp]
	public void StartApi()
	{
		_logs  = new CapturingLoggerProvider();
		_spans = [];
		// No cluster configured, whatever the environment says: the API starts its own local endpoint.
		_factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
			.UseSetting("DSQL_ENDPOINT", "")
			.UseSetting("AuroraDsql:Endpoint", "")
			.ConfigureLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug))
			.ConfigureTestServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans))));
		_client = _factory.CreateClient();
	}

	[OneTimeTearDown]
	public async Task StopApiAsync()
	{
		_client.Dispose();
		await _factory.DisposeAsync();
		_logs.Dispose();
	}

	LocalDsqlEndpoint Endpoint => _factory.Services.GetRequiredService<LocalDsqlEndpoint>();

	/// <summary>The body of a response that must have <paramref name="status"/>; else the failure shows what came back.</summary>
	static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
	{
		using (response)
		{
			if (response.StatusCode != status)
				Assert.Fail($"Expected {(int)status} {status}, got {(int)response.StatusCode} {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
			return (await response.Content.ReadFromJsonAsync<T>())!;
		}
	}

	static async Task<VetView> NewVetAsync(HttpClient client, string name) =>
		await ReadAsync<VetView>(await client.PostAsJsonAsync("/vets", new NewVet(name, ["Dogs", "Cats"])), HttpStatusCode.Created);

	[Test]
	public async Task WithNoConfigurationItServesTheClinicFromALocalEndpointOfItsOwn()
	{
		_factory.Services.GetService<LocalDsqlEndpoint>().Should().NotBeNull();
		_logs.Entries.Should().Contain(e => e.Message.StartsWith("Pet clinic API on local DSQL endpoint", StringComparison.Ordinal));

		var owner = await ReadAsync<OwnerView>(await _client.PostAsJsonAsync("/owners", new NewOwner("John Doe", "Anytown", "555-555-0150")), HttpStatusCode.Created);
		(await _client.PostAsJsonAsync($"/owners/{owner.Id}/pets", new NewPet("Pet1", new DateOnly(2006, 10, 25)))).StatusCode.Should().Be(HttpStatusCode.Created);

		var read = await _client.GetFromJsonAsync<OwnerView>($"/owners/{owner.Id}");
		read!.Pets.Select(p => p.Name).Should().Equal("Pet1");
		(await _client.GetAsync($"/owners/{Guid.NewGuid()}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

		var vet = await NewVetAsync(_client, "Akua Mansa");
		(await _client.GetFromJsonAsync<List<VetView>>("/vets"))!.Should().ContainEquivalentOf(new VetView(vet.Id, "Akua Mansa", 0, ["Cats", "Dogs"]));
	}

	[Test]
	public async Task AVisitWhoseCommitConflictsIsRetriedAndCountedOnce()
	{
		var vet = await NewVetAsync(_client, "Carlos Salazar");
		_spans.Clear();

		Endpoint.FailNextCommits(1, "OC000", ClinicDatabase.ApplicationName);
		var visit = await ReadAsync<VisitRecorded>(await _client.PostAsync($"/vets/{vet.Id}/visits", null));

		visit.Should().Be(new VisitRecorded(vet.Id, 1, 2));
		Endpoint.RemainingCommitFailures(ClinicDatabase.ApplicationName).Should().Be(0);

		// The retry is logged by the provider through the API's logging, and traced as two attempts inside the request.
		_logs.Entries.Should().Contain(e => e.Category == "LinqToDB.AuroraDsql.Transactions" && e.EventId == 1003 && e.Message.Contains("SQLSTATE 40001, OC000", StringComparison.Ordinal));

		var attempts = _spans.Where(s => s.Source.Name == AuroraDsqlDiagnostics.ActivitySourceName && s.OperationName == "InTransaction").ToList();
		attempts.Select(s => s.GetTagItem("db.aurora_dsql.outcome")).Should().Equal("retry", "committed");
		var request = _spans.Should().ContainSingle(s => s.Source.Name == "Microsoft.AspNetCore" && s.DisplayName == "POST /vets/{id:guid}/visits").Which;
		attempts.Should().OnlyContain(a => a.ParentSpanId == request.SpanId, "the attempts nest in the request's span");
		_spans.Should().Contain(s => s.Source.Name == "Npgsql" && s.ParentSpanId == attempts[1].SpanId, "Npgsql's command spans nest in the attempt");
	}

	[Test]
	public async Task AVisitThatStillConflictsAfterItsRetriesIsAnswered409ToSendAgain()
	{
		var vet = await NewVetAsync(_client, "Jane Roe");

		// appsettings.json: AuroraDsql:Retry:MaxRetries = 5, so six attempts, all failing at COMMIT.
		Endpoint.FailNextCommits(6, "OC000", ClinicDatabase.ApplicationName);
		try
		{
			using var response = await _client.PostAsync($"/vets/{vet.Id}/visits", null);

			response.StatusCode.Should().Be(HttpStatusCode.Conflict);
			response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(1));
			(await response.Content.ReadAsStringAsync()).Should().Contain("conflicted with concurrent changes");
			Endpoint.RemainingCommitFailures(ClinicDatabase.ApplicationName).Should().Be(0, "the configured retries were all used");
		}
		finally
		{
			Endpoint.ClearCommitFailures();
		}

		(await ReadAsync<VisitRecorded>(await _client.PostAsync($"/vets/{vet.Id}/visits", null))).Should().Be(new VisitRecorded(vet.Id, 1, 1), "nothing of the failed request was committed");
	}

	[Test]
	public async Task TwoConcurrentVisitsToOneVetConflictAndBothLand()
	{
		await using var factory = _factory.WithWebHostBuilder(web => web.ConfigureTestServices(services => services.AddSingleton<VisitGate>(new BothReadFirst())));
		using var client = factory.CreateClient();

		var vet = await NewVetAsync(client, "Nikhil Jayashankar");

		var visits = await Task.WhenAll(
			Task.Run(() => client.PostAsync($"/vets/{vet.Id}/visits", null)),
			Task.Run(() => client.PostAsync($"/vets/{vet.Id}/visits", null)));

		var recorded = await Task.WhenAll(visits.Select(v => ReadAsync<VisitRecorded>(v)));
		recorded.Select(r => (r.Visits, r.Attempts)).Should().BeEquivalentTo([(1, 1), (2, 2)], "the later writer conflicted, ran again and saw the first visit");
		(await client.GetFromJsonAsync<List<VetView>>("/vets"))!.Single(v => v.Id == vet.Id).Visits.Should().Be(2);
	}

	[Test]
	public async Task OwnersOfACityAreDeletedInBatches()
	{
		var city = "Batchville-" + Guid.NewGuid().ToString("N")[..8];
		for (var i = 0; i < 5; i++)
			(await _client.PostAsJsonAsync("/owners", new NewOwner($"Owner {i}", city, null))).StatusCode.Should().Be(HttpStatusCode.Created);

		var deleted = await ReadAsync<Deleted>(await _client.DeleteAsync($"/owners?city={city}"));

		deleted.Should().Be(new Deleted(5));
		(await _client.GetFromJsonAsync<List<OwnerView>>($"/owners?city={city}")).Should().BeEmpty();
		_logs.Entries.Should().Contain(e => e.Category == "LinqToDB.AuroraDsql.Batches" && e.Message.Contains("finished: 5 rows in 1 batches", StringComparison.Ordinal));
	}

	[Test]
	public async Task WithDsqlEndpointItUsesThatClusterInsteadOfStartingOne()
	{
		// The first API's endpoint stands in for a cluster: the second API finds it by DSQL_ENDPOINT and the AuroraDsql
		// section, and signs tokens with credentials from the AWS SDK's chain (here the environment).
		var cluster = Endpoint;
		Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", cluster.AccessKeyId);
		Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", cluster.SecretAccessKey);

		try
		{
			await using var factory = _factory.WithWebHostBuilder(web => web
				.UseSetting("DSQL_ENDPOINT", cluster.HostName)
				.UseSetting("DSQL_REGION", cluster.Region)
				.UseSetting("AuroraDsql:Port", cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
				.UseSetting("AuroraDsql:RootCertificatePath", cluster.CaCertificatePath)
				.UseSetting("AuroraDsql:ApplicationName", "petclinic-api-cluster"));
			using var client = factory.CreateClient();

			factory.Services.GetService<LocalDsqlEndpoint>().Should().BeNull("no local endpoint is started when a cluster is configured");

			var vet = await NewVetAsync(client, "Mary Major");
			(await _client.GetFromJsonAsync<List<VetView>>("/vets"))!.Should().Contain(v => v.Id == vet.Id, "both APIs use the same database");
		}
		finally
		{
			Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", null);
			Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", null);
		}
	}
}
