using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(LinqToDB.AuroraDsql.Benchmarks.EndpointBenchmarks).Assembly).Run(args);
