using PetClinic;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
	e.Cancel = true;
	cancellation.Cancel();
};

return await PetClinicApp.RunAsync(Console.Out, Environment.GetEnvironmentVariable, cancellation.Token);
