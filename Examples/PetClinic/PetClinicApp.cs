namespace PetClinic;

/// <summary>Runs the example; used by <c>Program</c> and by the test suite.</summary>
public static class PetClinicApp
{
	/// <summary>Runs the walk-through and returns the process exit code (0 on success).</summary>
	public static async Task<int> RunAsync(TextWriter output, Func<string, string?> environment, CancellationToken cancellationToken = default)
	{
		try
		{
			await using var target = await ClinicTarget.ResolveAsync(environment, cancellationToken);
			output.WriteLine($"Pet clinic on {target.Description}");

			await new ClinicScenario(target.Options, output).RunAsync(cancellationToken);

			output.WriteLine("Done: every check passed.");
			return 0;
		}
		catch (Exception ex) when (ex is not OperationCanceledException)
		{
			output.WriteLine($"FAILED: {ex.GetType().Name}: {ex.Message}");
			return 1;
		}
	}
}
