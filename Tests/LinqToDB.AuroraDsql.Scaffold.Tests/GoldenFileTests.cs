namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>Generated code for the test schema, compared byte for byte with the files under <c>Golden/</c>.</summary>
public sealed class GoldenFileTests
{
	[Test]
	public void PascalCaseModelMatchesGoldenFiles()
	{
		using var output = new TempDirectory();
		Cases.Generate(Cases.Pascal, output.Path);

		GoldenFiles.AssertMatches("Pascal", output.Path);
	}

	[Test]
	public void PreservedNamesModelMatchesGoldenFiles()
	{
		using var output = new TempDirectory();
		Cases.Generate(Cases.Preserve, output.Path);

		GoldenFiles.AssertMatches("Preserve", output.Path);
	}

	[Test]
	public void EveryTypeOptionAndConstraintAttributeMatchesGoldenFiles()
	{
		using var output = new TempDirectory();
		Cases.Generate(Cases.Everything, output.Path);

		GoldenFiles.AssertMatches("Everything", output.Path);
	}

	[Test]
	public void SameSchemaGivesByteIdenticalOutput()
	{
		using var first  = new TempDirectory();
		using var second = new TempDirectory();

		Cases.Generate(Cases.Pascal, first.Path);
		Cases.Generate(Cases.Pascal, second.Path);

		var names = Directory.EnumerateFiles(first.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
		Directory.EnumerateFiles(second.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).Should().Equal(names);

		foreach (var name in names)
			File.ReadAllBytes(second.File(name!)).Should().Equal(File.ReadAllBytes(first.File(name!)), name);
	}
}
