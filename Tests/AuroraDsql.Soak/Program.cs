using System.Globalization;

using AuroraDsql.Soak;

// dotnet run -c Release --project Tests/AuroraDsql.Soak -- [--minutes N] [--seed S] [--report FILE]
var minutes = 10.0;
var seed    = 20261207;
string? report = null;

for (var k = 0; k < args.Length; k++)
{
	switch (args[k])
	{
		case "--minutes" when k + 1 < args.Length:
			minutes = double.Parse(args[++k], CultureInfo.InvariantCulture);
			break;
		case "--seed" when k + 1 < args.Length:
			seed = int.Parse(args[++k], CultureInfo.InvariantCulture);
			break;
		case "--report" when k + 1 < args.Length:
			report = args[++k];
			break;
		default:
			await Console.Error.WriteLineAsync("usage: AuroraDsql.Soak [--minutes N] [--seed S] [--report FILE]");
			return 2;
	}
}

return await SoakRun.RunAsync(TimeSpan.FromMinutes(minutes), seed, report);
