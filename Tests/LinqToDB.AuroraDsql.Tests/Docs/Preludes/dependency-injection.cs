// The context of docs/dependency-injection.md's C# fragments (see DocSampleTests).
global using LinqToDB;
global using LinqToDB.Async;
global using LinqToDB.Data;
global using LinqToDB.DataProvider.AuroraDsql;
global using LinqToDB.Mapping;
global using Microsoft.AspNetCore.Builder;
global using Microsoft.Extensions.Configuration;
global using Microsoft.Extensions.DependencyInjection;

static partial class DocumentSamples
{
	static readonly string[]           args          = [];
	static readonly IServiceCollection services      = new ServiceCollection();
	static readonly IConfiguration     configuration = new ConfigurationBuilder().Build();
}

[Table("owner")]
public class Owner
{
	[PrimaryKey, Identity] public Guid   Id   { get; set; }
	[Column, NotNull]      public string Name { get; set; } = "";
}

public sealed class BillingDb(DataOptions<BillingDb> options) : DataConnection(options.Options);
