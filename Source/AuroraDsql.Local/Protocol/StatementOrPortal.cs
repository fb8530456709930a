namespace AuroraDsql.Local.Protocol;

/// <summary>What a Describe or Close message is about (its first byte).</summary>
enum StatementOrPortal : byte
{
	Statement = (byte)'S',
	Portal    = (byte)'P',
}
