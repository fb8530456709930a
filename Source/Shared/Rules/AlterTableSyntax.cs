namespace AuroraDsql.Rules;

/// <summary>Kinds of ALTER TABLE actions, as DSQL distinguishes them.</summary>
enum AlterTableActionKind : byte
{
	Rename,
	SetSchema,
	OwnerTo,
	AddColumn,
	AddColumnWithConstraint,
	AddCheckNotValid,
	AddForeignKeyNotValid,
	AddUniqueUsingIndex,
	AddConstraintOther,
	DropColumn,
	DropConstraint,
	SetDefault,
	DropDefault,
	DropNotNull,
	SetNotNull,
	SetDataType,
	AddIdentity,
	IdentityOptions,
	SetStorage,
	ValidateConstraint,
	AlterColumnOther,
	Other,
}

/// <summary>One action of an ALTER TABLE.</summary>
/// <param name="Kind">What it does.</param>
/// <param name="Start">First token.</param>
/// <param name="End">Token after it.</param>
/// <param name="Display">Upper-case words naming it in DSQL's "unsupported ALTER TABLE … statement" messages.</param>
/// <param name="Column">The column definition of ADD COLUMN actions.</param>
/// <param name="ColumnName">The column an action is about (ALTER/DROP COLUMN), when known.</param>
sealed record AlterTableAction(AlterTableActionKind Kind, int Start, int End, string Display, ColumnSyntax? Column = null, string? ColumnName = null);

/// <summary><c>ALTER TABLE [IF EXISTS] [ONLY] name [*] action [, …]</c> split into classified actions.</summary>
sealed class AlterTableSyntax
{
	/// <summary>Key words that may name an unsupported action in messages.</summary>
	static readonly HashSet<string> DisplayWords = new(StringComparer.Ordinal)
	{
		"enable", "disable", "force", "no", "row", "level", "security", "trigger", "rule", "replica", "always", "cluster", "on", "inherit",
		"of", "not", "identity", "attach", "detach", "partition", "set", "logged", "unlogged", "tablespace", "access", "method", "without",
		"oids", "reset", "all", "in", "statistics", "storage", "compression", "drop", "expression", "alter", "constraint", "add", "exclude",
		"primary", "key", "unique", "check", "foreign", "validate",
	};

	/// <summary>Index of the first token after the table name.</summary>
	public int NameEnd { get; init; }

	/// <summary>The table name as written.</summary>
	public string TableName { get; init; } = "";

	/// <summary>The actions in order.</summary>
	public IReadOnlyList<AlterTableAction> Actions { get; init; } = [];

	/// <summary>The ALTER TABLE's parts; <see langword="null"/> for other statements and for <c>ALTER TABLE ASYNC</c>.</summary>
	public static AlterTableSyntax? Parse(StatementShape s) => s.Verb == "alter" && s.ObjectKind == "table" && !s.Kw(s.ObjectIndex, "async")
		? s.Memo("alter-table", static s => ParseCore(s))
		: null;

	static AlterTableSyntax? ParseCore(StatementShape s)
	{
		var k = s.SkipIfExists(s.ObjectIndex);
		if (s.Kw(k, "all") && s.Kw(k + 1, "in"))
			return new AlterTableSyntax { NameEnd = k, Actions = [new(AlterTableActionKind.Other, k, s.Count, "ALL IN TABLESPACE")] };

		if (s.Kw(k, "only"))
			k++;

		var nameStart = k;
		var nameEnd = s.SkipQualifiedName(k);
		if (nameEnd == k)
			return null;
		var tableName = s.TextOf(nameStart, nameEnd);
		if (s.Sym(nameEnd, "*"))
			nameEnd++;

		var actions = new List<AlterTableAction>();
		foreach (var (start, end) in s.SplitTopLevel(nameEnd, s.Count))
			actions.Add(Classify(s, start, end));

		return new AlterTableSyntax { NameEnd = nameEnd, TableName = tableName, Actions = actions };
	}

