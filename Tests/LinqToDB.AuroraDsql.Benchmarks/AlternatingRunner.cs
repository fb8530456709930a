using System.Diagnostics;
using System.Globalization;
using System.Reflection;

using BenchmarkDotNet.Attributes;

namespace LinqToDB.AuroraDsql.Benchmarks;

/// <summary>
/// Runs a benchmark class's methods in one process, one after another within each round, for several rounds, and reports
/// each method's median time per operation and its rate against the baseline method. BenchmarkDotNet measures one method
/// after the other, so on a machine whose speed drifts over minutes (a shared VM) its ratios move with the drift;
/// alternating the methods exposes them all to the same drift. A complement to BenchmarkDotNet, not a replacement: no
/// process isolation, no statistics beyond medians and ranges.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project Tests/LinqToDB.AuroraDsql.Benchmarks -- --alternate &lt;benchmark class&gt; [rounds] [method …]</c>.
/// The first round is a warm-up and is not reported.
/// </remarks>
static class AlternatingRunner
{
	// Each method runs at least this long per round (invoked again and again), so that short operations are timed in bulk.
	static readonly TimeSpan MinimumPerRound = TimeSpan.FromMilliseconds(200);

	sealed record Method(MethodInfo Info, string Name, bool Baseline, string Category, int OperationsPerInvoke);

	public static async Task<int> RunAsync(string[] args)
	{
		if (args.Length == 0 || typeof(AlternatingRunner).Assembly.GetTypes().FirstOrDefault(t => t.Name == args[0]) is not { } type)
		{
			await Console.Error.WriteLineAsync("usage: --alternate <benchmark class, e.g. EndpointBenchmarks or LatencyBenchmarks> [rounds] [method …]");
			return 2;
		}

		var n       = 0;
		var counted = args.Length > 1 && int.TryParse(args[1], CultureInfo.InvariantCulture, out n);
		var rounds  = counted ? Math.Max(1, n) : 7;
		var only    = args.Skip(counted ? 2 : 1).ToHashSet(StringComparer.Ordinal);
		var methods = type.GetMethods()
			.Select(m => (Method: m, Benchmark: m.GetCustomAttribute<BenchmarkAttribute>()))
			.Where(m => m.Benchmark != null && (only.Count == 0 || only.Contains(m.Method.Name) || m.Benchmark.Baseline))
			.Select(m => new Method(m.Method, m.Benchmark!.Description ?? m.Method.Name, m.Benchmark.Baseline,
				m.Method.GetCustomAttribute<BenchmarkCategoryAttribute>()?.Categories.FirstOrDefault() ?? "",
				Math.Max(1, m.Benchmark.OperationsPerInvoke)))
			.OrderBy(m => m.Info.MetadataToken)
			.ToList();

		var instance = Activator.CreateInstance(type)!;
		await InvokeMarkedAsync<GlobalSetupAttribute>(instance);

		var times = methods.ToDictionary(m => m, _ => new List<double>());
		var allocated = methods.ToDictionary(m => m, _ => new List<double>());
		var cpu = methods.ToDictionary(m => m, _ => new List<double>());
		try
		{
			for (var round = 0; round <= rounds; round++)
			{
				foreach (var method in methods)
				{
					var (perOperation, bytesPerOperation, cpuPerOperation) = await MeasureAsync(instance, method);
					if (round > 0)
					{
						times[method].Add(perOperation);
						allocated[method].Add(bytesPerOperation);
						cpu[method].Add(cpuPerOperation);
					}
				}

				if (round > 0)
					Console.Error.Write($"\rround {round}/{rounds}");
			}
		}
		finally
		{
			Console.Error.WriteLine();
			await InvokeMarkedAsync<GlobalCleanupAttribute>(instance);
		}

		Report(methods, times, allocated, cpu, rounds);
		return 0;
	}

	static async Task<(double Microseconds, double Bytes, double CpuMicroseconds)> MeasureAsync(object instance, Method method)
	{
		var elapsed    = TimeSpan.Zero;
		var operations = 0L;
		var allocated  = 0L;
		var cpu        = 0.0;

		// CPU time is read around each invocation only when an iteration set-up runs between them (its work is not the
		// method's); otherwise around the whole run of invocations, since reading it between short operations (a single
		// round trip) would change what they measure: the threads they wake would have gone idle.
		var processes = MachineCpuTime.Processes();
		var setUpEach = instance.GetType().GetMethods().Any(m => m.GetCustomAttribute<IterationSetupAttribute>() != null);
		var cpuStart  = setUpEach ? 0 : MachineCpuTime.Milliseconds(processes);

		do
		{
			await InvokeMarkedAsync<IterationSetupAttribute>(instance);
			var cpuBefore = setUpEach ? MachineCpuTime.Milliseconds(processes) : 0;
			var before    = GC.GetTotalAllocatedBytes(precise: false);
			var watch     = Stopwatch.StartNew();
			await AwaitResult(method.Info.Invoke(instance, null));
			elapsed    += watch.Elapsed;
			allocated  += GC.GetTotalAllocatedBytes(precise: false) - before;
			if (setUpEach)
				cpu += Math.Max(0, MachineCpuTime.Milliseconds(processes) - cpuBefore); // a backend that ended took its time along
			operations += method.OperationsPerInvoke;
		}
		while (elapsed < MinimumPerRound);

		if (!setUpEach)
			cpu = Math.Max(0, MachineCpuTime.Milliseconds(processes) - cpuStart);

		return (elapsed.TotalMilliseconds * 1000 / operations, (double)allocated / operations, cpu * 1000 / operations); // µs, bytes, CPU µs per operation
	}

