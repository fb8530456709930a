using BenchmarkDotNet.Running;

using LinqToDB.AuroraDsql.Benchmarks;

if (args is ["--alternate", .. var rest])
	return await AlternatingRunner.RunAsync(rest);

BenchmarkSwitcher.FromAssembly(typeof(EndpointBenchmarks).Assembly).Run(args);
return 0;
