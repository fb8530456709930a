using PetClinic;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Example;

/// <summary>The pet clinic example runs as part of the suite, exactly as a user runs it (its own local endpoint).</summary>
public sealed class PetClinicExampleTests
{
	[Test]
	[LocalEndpointOnly("the example as a user runs it without DSQL_ENDPOINT: on a local endpoint it starts itself (pointed at a cluster it would create and drop its fixed-name tables owner, pet, vet, … there)")]
	public async Task RunsEndToEndAgainstItsOwnLocalEndpoint()
	{
		using var output = new StringWriter();

		var exitCode = await PetClinicApp.RunAsync(output, _ => null);

		var text = output.ToString();
		TestContext.Out.WriteLine(text);

		exitCode.Should().Be(0);
		text.Should().Contain("Pet clinic on local DSQL endpoint")
			.And.Contain("ok: John Doe has two pets")
			.And.Contain("ok: Carlos Salazar's specialties are Cats and Dogs")
			.And.Contain("both visits landed (visits = 2)")
			.And.EndWith("Done: every check passed." + Environment.NewLine);
	}

	[Test]
	public async Task ReportsFailureWithANonZeroExitCode()
	{
		using var output = new StringWriter();

		// An endpoint that cannot be reached: the example must fail cleanly, not hang or crash.
		var exitCode = await PetClinicApp.RunAsync(output, name => name switch
		{
			"DSQL_ENDPOINT" => "unreachable.invalid",
			"DSQL_REGION"   => "us-east-1",
			_               => null,
		});

		exitCode.Should().Be(1);
		output.ToString().Should().Contain("FAILED:");
	}
}
