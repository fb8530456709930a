namespace PetClinic.Api;

/// <summary>The API's own log messages.</summary>
static partial class ApiLog
{
	[LoggerMessage(1, LogLevel.Information, "Pet clinic API on {Database}")]
	public static partial void Started(this ILogger logger, string database);

	[LoggerMessage(2, LogLevel.Information, "Schema: {Step} {ObjectName} {JobStatus}")]
	public static partial void SchemaStep(this ILogger logger, LinqToDB.DataProvider.AuroraDsql.AuroraDsqlSchemaStep step, string objectName, string? jobStatus);
}
