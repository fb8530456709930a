using PetClinic.Api;

// The pet clinic as a web API: with no configuration it starts a local DSQL endpoint of its own; with DSQL_ENDPOINT (or
// AuroraDsql:Endpoint) it uses that cluster, with IAM tokens from the AWS credential chain.
var builder = WebApplication.CreateBuilder(args);

var database = await ClinicDatabase.AddAsync(builder);
ClinicTelemetry.Add(builder);
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ConflictResponses>();

var app = builder.Build();

app.UseExceptionHandler();
app.MapClinicApi();
app.Logger.Started(database);

await app.RunAsync();

/// <summary>The entry point, public for <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
