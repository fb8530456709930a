using System.Reflection;
using System.Runtime.Versioning;

namespace AuroraDsql.Tests;

/// <summary>Each build of this project runs on the runtime of its own target framework (net8.0 on .NET 8, not rolled forward).</summary>
public sealed class TargetFrameworkTests
{
	[Test]
	public void RunsOnTheRuntimeOfItsTargetFramework()
	{
		var target = new FrameworkName(typeof(TargetFrameworkTests).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName);

		Environment.Version.Major.Should().Be(target.Version.Major);
	}
}
