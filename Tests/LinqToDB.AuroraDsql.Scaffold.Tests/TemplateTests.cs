using LinqToDB.AuroraDsql.Scaffold.Templates;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>
/// <c>scaffold --customize file.tt</c>: the shipped starter template writes exactly the standard output, the records sample
/// customizes it (and its output compiles and works), and broken templates are reported with their lines.
/// </summary>
public sealed class TemplateTests
{
	static string WriteSample(TempDirectory folder, string sample)
	{
		var path = folder.File(sample + ".tt");
		File.WriteAllText(path, TemplateSamples.Read(sample));
		return path;
	}

	[Test]
	public void TheStarterTemplateReproducesThePascalGoldenFiles()
	{
		using var templates = new TempDirectory();
		using var output    = new TempDirectory();

		Cases.Generate(Cases.Pascal, output.Path, template: WriteSample(templates, "default"));

		GoldenFiles.AssertMatches("Pascal", output.Path);
	}

	[Test]
	public void TheStarterTemplateReproducesThePreservedNamesGoldenFiles()
	{
		using var templates = new TempDirectory();
		using var output    = new TempDirectory();

		Cases.Generate(Cases.Preserve, output.Path, template: WriteSample(templates, "default"));

		GoldenFiles.AssertMatches("Preserve", output.Path);
	}

	[Test]
	public void TheStarterTemplateReproducesTheOutputWithEveryTypeOptionAndConstraintAttribute()
	{
		using var templates = new TempDirectory();
		using var standard  = new TempDirectory();
		using var templated = new TempDirectory();

		Cases.Generate(Cases.Everything, standard.Path);
		Cases.Generate(Cases.Everything, templated.Path, template: WriteSample(templates, "default"));

		GoldenFiles.AssertSameFiles(standard.Path, templated.Path);
	}

	[Test]
	public void TheRecordsSampleWritesRecordsWithItsNamingRule()
	{
		using var templates = new TempDirectory();
		using var output    = new TempDirectory();

		Cases.Generate(Cases.Pascal, output.Path, template: WriteSample(templates, "records"));

		GoldenFiles.AssertMatches("Records", output.Path);
	}

	[Test]
	public void TheRecordsSampleCompilesAndWorks()
	{
		using var templates = new TempDirectory();
		using var output    = new TempDirectory();

		Cases.Generate(Cases.Pascal, output.Path, template: WriteSample(templates, "records"));

		const string probe = """
			using System;
			using System.Linq;

			using LinqToDB;
			using LinqToDB.Data;

			using Shop.Model;

			/// <summary>Uses the generated model.</summary>
			public static class Probe
			{
				/// <summary>Writes and reads rows; returns what came back.</summary>
				public static string Run(DataOptions options)
				{
					using var db = new ShopDb(options);

					var ownerId = (Guid)db.InsertWithIdentity(new OwnerRow { Name = "Rec", CreatedAt = DateTimeOffset.UtcNow });
					var petId   = db.InsertWithInt64Identity(new PetRow { OwnerId = ownerId, Name = "Rex", BirthDate = new DateOnly(2020, 1, 2) });

					var pet = db.Pets.LoadWith(p => p.Owner).Single(p => p.PetId == petId);
					var copy = pet with { Name = "Copy" };

					return pet.Owner.Name + "|" + pet.BirthDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + "|" + copy.Name + "|" + (copy.PetId == pet.PetId);
				}
			}
			""";

		CompiledModelTests.Run("RecordsModel", output.Path, probe).Should().Be("Rec|2020-01-02|Copy|True");
	}

	[Test]
	public void ACompileErrorNamesTheTemplateLine()
	{
		using var folder = new TempDirectory();
		var path = folder.File("broken.tt");
		File.WriteAllText(path, "<#@ template language=\"C#\" #>\n<# BeginFile(\"A.cs\"); #>\n<#= Model.NoSuchMember #>\n");

		var act = () => Cases.Generate(Cases.Pascal, folder.File("out"), template: path);

		act.Should().Throw<TemplateException>()
			.Which.Message.Should().Contain("does not compile").And.Contain("broken.tt(3,").And.Contain("NoSuchMember");
	}

	[Test]
	public void TextBeforeTheFirstFileIsAnError()
	{
		using var folder = new TempDirectory();
		var path = folder.File("stray.tt");
		File.WriteAllText(path, "<#@ template language=\"C#\" #>\nstray text\n<# BeginFile(\"A.cs\"); #>\n// a\n");

		var act = () => Cases.Generate(Cases.Pascal, folder.File("out"), template: path);

		act.Should().Throw<TemplateException>().Which.Message.Should().Contain("before its first BeginFile").And.Contain("stray text");
		Directory.Exists(folder.File("out")).Should().BeFalse("nothing is written when the template fails");
	}

	[Test]
	public void AnExceptionInTheTemplateIsReportedWithItsMessage()
	{
		using var folder = new TempDirectory();
		var path = folder.File("throws.tt");
		File.WriteAllText(path, "<#@ template language=\"C#\" #>\n<# BeginFile(\"A.cs\"); throw new InvalidOperationException(\"no tables for me\"); #>\n");

		var act = () => Cases.Generate(Cases.Pascal, folder.File("out"), template: path);

		act.Should().Throw<TemplateException>().Which.Message.Should().Contain("failed").And.Contain("InvalidOperationException: no tables for me");
	}

	[Test]
	public void ATemplateCanWriteFilesOfItsOwnAndReportErrors()
	{
		using var folder = new TempDirectory();
		var path = folder.File("own.tt");
		File.WriteAllText(path, """
			<#@ template language="C#" #>
			<#@ import namespace="System.Text" #>
			<# BeginFile("Tables.txt"); #>
			<# foreach (var e in Model.Entities.Where(e => !e.IsView)) { #>
			<#= e.Table.QualifiedName #>: <#= e.Properties.Count #> columns, <#= e.Table.Indexes.Count(i => !i.IsValid) #> invalid indexes
			<# } #>
			""");

		Cases.Generate(Cases.Pascal with { IncludeSchemas = ["extra"] }, folder.File("out"), template: path);

		File.ReadAllText(Path.Combine(folder.File("out"), "Tables.txt")).Should().Be("extra.audit_log: 3 columns, 0 invalid indexes\nextra.owner: 2 columns, 0 invalid indexes\n");

		File.WriteAllText(path, "<#@ template language=\"C#\" #>\n<# BeginFile(\"A.cs\"); Error(\"the schema has no table named x\"); #>\n");
		var act = () => Cases.Generate(Cases.Pascal, folder.File("out2"), template: path);
		act.Should().Throw<TemplateException>().Which.Message.Should().Contain("the schema has no table named x");
	}
}
