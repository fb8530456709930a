namespace LinqToDB.AuroraDsql.Scaffold.Options;

/// <summary>The accepted values of the options that take one of a few words, shared by the command line and the options file.</summary>
static class Choices
{
	public static readonly string[] ClassNaming     = ["pascal", "preserve"];
	public static readonly string[] DateType        = ["dateonly", "datetime"];
	public static readonly string[] TimeType        = ["timeonly", "timespan"];
	public static readonly string[] TimestampTzType = ["datetimeoffset", "datetime"];
	public static readonly string[] JsonType        = ["string", "jsondocument"];
}
