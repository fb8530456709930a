// The context of docs/connecting.md's C# fragments (see DocSampleTests).
global using Amazon;
global using Amazon.Runtime;
global using LinqToDB.DataProvider.AuroraDsql;

static partial class DocumentSamples
{
	static readonly AWSCredentials credentials = new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
}
