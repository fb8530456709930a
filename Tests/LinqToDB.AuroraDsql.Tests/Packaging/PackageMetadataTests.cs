using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

using static LinqToDB.DataProvider.AuroraDsql.Tests.Packaging.PackagingProcess;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Packaging;

/// <summary>
/// What a package says about where it comes from: the nuspec names the repository (with the commit) and the project URL,
/// the packed README has no link that only works inside the repository, and the symbol package's PDB carries a SourceLink
/// map from the build's source root to the sources of that commit.
/// </summary>
[Category("Packaging")]
[NonParallelizable]
public sealed partial class PackageMetadataTests
{
	const string RepositoryUrl = "https://github.com/linq2db/LinqToDB.AuroraDsql";

	/// <summary>The PDB's custom debug information that holds the SourceLink JSON.</summary>
	static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

	[TestCase("Source/LinqToDB.AuroraDsql/LinqToDB.AuroraDsql.csproj", "LinqToDB.AuroraDsql", "LinqToDB.AuroraDsql")]
	[TestCase("Source/AuroraDsql.Local/AuroraDsql.Local.csproj", "AuroraDsql.Local", "AuroraDsql.Local")]
	public async Task ThePackageNamesItsRepositoryAndItsPdbMapsToTheSources(string project, string packageId, string assembly)
	{
		var root    = RepositoryRoot();
		var work    = Directory.CreateTempSubdirectory("auroradsql-metadata-").FullName;
		var version = "0.1.0-test" + Guid.NewGuid().ToString("N")[..8];
		var feed    = Path.Combine(work, "feed");

		try
		{
			var commit = (await RunAsync(root, "git", "rev-parse", "HEAD")).Trim();
			await RunAsync(root, "dotnet", "pack", project, "-c", "Release", "-o", feed, $"-p:Version={version}", "-p:ContinuousIntegrationBuild=true",
				"--artifacts-path", Path.Combine(work, "artifacts"));

			using (var package = ZipFile.OpenRead(Path.Combine(feed, $"{packageId}.{version}.nupkg")))
			{
				var nuspec = XDocument.Load(package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
				var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
				var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");

				repository.Attribute("type")!.Value.Should().Be("git");
				repository.Attribute("url")!.Value.Should().Be(RepositoryUrl);
				repository.Attribute("commit")!.Value.Should().Be(commit);
				metadata.Elements().Single(e => e.Name.LocalName == "projectUrl").Value.Should().Be(RepositoryUrl);

				using var readme = new StreamReader(package.GetEntry("README.md")!.Open(), Encoding.UTF8);
				var text = await readme.ReadToEndAsync();
				RelativeLink().Matches(text).Select(m => m.Value).Should().BeEmpty("nuget.org shows the README without the repository's files");
				text.Should().Contain($"]({RepositoryUrl}/blob/main/docs/connecting.md)");
			}

			using (var symbols = ZipFile.OpenRead(Path.Combine(feed, $"{packageId}.{version}.snupkg")))
			{
				foreach (var framework in new[] { "net8.0", "net10.0" })
				{
					await using var pdb = new MemoryStream();
					await using (var entry = symbols.GetEntry($"lib/{framework}/{assembly}.pdb")!.Open())
						await entry.CopyToAsync(pdb);
					pdb.Position = 0;

					using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
					var reader = provider.GetMetadataReader();

					var sourceLink = reader.CustomDebugInformation
						.Select(reader.GetCustomDebugInformation)
						.Where(c => reader.GetGuid(c.Kind) == SourceLinkKind)
						.Select(c => Encoding.UTF8.GetString(reader.GetBlobBytes(c.Value)))
						.SingleOrDefault();
					sourceLink.Should().NotBeNull($"the {framework} PDB must have a SourceLink map");

					var documents = JsonDocument.Parse(sourceLink!).RootElement.GetProperty("documents").EnumerateObject().ToList();
					documents.Should().ContainSingle().Which.Value.GetString().Should()
						.Be($"https://raw.githubusercontent.com/linq2db/LinqToDB.AuroraDsql/{commit}/*");

					// every source file of the repository is under the mapped root (deterministic paths: /_/)
					var mapped = documents[0].Name.TrimEnd('*');
					var sources = reader.Documents.Select(d => reader.GetString(reader.GetDocument(d).Name))
						.Where(n => n.EndsWith(".cs", StringComparison.Ordinal) && !n.Contains("/obj/", StringComparison.Ordinal) && !n.Contains(".AssemblyAttributes", StringComparison.Ordinal))
						.ToList();
					sources.Should().NotBeEmpty().And.OnlyContain(n => n.StartsWith(mapped, StringComparison.Ordinal));
					sources.Should().Contain(n => n.EndsWith("/Source/Shared/Sql/StatementSplitter.cs", StringComparison.Ordinal));
				}
			}
		}
		finally
		{
			TryDelete(work);
			TryDelete(Path.Combine(GlobalPackagesFolder(), packageId.ToLowerInvariant(), version));
		}
	}

	/// <summary>A markdown link whose target is neither absolute (scheme or /) nor an anchor.</summary>
	[GeneratedRegex(@"\]\((?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)[^)\s]+\)", RegexOptions.CultureInvariant)]
	private static partial Regex RelativeLink();
}
