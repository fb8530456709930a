// The context of README.md's C# fragments (see DocSampleTests).
global using Amazon.Runtime;
global using AuroraDsql.Local;
global using LinqToDB;
global using LinqToDB.DataProvider.AuroraDsql;
