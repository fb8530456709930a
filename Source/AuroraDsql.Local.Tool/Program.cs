return await AuroraDsql.Local.Tool.Cli.CommandLineHost.RunAsync(args).ConfigureAwait(false);
