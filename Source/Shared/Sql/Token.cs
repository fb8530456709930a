namespace AuroraDsql.Sql;

/// <summary>A token: its kind and where it is in the lexed text.</summary>
readonly record struct Token(TokenKind Kind, int Start, int Length)
{
	public int End => Start + Length;
}
