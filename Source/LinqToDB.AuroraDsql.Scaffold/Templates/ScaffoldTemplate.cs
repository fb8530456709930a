using System.Globalization;
using System.Text;

using LinqToDB.AuroraDsql.Scaffold.Model;

using Microsoft.VisualStudio.TextTemplating;

namespace LinqToDB.AuroraDsql.Scaffold.Templates;

/// <summary>
/// The base class of a customization template (<c>linq2db-dsql scaffold --customize file.tt</c>). A template gets the schema
/// the tool read, with every name and type decided, as <see cref="Model"/>; it may change the model, and it writes the
/// files: <see cref="BeginFile"/> starts one, and what the template writes until the next <see cref="BeginFile"/> is its
/// content. Templates need no <c>inherits</c> directive (the tool sets this class) and have the namespaces <c>System</c>,
/// <c>System.Linq</c>, <c>System.Collections.Generic</c>, <c>LinqToDB.AuroraDsql.Scaffold.Model</c> and
/// <c>LinqToDB.AuroraDsql.Scaffold.Templates</c> imported; <see cref="ScaffoldCode"/> writes the standard pieces.
/// </summary>
public abstract class ScaffoldTemplate : TextTransformation
{
	readonly List<(string Name, string Content)> _files = [];
	string? _currentFile;

	/// <summary>The model to write. Set before <see cref="TextTransformation.TransformText"/> runs.</summary>
	public ScaffoldModel Model { get; internal set; } = null!;

	/// <summary>Formats expression blocks (<c>&lt;#= … #&gt;</c>) in the invariant culture.</summary>
	public ToStringInstanceHelper ToStringHelper { get; } = new();

	/// <summary>
	/// Starts the output file <paramref name="fileName"/> (relative to the output folder, no folders): what the template writes
	/// from here to the next call, or to its end, is the file's content.
	/// </summary>
	public void BeginFile(string fileName)
	{
		ArgumentException.ThrowIfNullOrWhiteSpace(fileName);

		if (fileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || fileName.Contains('/', StringComparison.Ordinal) || fileName.Contains('\\', StringComparison.Ordinal) || fileName is "." or "..")
			throw new ArgumentException($"'{fileName}' is not a file name (the template writes into the output folder, without sub-folders).", nameof(fileName));

		if (_files.Exists(f => string.Equals(f.Name, fileName, StringComparison.OrdinalIgnoreCase)) || string.Equals(_currentFile, fileName, StringComparison.OrdinalIgnoreCase))
			throw new ArgumentException($"The template writes '{fileName}' twice.", nameof(fileName));

		CloseFile(GenerationEnvironment.ToString());
		GenerationEnvironment = new StringBuilder();
		_currentFile = fileName;
	}

	/// <summary>Runs the template and returns the files it wrote, in the order it started them.</summary>
	internal IReadOnlyList<(string Name, string Content)> Run()
	{
		Initialize();
		var rest = TransformText();
		CloseFile(rest);

		if (_files.Count == 0)
			throw new TemplateException("The template wrote no file: call BeginFile(name) before the content of each file.", []);

		return _files;
	}

	void CloseFile(string content)
	{
		if (_currentFile is null)
		{
			if (!string.IsNullOrWhiteSpace(content))
				throw new TemplateException("The template wrote text before its first BeginFile(name) call: " + Excerpt(content), []);
			return;
		}

		_files.Add((_currentFile, content));
		_currentFile = null;
	}

	static string Excerpt(string text)
	{
		var trimmed = text.Trim();
		return "\"" + (trimmed.Length > 60 ? trimmed[..60] + "…" : trimmed) + "\"";
	}

	/// <summary>Errors and warnings the template reported with <see cref="TextTransformation.Error"/> and <see cref="TextTransformation.Warning"/>.</summary>
	internal IEnumerable<(bool IsWarning, string Text)> Messages =>
		Errors.Cast<System.CodeDom.Compiler.CompilerError>().Select(e => (e.IsWarning, e.ErrorText));

	/// <summary>Turns the values of expression blocks into text.</summary>
	public sealed class ToStringInstanceHelper
	{
		/// <summary>The value as text, in the invariant culture; <see langword="null"/> is empty.</summary>
#pragma warning disable CA1822 // an instance method: the code the T4 engine writes calls this.ToStringHelper.ToStringWithCulture(…)
		public string ToStringWithCulture(object? value) => value switch
#pragma warning restore CA1822
		{
			null                     => "",
			string text              => text,
			IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
			_                        => value.ToString() ?? "",
		};
	}
}
