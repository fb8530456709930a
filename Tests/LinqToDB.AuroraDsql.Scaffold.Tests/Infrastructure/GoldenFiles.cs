using System.Runtime.CompilerServices;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>
/// Golden files: expected generator output under <c>Golden/&lt;case&gt;/</c> in the source tree, compared byte for byte.
/// Set <see cref="BlessVariable"/>=1 to rewrite them from the current output (then review the diff and commit).
/// </summary>
public static class GoldenFiles
{
	public const string BlessVariable = "LINQ2DB_DSQL_BLESS";

	public static bool Bless => Environment.GetEnvironmentVariable(BlessVariable) == "1";

	/// <summary>The golden folder of a case, in the source tree (found from this file's compile-time path).</summary>
	public static string Directory(string caseName, [CallerFilePath] string thisFile = "") =>
		Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(thisFile)!)!, "Golden", caseName);

	/// <summary>
	/// Asserts that <paramref name="actualDirectory"/> holds exactly the golden files of <paramref name="caseName"/>, byte for byte;
	/// or, when blessing, replaces the golden files with them.
	/// </summary>
	public static void AssertMatches(string caseName, string actualDirectory)
	{
		var golden = Directory(caseName);
		var actual = Files(actualDirectory);

		if (Bless)
		{
			if (System.IO.Directory.Exists(golden))
				System.IO.Directory.Delete(golden, recursive: true);
			System.IO.Directory.CreateDirectory(golden);

			foreach (var name in actual)
				File.Copy(Path.Combine(actualDirectory, name), Path.Combine(golden, name));

			Assert.Warn($"Golden files of '{caseName}' were rewritten from the current output ({BlessVariable}=1).");
			return;
		}

		System.IO.Directory.Exists(golden).Should().BeTrue($"golden files for '{caseName}' should exist (run once with {BlessVariable}=1 to create them)");

		actual.Should().Equal(Files(golden), $"the generated file set of '{caseName}' should match the golden one");

		foreach (var name in actual)
		{
			var expected = File.ReadAllBytes(Path.Combine(golden, name));
			var produced = File.ReadAllBytes(Path.Combine(actualDirectory, name));

			if (!expected.AsSpan().SequenceEqual(produced))
				File.ReadAllText(Path.Combine(actualDirectory, name)).Should().Be(File.ReadAllText(Path.Combine(golden, name)),
					$"{name} of '{caseName}' should match its golden file byte for byte (if the change is intended, re-bless with {BlessVariable}=1)");

			produced.Should().Equal(expected, $"{name} should match byte for byte");
		}
	}

	/// <summary>Asserts that two folders hold the same files, byte for byte.</summary>
	public static void AssertSameFiles(string expectedDirectory, string actualDirectory)
	{
		var names = Files(expectedDirectory);
		Files(actualDirectory).Should().Equal(names, "both runs should write the same files");

		foreach (var name in names)
			File.ReadAllText(Path.Combine(actualDirectory, name)).Should().Be(File.ReadAllText(Path.Combine(expectedDirectory, name)), name);
	}

	static List<string> Files(string directory) =>
		System.IO.Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
}
