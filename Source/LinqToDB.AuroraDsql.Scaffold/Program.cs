using LinqToDB.AuroraDsql.Scaffold;

return await CommandLine.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
