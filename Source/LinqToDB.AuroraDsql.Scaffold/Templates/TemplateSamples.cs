namespace LinqToDB.AuroraDsql.Scaffold.Templates;

/// <summary>The sample templates shipped in the tool (<c>Templates/Samples/*.tt</c>, embedded).</summary>
static class TemplateSamples
{
	/// <summary>The samples <c>linq2db-dsql template --sample</c> accepts.</summary>
	public static readonly string[] Names = ["default", "records"];

	/// <summary>The text of a sample.</summary>
	public static string Read(string name)
	{
		ArgumentNullException.ThrowIfNull(name);

		var resource = name.ToLowerInvariant() switch
		{
			"default" => "Default.tt",
			"records" => "Records.tt",
			_         => throw new ArgumentException($"There is no sample template '{name}'; the samples are {string.Join(", ", Names)}.", nameof(name)),
		};

		using var stream = typeof(TemplateSamples).Assembly.GetManifestResourceStream("Samples." + resource)
			?? throw new InvalidOperationException($"The sample template {resource} is missing from the tool.");
		using var reader = new StreamReader(stream);
		return reader.ReadToEnd();
	}
}
