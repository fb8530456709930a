using System.CodeDom.Compiler;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;

using LinqToDB.AuroraDsql.Scaffold.Generation;
using LinqToDB.AuroraDsql.Scaffold.Model;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

using Mono.TextTemplating;

namespace LinqToDB.AuroraDsql.Scaffold.Templates;

/// <summary>
/// Runs a customization template: Mono.TextTemplating parses it and writes the C# of its transformation class (derived from
/// <see cref="ScaffoldTemplate"/>), Roslyn compiles that in process against the tool's own assemblies, and the class runs in a
/// collectible load context. Nothing outside the tool is needed (no SDK, no csc on the machine).
/// </summary>
static class TemplateRunner
{
	const string GeneratedNamespace = "LinqToDB.AuroraDsql.Scaffold.Templates.Generated";
	const string GeneratedClass     = "CustomizationTemplate";

	static readonly string[] _imports =
	[
		"System", "System.Linq", "System.Collections.Generic", "LinqToDB.AuroraDsql.Scaffold.Model", "LinqToDB.AuroraDsql.Scaffold.Templates",
	];

	static readonly Lazy<IReadOnlyList<string>> _platformReferences = new(() =>
		((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
			.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
			.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
			.Append(typeof(ScaffoldTemplate).Assembly.Location)
			.Append(typeof(Microsoft.VisualStudio.TextTemplating.TextTransformation).Assembly.Location)
			.Append(typeof(CompilerError).Assembly.Location)
			.Where(p => p.Length > 0)
			.DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
			.ToList());

	/// <summary>Runs the template file on the model and returns the files it wrote (LF line endings, ordered by name).</summary>
	public static IReadOnlyList<GeneratedFile> Run(string templatePath, ScaffoldModel model, Action<string>? warning = null)
	{
		ArgumentNullException.ThrowIfNull(templatePath);
		ArgumentNullException.ThrowIfNull(model);

		var fullPath = Path.GetFullPath(templatePath);
		if (!File.Exists(fullPath))
			throw new TemplateException($"The template '{fullPath}' does not exist.", []);

		var (code, references) = Preprocess(fullPath, File.ReadAllText(fullPath));
		var image              = Compile(fullPath, code, references);
		var context            = new TemplateLoadContext(references);

		try
		{
			var assembly = context.LoadFromStream(new MemoryStream(image));
			var template = (ScaffoldTemplate)Activator.CreateInstance(assembly.GetType(GeneratedNamespace + "." + GeneratedClass, throwOnError: true)!)!;
			template.Model = model;

			IReadOnlyList<(string Name, string Content)> files;
			try
			{
				files = template.Run();
			}
			catch (TemplateException)
			{
				throw;
			}
			catch (Exception ex) when (ex is not OutOfMemoryException)
			{
				var inner = ex is TargetInvocationException { InnerException: { } e } ? e : ex;
				throw new TemplateException($"The template '{fullPath}' failed: {inner.GetType().Name}: {inner.Message}", inner);
			}

			foreach (var (_, text) in template.Messages.Where(m => m.IsWarning))
				warning?.Invoke(text);

			var errors = template.Messages.Where(m => !m.IsWarning).Select(m => m.Text).ToList();
			if (errors.Count > 0)
				throw new TemplateException($"The template '{fullPath}' reported errors:", errors);

			return files
				.Select(f => new GeneratedFile(f.Name, f.Content.Replace("\r\n", "\n", StringComparison.Ordinal)))
				.OrderBy(f => f.Name, StringComparer.Ordinal)
				.ToList();
		}
		finally
		{
			context.Unload();
		}
	}

	/// <summary>Parses the template and writes the C# of its class; returns the code and the files its assembly directives name.</summary>
	static (string Code, IReadOnlyList<string> References) Preprocess(string path, string content)
	{
		var generator = new TemplateGenerator();
		generator.Imports.AddRange(_imports);
		generator.ReferencePaths.Add(Path.GetDirectoryName(path)!);

		var parsed = generator.ParseTemplate(path, content);
		ThrowOnErrors(path, "could not be read", parsed.Errors);

		var settings = TemplatingEngine.GetSettings(generator, parsed);
		ThrowOnErrors(path, "could not be read", parsed.Errors);

		if (!string.Equals(settings.Language, "C#", StringComparison.OrdinalIgnoreCase) && !string.Equals(settings.Language, "C#v3.5", StringComparison.OrdinalIgnoreCase))
			throw new TemplateException($"The template '{path}' is written in '{settings.Language}'; linq2db-dsql runs C# templates (<#@ template language=\"C#\" #>).", []);

		if (string.IsNullOrEmpty(settings.Inherits))
			settings.Inherits = "global::" + typeof(ScaffoldTemplate).FullName;

		settings.Name      = GeneratedClass;
		settings.Namespace = GeneratedNamespace;

		var code = generator.PreprocessTemplate(parsed, path, content, settings, out var references);
		ThrowOnErrors(path, "could not be read", generator.Errors);
		ThrowOnErrors(path, "could not be read", parsed.Errors);

		return (code, (references ?? []).Where(File.Exists).ToList());
	}

	static byte[] Compile(string path, string code, IReadOnlyList<string> references)
	{
		var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest), path + ".cs", Encoding.UTF8);

		var metadata = _platformReferences.Value
			.Concat(references)
			.DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
			.Select(p => MetadataReference.CreateFromFile(p));

		var compilation = CSharpCompilation.Create(
			"linq2db-dsql-template-" + Guid.NewGuid().ToString("N"),
			[tree],
			metadata,
			new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable, optimizationLevel: OptimizationLevel.Release));

		using var image = new MemoryStream();
		var result      = compilation.Emit(image);

		if (!result.Success)
		{
			var errors = result.Diagnostics
				.Where(d => d.Severity == DiagnosticSeverity.Error)
				.Select(d =>
				{
					var span = d.Location.GetMappedLineSpan();
					var file = span.HasMappedPath ? span.Path : Path.GetFileName(path);
					return $"{file}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
				})
				.ToList();

			throw new TemplateException($"The template '{path}' does not compile:", errors);
		}

		return image.ToArray();
	}

	static void ThrowOnErrors(string path, string what, CompilerErrorCollection errors)
	{
		var list = errors.Cast<CompilerError>().Where(e => !e.IsWarning).ToList();
		if (list.Count == 0)
			return;

		throw new TemplateException(
			$"The template '{path}' {what}:",
			list.Select(e => $"{(string.IsNullOrEmpty(e.FileName) ? Path.GetFileName(path) : Path.GetFileName(e.FileName))}({e.Line},{e.Column}): {e.ErrorText}").ToList());
	}

	/// <summary>Loads the compiled template; the tool's assemblies come from the default context, assembly directives from their files.</summary>
	sealed class TemplateLoadContext(IReadOnlyList<string> references) : AssemblyLoadContext("linq2db-dsql-template", isCollectible: true)
	{
		protected override Assembly? Load(AssemblyName assemblyName)
		{
			if (Default.Assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(assemblyName, a.GetName())))
				return null;

			var path = references.FirstOrDefault(r => string.Equals(Path.GetFileNameWithoutExtension(r), assemblyName.Name, StringComparison.OrdinalIgnoreCase));
			return path is null ? null : LoadFromAssemblyPath(path);
		}
	}
}
