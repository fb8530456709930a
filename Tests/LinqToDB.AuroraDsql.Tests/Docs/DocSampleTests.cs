using System.Text;
using System.Text.RegularExpressions;

using LinqToDB.DataProvider.AuroraDsql.Tests.Packaging;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Docs;

/// <summary>
/// Every <c>```csharp</c> block of README.md and docs/*.md compiles, with nullable on and warnings as errors, against the
/// provider, linq2db, Npgsql, the AWS SDK and the local endpoint library.
/// <list type="bullet">
/// <item>A block that starts with <c>using</c> directives is a complete program: it is compiled alone, with only the
/// implicit usings of an SDK console project, as a reader would paste it.</item>
/// <item>Any other block is a fragment of its document: its statements become the body of a method, its type
/// declarations stay as they are, and all fragments of a document compile together with the document's prelude,
/// <c>Docs/Preludes/&lt;document&gt;.cs</c> (the usings, the variables such as <c>db</c> and the entity types the text
/// speaks of). Fragments may shadow the prelude's variables.</item>
/// </list>
/// </summary>
public sealed partial class DocSampleTests
{
	/// <summary>The global usings of a project made with <c>dotnet new console</c> (ImplicitUsings).</summary>
	const string ImplicitUsings = """
		global using System;
		global using System.Collections.Generic;
		global using System.IO;
		global using System.Linq;
		global using System.Net.Http;
		global using System.Threading;
		global using System.Threading.Tasks;
		""";

	static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

	static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(() =>
		((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
			.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
			.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
			.Where(p => !Path.GetFileName(p).StartsWith("LinqToDB.AuroraDsql.Tests", StringComparison.OrdinalIgnoreCase))
			.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
			.ToList());

	public static IEnumerable<string> Documents()
	{
		var root = PackagingProcess.RepositoryRoot();
		return new[] { Path.Combine(root, "README.md") }
			.Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal))
			.Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
			.Where(f => Blocks(f).Count > 0);
	}

	[Test]
	public void TheDocumentsHaveCSharpBlocks() =>
		Documents().Should().Contain(["README.md", "docs/connecting.md", "docs/transactions.md", "docs/local-endpoint.md"]);

	[TestCaseSource(nameof(Documents))]
	public void EveryCSharpBlockCompiles(string document)
	{
		var blocks    = Blocks(document);
		var problems  = new List<string>();
		var fragments = new List<SyntaxTree>();
		var bodies    = new StringBuilder();

		foreach (var block in blocks)
		{
			var tree = CSharpSyntaxTree.ParseText(block.Code, ParseOptions, $"{document}:{block.Line}", Encoding.UTF8);
			var unit = tree.GetCompilationUnitRoot();

			if (unit.Usings.Count > 0)
			{
				problems.AddRange(Compile($"{document}:{block.Line}", [CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions), tree],
					unit.Members.OfType<GlobalStatementSyntax>().Any() ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, block, document));
				continue;
			}

			// a fragment: statements into a method (lines mapped back to the document), declarations as they are
			var statements = unit.Members.OfType<GlobalStatementSyntax>().ToList();
			if (statements.Count > 0)
			{
				bodies.Append(CultureInfoInvariant($"\tstatic async Task Block{block.Line}()\n\t{{\n#line {block.Line + 1 + tree.GetLineSpan(statements[0].Span).StartLinePosition.Line} \"{document}\"\n"));
				bodies.Append(block.Code[statements[0].FullSpan.Start..statements[^1].FullSpan.End]);
				bodies.Append("\n#line default\n\t\tawait Task.CompletedTask;\n\t}\n");
			}

			var declarations = unit.Members.Where(m => m is not GlobalStatementSyntax).ToList();
			if (declarations.Count > 0)
			{
				var first = tree.GetLineSpan(declarations[0].FullSpan).StartLinePosition.Line;
				var text  = string.Join("\n", declarations.Select(d => d.ToFullString()));
				fragments.Add(CSharpSyntaxTree.ParseText($"#line {block.Line + 1 + first} \"{document}\"\n{text}", ParseOptions, $"{document}:{block.Line}", Encoding.UTF8));
			}
		}

