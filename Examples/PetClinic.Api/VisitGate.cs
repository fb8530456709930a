namespace PetClinic.Api;

/// <summary>
/// Called by the visit endpoint between reading a vet's visits and writing them. Does nothing here; the API's tests
/// replace it to hold two requests until both have read, so that their writes conflict as they would under load.
/// </summary>
public class VisitGate
{
	/// <summary>Called after the read of attempt <paramref name="attempt"/> (1-based).</summary>
	public virtual Task AfterReadAsync(int attempt, CancellationToken cancellationToken) => Task.CompletedTask;
}
