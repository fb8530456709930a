using AuroraDsql.Sql;

namespace AuroraDsql.Rules;

/// <summary>
/// A statement seen through its tokens: the leading key words (past <c>EXPLAIN</c> and <c>PREPARE … AS</c>), the kind of
/// object a CREATE/ALTER/DROP is about, and helpers to walk parenthesized lists at the top level. Literals, quoted
/// identifiers and comments are single tokens (or none), so text inside them never looks like a key word.
/// </summary>
sealed class StatementShape
{
	public StatementShape(SqlStatement statement)
	{
		Statement = statement;
		Count     = statement.Tokens.Count;

		var k = 0;
		if (Kw(0, "explain"))
		{
			IsExplain = true;
			k = 1;
			if (Sym(k, "("))
			{
				var close = MatchParen(k);
				for (var i = k + 1; i < close; i++)
				{
					if ((Kw(i, "analyze") || Kw(i, "analyse")) && !(Kw(i + 1, "false") || Kw(i + 1, "off") || IsNumber(i + 1, "0")))
						ExplainAnalyze = true;
				}

				k = close + 1;
			}
			else
			{
				while (Kw(k, "analyze") || Kw(k, "analyse") || Kw(k, "verbose"))
				{
					if (!Kw(k, "verbose"))
						ExplainAnalyze = true;
					k++;
				}
			}
		}
		else if (Kw(0, "prepare") && !Kw(1, "transaction") && Name(1) is not null)
		{
			IsPrepare = true;
			k = 2;
			if (Sym(k, "("))
				k = MatchParen(k) + 1;
			if (Kw(k, "as"))
				k++;
		}

		First = Math.Min(k, Count);
		Verb  = First < Count && Tokens[First].Kind == TokenKind.Identifier ? Lower(First) : "";

		if (Verb == "with")
			ParseWith();
		else
		{
			MainVerb  = Verb;
			MainIndex = First;
		}

		switch (Verb)
		{
			case "create":
				ParseCreate();
				break;
			case "alter" or "drop" or "comment" or "security":
				ObjectKind  = ObjectWords(First + 1, out var end);
				ObjectIndex = end;
				break;
		}
	}

	/// <summary>The statement.</summary>
	public SqlStatement Statement { get; }

	/// <summary>The whole text the statement is part of (token offsets refer to it).</summary>
	public string Text => Statement.Text;

	/// <summary>The statement's tokens.</summary>
	public IReadOnlyList<Token> Tokens => Statement.Tokens;

	/// <summary>Number of tokens.</summary>
	public int Count { get; }

	/// <summary>Index of the first token of the statement proper (past <c>EXPLAIN …</c> or <c>PREPARE name AS</c>).</summary>
	public int First { get; }

	/// <summary>The statement proper's first key word in lower case ("" when it does not start with one).</summary>
	public string Verb { get; }

	/// <summary>The statement is <c>EXPLAIN …</c>; <see cref="Verb"/> is the explained statement's.</summary>
	public bool IsExplain { get; }

	/// <summary><c>EXPLAIN ANALYZE</c>: the explained statement runs.</summary>
	public bool ExplainAnalyze { get; }

	/// <summary>The statement is <c>PREPARE name AS …</c>; <see cref="Verb"/> is the prepared statement's.</summary>
	public bool IsPrepare { get; }

	/// <summary>
	/// The verb of the main statement: for <c>WITH … main</c> the main statement's (<c>select</c>, <c>insert</c>…), otherwise
	/// <see cref="Verb"/>.
	/// </summary>
	public string MainVerb { get; private set; } = "";

	/// <summary>Index of <see cref="MainVerb"/>'s token (<see cref="Count"/> when not found).</summary>
	public int MainIndex { get; private set; }

	/// <summary><c>WITH</c>: a common table expression is INSERT, UPDATE, DELETE or MERGE.</summary>
	public bool HasModifyingCte { get; private set; }

	/// <summary>
	/// CREATE/ALTER/DROP/COMMENT: the object kind in lower case (<c>table</c>, <c>index</c>, <c>materialized view</c>,
	/// <c>trigger</c>, <c>event trigger</c>, <c>function</c>…); "" when unknown.
	/// </summary>
	public string ObjectKind { get; private set; } = "";