		if (bodies.Length > 0 || fragments.Count > 0)
		{
			var prelude = Path.Combine(TestContext.CurrentContext.TestDirectory, "Docs", "Preludes", Path.GetFileNameWithoutExtension(document) + ".cs");
			File.Exists(prelude).Should().BeTrue($"{document} has fragments, which compile with its prelude Docs/Preludes/{Path.GetFileName(prelude)}");

			var preludeText = File.ReadAllText(prelude);
			fragments.Add(CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions));
			fragments.Add(CSharpSyntaxTree.ParseText(preludeText, ParseOptions, prelude, Encoding.UTF8));

			// "// compile-with: Source/Shared": internal sources of the repository the fragments show
			foreach (Match with in CompileWith().Matches(preludeText))
				foreach (var source in Directory.GetFiles(Path.Combine(PackagingProcess.RepositoryRoot(), with.Groups[1].Value.Trim()), "*.cs", SearchOption.AllDirectories))
					fragments.Add(CSharpSyntaxTree.ParseText(File.ReadAllText(source), ParseOptions, source, Encoding.UTF8));

			fragments.Add(CSharpSyntaxTree.ParseText($"static partial class DocumentSamples\n{{\n{bodies}}}\n", ParseOptions, document, Encoding.UTF8));
			problems.AddRange(Compile(document + " (fragments)", fragments, OutputKind.DynamicallyLinkedLibrary, null, document));
		}

		if (problems.Count > 0)
			Assert.Fail($"Every C# block of {document} must compile:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
	}

	static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);

	static List<string> Compile(string name, IEnumerable<SyntaxTree> trees, OutputKind kind, CodeBlock? block, string document)
	{
		var options = new CSharpCompilationOptions(
			kind,
			nullableContextOptions:  NullableContextOptions.Enable,
			generalDiagnosticOption: ReportDiagnostic.Error,
			specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic>
			{
				// the SDK suppresses these assembly-unification notes too
				["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress,
				// a fragment's method is async whether or not the fragment awaits
				["CS1998"] = ReportDiagnostic.Suppress,
			});

		var compilation = CSharpCompilation.Create("DocSample" + Guid.NewGuid().ToString("N"), trees, References.Value, options);
		using var image = new MemoryStream();
		var result = compilation.Emit(image);

		return result.Diagnostics
			.Where(d => d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError)
			.Select(d =>
			{
				var span = d.Location.GetMappedLineSpan();
				var line = block is { } b && span.Path.StartsWith(document + ":", StringComparison.Ordinal)
					? b.Line + 1 + span.StartLinePosition.Line
					: span.StartLinePosition.Line + 1;
				var path = span.Path.Split(':')[0];
				return FormattableString.Invariant($"{path}:{line}: {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)} ({name})");
			})
			.ToList();
	}

	/// <summary>A fenced <c>```csharp</c> block: the line of its opening fence (1-based) and its code.</summary>
	sealed record CodeBlock(int Line, string Code);

	static List<CodeBlock> Blocks(string document)
	{
		var lines  = File.ReadAllLines(Path.Combine(PackagingProcess.RepositoryRoot(), document));
		var blocks = new List<CodeBlock>();

		for (var i = 0; i < lines.Length; i++)
		{
			if (!CSharpFence().IsMatch(lines[i]))
				continue;

			var start = i;
			var code  = new StringBuilder();
			for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
				code.Append(lines[i]).Append('\n');

			blocks.Add(new CodeBlock(start + 1, code.ToString()));
		}

		return blocks;
	}

	[GeneratedRegex(@"^// compile-with: (.+)$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
	private static partial Regex CompileWith();

	[GeneratedRegex(@"^\s*```\s*(csharp|cs|c#)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
	private static partial Regex CSharpFence();
}
