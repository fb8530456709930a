namespace AuroraDsql.Rules;

/// <summary>
/// <c>CREATE [UNIQUE] INDEX [ASYNC | CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY] table [USING method] (keys)
/// [INCLUDE (columns)] [NULLS [NOT] DISTINCT] [WITH (…)] [TABLESPACE t] [WHERE predicate]</c>, as token ranges.
/// </summary>
sealed class IndexSyntax
{
	public bool Async { get; init; }

	public bool Concurrently { get; init; }

	/// <summary>Index of the '.' of a schema-qualified index name, or -1.</summary>
	public int QualifiedNameDot { get; init; } = -1;

	/// <summary>Index of <c>USING</c>, or -1.</summary>
	public int Using { get; init; } = -1;

	/// <summary>The key list's items as [Start, End).</summary>
	public IReadOnlyList<(int Start, int End)> Keys { get; init; } = [];

	/// <summary>The INCLUDE list's items as [Start, End).</summary>
	public IReadOnlyList<(int Start, int End)> Include { get; init; } = [];

	/// <summary>Index of the top-level <c>WHERE</c> (a partial index), or -1.</summary>
	public int Where { get; init; } = -1;

	/// <summary>Index of a top-level <c>TABLESPACE</c> after the keys, or -1.</summary>
	public int Tablespace { get; init; } = -1;

	/// <summary>The CREATE INDEX's parts, or <see langword="null"/> for other statements (or ones PostgreSQL will reject anyway).</summary>
	public static IndexSyntax? Parse(StatementShape s) => s.Verb == "create" && s.ObjectKind == "index"
		? s.Memo("create-index", static s => ParseCore(s))
		: null;

	static IndexSyntax? ParseCore(StatementShape s)
	{
		var k = s.ObjectIndex;
		var isAsync = false;
		var concurrently = false;
		while (s.KwAny(k, "async", "concurrently"))
		{
			if (s.Kw(k, "async"))
				isAsync = true;
			else
				concurrently = true;
			k++;
		}

		k = s.SkipIfExists(k);
		var dot = -1;
		if (!s.Kw(k, "on"))
		{
			var nameEnd = s.SkipQualifiedName(k);
			if (nameEnd > k + 1)
				dot = k + 1;
			k = nameEnd;
		}

		if (!s.Kw(k, "on"))
			return new IndexSyntax { Async = isAsync, Concurrently = concurrently, QualifiedNameDot = dot };
		k++;
		if (s.Kw(k, "only"))
			k++;
		k = s.SkipQualifiedName(k);

		var usingIndex = -1;
		if (s.Kw(k, "using"))
		{
			usingIndex = k;
			k += 2;
		}

		if (!s.Sym(k, "("))
			return new IndexSyntax { Async = isAsync, Concurrently = concurrently, QualifiedNameDot = dot, Using = usingIndex };

		var close = s.MatchParen(k);
		var keys = s.SplitTopLevel(k + 1, close);
		k = close + 1;

		IReadOnlyList<(int, int)> include = [];
		if (s.Kw(k, "include") && s.Sym(k + 1, "("))
		{
			var includeClose = s.MatchParen(k + 1);
			include = s.SplitTopLevel(k + 2, includeClose);
			k = includeClose + 1;
		}

		return new IndexSyntax
		{
			Async            = isAsync,
			Concurrently     = concurrently,
			QualifiedNameDot = dot,
			Using            = usingIndex,
			Keys             = keys,
			Include          = include,
			Where            = s.FindTopLevel("where", k),
			Tablespace       = s.FindTopLevel("tablespace", k),
		};
	}

	/// <summary>True when the key [start, end) is an expression: <c>(expr)</c> or a function call <c>f(…)</c>.</summary>
	public static bool IsExpression(StatementShape s, int start, int end)
	{
		if (s.Sym(start, "("))
			return true;
		var k = s.SkipQualifiedName(start);
		return k > start && k < end && s.Sym(k, "(");
	}

	/// <summary>The ASC/DESC token of the key [start, end) (at its top level, after the column or expression), or -1.</summary>
	public static int SortOrder(StatementShape s, int start, int end)
	{
		for (var i = start; i < end; i++)
		{
			if (s.Sym(i, "(") || s.Sym(i, "["))
				i = s.MatchParen(i);
			else if (i > start && s.KwAny(i, "asc", "desc"))
				return i;
		}

		return -1;
	}
}