	/// <summary>Index of the token after the object kind's words (the object's name, or <c>IF [NOT] EXISTS</c>).</summary>
	public int ObjectIndex { get; private set; }

	/// <summary>CREATE: <c>OR REPLACE</c>.</summary>
	public bool OrReplace { get; private set; }

	/// <summary>CREATE: the <c>TEMP</c>/<c>TEMPORARY</c> modifier as written (lower case), or <see langword="null"/>.</summary>
	public string? Temporary { get; private set; }

	/// <summary>CREATE: <c>UNLOGGED</c>.</summary>
	public bool Unlogged { get; private set; }

	/// <summary>CREATE: <c>UNIQUE</c> (indexes).</summary>
	public bool Unique { get; private set; }

	/// <summary>CREATE TRIGGER: <c>CONSTRAINT TRIGGER</c>.</summary>
	public bool ConstraintTrigger { get; private set; }

	/// <summary><c>WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (body) [SEARCH …] [CYCLE …], … main</c>.</summary>
	void ParseWith()
	{
		MainIndex = Count;
		var k = First + 1;
		if (Kw(k, "recursive"))
			k++;

		while (k < Count)
		{
			// name [(columns)] AS [NOT] [MATERIALIZED] ( body )
			k++;
			if (Sym(k, "("))
				k = MatchParen(k) + 1;
			if (!Kw(k, "as"))
				return;
			k++;
			if (Kw(k, "not"))
				k++;
			if (Kw(k, "materialized"))
				k++;
			if (!Sym(k, "("))
				return;

			if (KwAny(k + 1, "insert", "update", "delete", "merge"))
				HasModifyingCte = true;
			k = MatchParen(k) + 1;

			// SEARCH/CYCLE clauses, then ',' (another CTE) or the main statement
			while (k < Count && !Sym(k, ",") && !KwAny(k, "select", "insert", "update", "delete", "merge", "values", "table", "with"))
			{
				if (Sym(k, "("))
					k = MatchParen(k);
				k++;
			}

			if (Sym(k, ","))
			{
				k++;
				continue;
			}

			if (k < Count)
			{
				MainIndex = k;
				MainVerb  = Lower(k);
				if (MainVerb == "with")
					MainVerb = "";
			}

			return;
		}
	}

	void ParseCreate()
	{
		var k = First + 1;
		if (Kw(k, "or") && Kw(k + 1, "replace"))
		{
			OrReplace = true;
			k += 2;
		}

		while (true)
		{
			if (Kw(k, "global") || Kw(k, "local"))
				k++;
			else if (Kw(k, "temp") || Kw(k, "temporary"))
			{
				Temporary = Lower(k);
				k++;
			}
			else if (Kw(k, "unlogged"))
			{
				Unlogged = true;
				k++;
			}
			else if (Kw(k, "unique"))
			{
				Unique = true;
				k++;
			}
			else if (Kw(k, "trusted") || Kw(k, "procedural") || Kw(k, "recursive") || Kw(k, "default"))
				k++;
			else if (Kw(k, "constraint") && Kw(k + 1, "trigger"))
			{
				ConstraintTrigger = true;
				k++;
			}
			else
				break;
		}

		ObjectKind  = ObjectWords(k, out var end);
		ObjectIndex = end;
	}

	/// <summary>Reads the object kind starting at <paramref name="k"/> (one or two key words).</summary>
	string ObjectWords(int k, out int end)
	{
		end = k;
		if (k >= Count || Tokens[k].Kind != TokenKind.Identifier)
			return "";

		var first = Lower(k);
		var two = first switch
		{
			"materialized" or "event" or "foreign" or "access" or "text" or "user" or "default" or "large" or "operator" when k + 1 < Count && Tokens[k + 1].Kind == TokenKind.Identifier
				=> first + " " + Lower(k + 1),
			_ => null,
		};

		if (two is "materialized view" or "event trigger" or "foreign table" or "foreign data" or "access method" or "text search" or "user mapping"
			or "default privileges" or "large object" or "operator class" or "operator family")
		{
			end = k + 2;
			return two;
		}

		end = k + 1;
		return first;
	}

	// ---- token tests --------------------------------------------------------------------------------------------

	/// <summary>True when token <paramref name="i"/> is the unquoted key word.</summary>
	public bool Kw(int i, string keyword) => Statement.IsKeyword(i, keyword);

