return await AuroraDsql.Local.Cli.CommandLineHost.RunAsync(args).ConfigureAwait(false);