	static AlterTableAction Classify(StatementShape s, int a, int b)
	{
		AlterTableAction Make(AlterTableActionKind kind, string display = "", ColumnSyntax? column = null, string? columnName = null) =>
			new(kind, a, b, display, column, columnName);

		switch (s.Lower(a))
		{
			case "rename":
				return Make(AlterTableActionKind.Rename, "RENAME");
			case "owner":
				return Make(AlterTableActionKind.OwnerTo, "OWNER TO");
			case "set" when s.Kw(a + 1, "schema"):
				return Make(AlterTableActionKind.SetSchema, "SET SCHEMA");
			case "validate":
				return Make(AlterTableActionKind.ValidateConstraint, "VALIDATE CONSTRAINT");
			case "add":
				return ClassifyAdd(s, a, b);
			case "drop":
			{
				var j = a + 1;
				if (s.Kw(j, "constraint"))
					return Make(AlterTableActionKind.DropConstraint, "DROP CONSTRAINT");
				if (s.Kw(j, "column"))
					j++;
				j = s.SkipIfExists(j);
				return Make(AlterTableActionKind.DropColumn, "DROP COLUMN", columnName: s.Name(j));
			}
			case "alter":
			{
				var j = a + 1;
				if (s.Kw(j, "constraint"))
					return Make(AlterTableActionKind.Other, "ALTER CONSTRAINT");
				if (s.Kw(j, "column"))
					j++;
				var column = s.Name(j);
				j++;

				if (s.Kw(j, "set") && s.Kw(j + 1, "default"))
					return Make(AlterTableActionKind.SetDefault, "SET DEFAULT", columnName: column);
				if (s.Kw(j, "drop") && s.Kw(j + 1, "default"))
					return Make(AlterTableActionKind.DropDefault, "DROP DEFAULT", columnName: column);
				if (s.Kw(j, "drop") && s.Kw(j + 1, "not") && s.Kw(j + 2, "null"))
					return Make(AlterTableActionKind.DropNotNull, "DROP NOT NULL", columnName: column);
				if (s.Kw(j, "set") && s.Kw(j + 1, "not") && s.Kw(j + 2, "null"))
					return Make(AlterTableActionKind.SetNotNull, "SET NOT NULL", columnName: column);
				if (s.Kw(j, "type") || (s.Kw(j, "set") && s.Kw(j + 1, "data") && s.Kw(j + 2, "type")))
					return Make(AlterTableActionKind.SetDataType, "SET DATA TYPE", columnName: column);
				if (s.Kw(j, "add") && s.Kw(j + 1, "generated"))
					return Make(AlterTableActionKind.AddIdentity, "ADD GENERATED", columnName: column);
				if (s.Kw(j, "drop") && s.Kw(j + 1, "identity"))
					return Make(AlterTableActionKind.IdentityOptions, "DROP IDENTITY", columnName: column);
				if (s.Kw(j, "set") && s.Kw(j + 1, "storage"))
					return Make(AlterTableActionKind.SetStorage, "SET STORAGE", columnName: column);
				if (s.Kw(j, "restart")
					|| (s.Kw(j, "set") && s.KwAny(j + 1, "generated", "increment", "start", "minvalue", "maxvalue", "cache", "cycle", "no")))
					return Make(AlterTableActionKind.IdentityOptions, "SET", columnName: column);

				return Make(AlterTableActionKind.AlterColumnOther, DisplayOf(s, j, b), columnName: column);
			}
			default:
				return Make(AlterTableActionKind.Other, DisplayOf(s, a, b));
		}
	}

	static AlterTableAction ClassifyAdd(StatementShape s, int a, int b)
	{
		var j = a + 1;
		if (s.KwAny(j, "constraint", "check", "unique", "primary", "foreign", "exclude"))
		{
			if (s.Kw(j, "constraint"))
				j += 2;

			var notValid = b - a >= 2 && s.Kw(b - 2, "not") && s.Kw(b - 1, "valid");
			var kind = s.Lower(j) switch
			{
				"check" when notValid                                                        => AlterTableActionKind.AddCheckNotValid,
				"foreign" when notValid                                                      => AlterTableActionKind.AddForeignKeyNotValid,
				"unique" when s.Kw(j + 1, "using") && s.Kw(j + 2, "index") && j + 4 >= b => AlterTableActionKind.AddUniqueUsingIndex,
				_                                                                            => AlterTableActionKind.AddConstraintOther,
			};

			return new(kind, a, b, "ADD CONSTRAINT");
		}

		if (s.Kw(j, "column"))
			j++;
		j = s.SkipIfExists(j);

		// A storage mode (PostgreSQL 16: ADD COLUMN name type STORAGE mode) is no constraint: DSQL accepts it.
		var column = TableSyntax.Column(s, j, b);
		var options = column.TypeEnd;
		while (options + 1 < b && s.Kw(options, "storage"))
			options += 2;
		var kindOfColumn = options < b ? AlterTableActionKind.AddColumnWithConstraint : AlterTableActionKind.AddColumn;
		return new(kindOfColumn, a, b, "ADD COLUMN", column, s.Name(j));
	}

	/// <summary>Upper-case leading key words of an action, for messages (<c>ENABLE ROW LEVEL SECURITY</c>).</summary>
	static string DisplayOf(StatementShape s, int from, int to)
	{
		var words = new List<string>();
		for (var i = from; i < to && words.Count < 4; i++)
		{
			if (s.Tokens[i].Kind != AuroraDsql.Sql.TokenKind.Identifier || !DisplayWords.Contains(s.Lower(i)))
				break;
			words.Add(s.TokenText(i).ToUpperInvariant());
		}

		return words.Count == 0 ? s.TokenText(from).ToUpperInvariant() : string.Join(' ', words);
	}
}
