namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>A directory under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
	public TempDirectory()
	{
		Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "linq2db-dsql-tests-" + Guid.NewGuid().ToString("N")[..12]);
		Directory.CreateDirectory(Path);
	}

	public string Path { get; }

	public string File(string name) => System.IO.Path.Combine(Path, name);

	public void Dispose()
	{
		try
		{
			Directory.Delete(Path, recursive: true);
		}
		catch (IOException)
		{
			// best effort
		}
	}
}
