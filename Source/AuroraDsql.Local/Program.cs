using AuroraDsql.Local.Backend;

var cluster = await PostgresCluster.StartAsync().ConfigureAwait(false);
Console.WriteLine(cluster.SuperUserConnectionString);
Console.WriteLine(cluster.DataDirectory);
await Task.Delay(1000).ConfigureAwait(false);
await cluster.DisposeAsync().ConfigureAwait(false);
Console.WriteLine(Directory.Exists(cluster.DataDirectory));