	/// <summary>True when token <paramref name="i"/> is one of the unquoted key words.</summary>
	public bool KwAny(int i, params string[] keywords)
	{
		foreach (var keyword in keywords)
		{
			if (Statement.IsKeyword(i, keyword))
				return true;
		}

		return false;
	}

	/// <summary>True when token <paramref name="i"/> is the punctuation or operator.</summary>
	public bool Sym(int i, string symbol) => Statement.IsSymbol(i, symbol);

	/// <summary>The (folded) name of token <paramref name="i"/> if it is an identifier.</summary>
	public string? Name(int i) => Statement.NameAt(i);

	/// <summary>True when token <paramref name="i"/> is a number with exactly this text.</summary>
	public bool IsNumber(int i, string text) => i < Count && Tokens[i].Kind == TokenKind.Number && TokenText(i) == text;

	/// <summary>The token's text in lower case (key words, identifiers).</summary>
	public string Lower(int i) => TokenText(i).ToLowerInvariant();

	/// <summary>The token's text as written.</summary>
	public string TokenText(int i) => Statement.TokenText(i);

	/// <summary>The text from token <paramref name="from"/> to the token before <paramref name="to"/>, as written.</summary>
	public string TextOf(int from, int to) => from >= to || from >= Count ? "" : Text[Tokens[from].Start..Tokens[Math.Min(to, Count) - 1].End];

	/// <summary>The index of the parenthesis closing the one at <paramref name="open"/> (<see cref="Count"/> if unbalanced).</summary>
	public int MatchParen(int open)
	{
		var depth = 0;
		for (var i = open; i < Count; i++)
		{
			if (Sym(i, "(") || Sym(i, "["))
				depth++;
			else if (Sym(i, ")") || Sym(i, "]"))
			{
				depth--;
				if (depth == 0)
					return i;
			}
		}

		return Count;
	}

	/// <summary>The first index in [<paramref name="from"/>, <paramref name="to"/>) at parenthesis depth 0 holding the key word, or -1.</summary>
	public int FindTopLevel(string keyword, int from, int to = int.MaxValue)
	{
		to = Math.Min(to, Count);
		for (var i = from; i < to; i++)
		{
			if (Sym(i, "(") || Sym(i, "["))
				i = MatchParen(i);
			else if (Kw(i, keyword))
				return i;
		}

		return -1;
	}

	/// <summary>Splits [<paramref name="from"/>, <paramref name="to"/>) at top-level commas; each part as [Start, End).</summary>
	public List<(int Start, int End)> SplitTopLevel(int from, int to)
	{
		var parts = new List<(int, int)>();
		var start = from;
		for (var i = from; i < to; i++)
		{
			if (Sym(i, "(") || Sym(i, "["))
				i = Math.Min(MatchParen(i), to - 1);
			else if (Sym(i, ","))
			{
				parts.Add((start, i));
				start = i + 1;
			}
		}

		if (start < to)
			parts.Add((start, to));
		return parts;
	}

	/// <summary>The index after a possibly qualified name (<c>a</c>, <c>a.b</c>, <c>a.b.c</c>) at <paramref name="i"/>; <paramref name="i"/> when there is none.</summary>
	public int SkipQualifiedName(int i)
	{
		if (Name(i) is null)
			return i;
		i++;
		while (Sym(i, ".") && Name(i + 1) is not null)
			i += 2;
		return i;
	}

	/// <summary>Index past <c>IF EXISTS</c> / <c>IF NOT EXISTS</c> at <paramref name="i"/>, or <paramref name="i"/>.</summary>
	public int SkipIfExists(int i)
	{
		if (Kw(i, "if") && Kw(i + 1, "not") && Kw(i + 2, "exists"))
			return i + 3;
		if (Kw(i, "if") && Kw(i + 1, "exists"))
			return i + 2;
		return i;
	}

	/// <summary>Computes a value once per statement (parsed parts shared by several rules).</summary>
	public T Memo<T>(string key, Func<StatementShape, T> factory)
	{
		_memo ??= new Dictionary<string, object?>(StringComparer.Ordinal);
		if (_memo.TryGetValue(key, out var value))
			return (T)value!;

		var created = factory(this);
		_memo[key] = created;
		return created;
	}

	Dictionary<string, object?>? _memo;

	public override string ToString() => Statement.StatementText;
}
