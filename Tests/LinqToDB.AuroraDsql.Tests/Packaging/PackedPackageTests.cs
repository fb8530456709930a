using static LinqToDB.DataProvider.AuroraDsql.Tests.Packaging.PackagingProcess;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Packaging;

/// <summary>
/// The packed LinqToDB.AuroraDsql package works: it is packed with a unique version into a throwaway feed, the pet clinic
/// example is built against that package instead of the source, and the example runs end to end.
/// </summary>
[Category("Packaging")]
public sealed class PackedPackageTests
{
	[Test]
	[LocalEndpointOnly("the example built from the packed packages, run as a user runs it: on a local endpoint it starts itself")]
	public async Task TheExampleRunsAgainstThePackedProvider()
	{
		var root    = RepositoryRoot();
		var work    = Directory.CreateTempSubdirectory("auroradsql-pack-").FullName;
		var version = "0.1.0-test" + Guid.NewGuid().ToString("N")[..8];
		var feed    = Path.Combine(work, "feed");

		try
		{
			await RunAsync(root, "dotnet", "pack", "Source/LinqToDB.AuroraDsql/LinqToDB.AuroraDsql.csproj", "-c", "Release",
				"-o", feed, $"-p:Version={version}", "-p:ContinuousIntegrationBuild=true");

			var package = Path.Combine(feed, $"LinqToDB.AuroraDsql.{version}.nupkg");
			File.Exists(package).Should().BeTrue();

			using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
			{
				zip.Entries.Select(e => e.FullName).Should().Contain(
				[
					"lib/net8.0/LinqToDB.AuroraDsql.dll", "lib/net8.0/LinqToDB.AuroraDsql.xml",
					"lib/net10.0/LinqToDB.AuroraDsql.dll", "lib/net10.0/LinqToDB.AuroraDsql.xml",
					"README.md", "LICENSE",
				]);
			}

			var artifacts = Path.Combine(work, "artifacts");
			await RunAsync(root, "dotnet", "build", "Examples/PetClinic/PetClinic.csproj", "-c", "Release", "--artifacts-path", artifacts,
				"-p:UsePackedProvider=true", $"-p:PackedProviderVersion={version}", $"-p:RestoreAdditionalProjectSources={feed}");

			var assets = await File.ReadAllTextAsync(Directory.GetFiles(artifacts, "project.assets.json", SearchOption.AllDirectories)
				.Single(f => f.Contains("PetClinic", StringComparison.Ordinal)));
			assets.Should().Contain($"\"LinqToDB.AuroraDsql/{version}\"", "the example must use the package, not the project");

			var example = Directory.GetFiles(artifacts, "PetClinic.dll", SearchOption.AllDirectories).Single(f => f.Contains("bin", StringComparison.Ordinal));
			var output  = await RunAsync(root, "dotnet", example);

			output.Should().Contain("Done: every check passed.");
		}
		finally
		{
			TryDelete(work);
			TryDelete(Path.Combine(GlobalPackagesFolder(), "linqtodb.auroradsql", version));
		}
	}
}
