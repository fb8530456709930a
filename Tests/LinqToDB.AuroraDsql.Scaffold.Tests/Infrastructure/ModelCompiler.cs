using System.Reflection;
using System.Runtime.Loader;
using System.Text;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>Compiles generated code in memory, the way a project with nullable enabled and warnings as errors would.</summary>
public static class ModelCompiler
{
	static readonly Lazy<IReadOnlyList<MetadataReference>> _references = new(() =>
		((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
			.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
			.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
			.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
			.ToList());

	/// <summary>Compiles the sources; returns the assembly image, or throws with every diagnostic (warnings included).</summary>
	public static byte[] Compile(string assemblyName, IEnumerable<(string Path, string Text)> sources)
	{
		var parseOptions = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose);
		var trees        = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parseOptions, s.Path, Encoding.UTF8)).ToList();

		var options = new CSharpCompilationOptions(
			OutputKind.DynamicallyLinkedLibrary,
			nullableContextOptions:  NullableContextOptions.Enable,
			generalDiagnosticOption: ReportDiagnostic.Error,
			warningLevel:            9999,
			// the SDK suppresses these assembly-unification notes too
			specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress });

		var compilation = CSharpCompilation.Create(assemblyName, trees, _references.Value, options);

		using var image = new MemoryStream();
		var result      = compilation.Emit(image);
		var problems    = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError).ToList();

		if (!result.Success || problems.Count > 0)
			throw new AssertionException("The generated code does not compile cleanly:" + Environment.NewLine + string.Join(Environment.NewLine, problems));

		return image.ToArray();
	}

	/// <summary>Loads a compiled image into its own load context (dependencies come from the test's own).</summary>
	public static Assembly Load(byte[] image) =>
		new AssemblyLoadContext("generated-model-" + Guid.NewGuid().ToString("N")).LoadFromStream(new MemoryStream(image));
}