	static void Report(List<Method> methods, Dictionary<Method, List<double>> times, Dictionary<Method, List<double>> allocated, Dictionary<Method, List<double>> cpu, int rounds)
	{
		Console.WriteLine($"{rounds} alternating rounds after a warm-up; median time per operation; time ratio = method time / baseline time and");
		Console.WriteLine("rate = baseline time / method time, each the median of the rounds' ratios (range); allocated = bytes the whole process");
		Console.WriteLine("(client and, in process, the server side) allocated per operation, median; CPU = CPU time of this process and of the");
		Console.WriteLine("machine's PostgreSQL processes per operation, median (Linux only; against the time, it tells waiting from computing)");
		Console.WriteLine();
		Console.WriteLine($"| {"Method",-52} | {"Category",-10} | {"Median",12} | {"Time ratio",-20} | {"Rate vs baseline",-20} | {"Allocated",10} | {"CPU",10} |");
		Console.WriteLine($"|{new string('-', 54)}|{new string('-', 12)}|{new string('-', 13)}:|{new string('-', 22)}|{new string('-', 22)}|{new string('-', 11)}:|{new string('-', 11)}:|");

		foreach (var group in methods.GroupBy(m => m.Category))
		{
			var baseline = group.FirstOrDefault(m => m.Baseline);
			foreach (var method in group)
			{
				var ratio = baseline is null ? "" : RangeText(times[method].Zip(times[baseline], (m, b) => m / b).ToList(), "F2", "×");
				var rate  = baseline is null ? "" : RangeText(times[baseline].Zip(times[method], (b, m) => b / m * 100).ToList(), "F0", " %");
				var bytes = string.Create(CultureInfo.InvariantCulture, $"{Median(allocated[method]):F0} B");
				var cpuText = MachineCpuTime.IsAvailable ? Format(Median(cpu[method])) : "n/a";
				Console.WriteLine($"| {Quote(method.Name),-52} | {method.Category,-10} | {Format(Median(times[method])),12} | {ratio,-20} | {rate,-20} | {bytes,10} | {cpuText,10} |");
			}
		}

		// Every pair of the same category (row against column), so that a method can be compared with another than the
		// baseline (the endpoint with a relay) from the same rounds.
		foreach (var group in methods.GroupBy(m => m.Category).Where(g => g.Count() > 2))
		{
			var members = group.ToList();
			Console.WriteLine();
			Console.WriteLine($"{group.Key}: time ratio of the row to the column (median of the rounds' ratios)");
			Console.WriteLine();
			Console.WriteLine("| " + string.Join(" | ", members.Select(m => Quote(m.Name)).Prepend("")) + " |");
			Console.WriteLine("|" + string.Join("|", members.Select(_ => "---:").Prepend("---")) + "|");
			foreach (var row in members)
			{
				var cells = members.Select(column => Median(times[row].Zip(times[column], (r, c) => r / c).ToList()).ToString("F2", CultureInfo.InvariantCulture) + "×");
				Console.WriteLine("| " + string.Join(" | ", cells.Prepend(Quote(row.Name))) + " |");
			}
		}
	}

	static string RangeText(List<double> values, string format, string unit) =>
		string.Create(CultureInfo.InvariantCulture,
			$"{Median(values).ToString(format, CultureInfo.InvariantCulture)}{unit} ({values.Min().ToString(format, CultureInfo.InvariantCulture)}–{values.Max().ToString(format, CultureInfo.InvariantCulture)}{unit})");

	static string Quote(string name) => "'" + name + "'";

	static string Format(double microseconds) => microseconds >= 1000
		? string.Create(CultureInfo.InvariantCulture, $"{microseconds / 1000:F1} ms")
		: string.Create(CultureInfo.InvariantCulture, $"{microseconds:F1} us");

	static double Median(List<double> values)
	{
		var sorted = values.Order().ToList();
		return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
	}

	static async Task InvokeMarkedAsync<TAttribute>(object instance)
		where TAttribute : Attribute
	{
		foreach (var method in instance.GetType().GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() != null))
			await AwaitResult(method.Invoke(instance, null));
	}

	static async Task AwaitResult(object? result)
	{
		switch (result)
		{
			case Task task:
				await task.ConfigureAwait(false);
				break;
			case ValueTask valueTask:
				await valueTask.ConfigureAwait(false);
				break;
		}
	}
}
