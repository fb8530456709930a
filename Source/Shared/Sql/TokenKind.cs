namespace AuroraDsql.Sql;

/// <summary>Kinds of PostgreSQL lexical tokens (whitespace and comments are skipped, not tokens).</summary>
enum TokenKind : byte
{
	/// <summary>An unquoted identifier or key word (<c>select</c>, <c>my_table</c>).</summary>
	Identifier,

	/// <summary>A quoted identifier: <c>"Name"</c> or <c>U&amp;"d\0061t"</c>.</summary>
	QuotedIdentifier,

	/// <summary>A string constant: <c>'x'</c>, <c>E'\n'</c>, <c>U&amp;'\0041'</c>, <c>N'x'</c>, <c>$tag$…$tag$</c>.</summary>
	String,

	/// <summary>A bit-string constant: <c>B'1010'</c>, <c>X'1F'</c>.</summary>
	BitString,

	/// <summary>A numeric constant.</summary>
	Number,

	/// <summary>An operator: <c>+</c>, <c>&lt;=</c>, <c>@&gt;</c>, <c>||</c>, …</summary>
	Operator,

	/// <summary>A positional parameter: <c>$1</c>.</summary>
	Parameter,

	/// <summary>One of <c>( ) [ ] , ; : . ::</c> and <c>:=</c>, <c>=&gt;</c>.</summary>
	Punctuation,

	/// <summary>Text that could not be lexed: an unterminated quote or comment. The rest of the input is in this token.</summary>
	Error,
}
