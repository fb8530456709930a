// The context of docs/schema.md's C# fragments (see DocSampleTests).
global using LinqToDB;
global using LinqToDB.Data;
global using LinqToDB.DataProvider.AuroraDsql;
global using LinqToDB.SchemaProvider;
