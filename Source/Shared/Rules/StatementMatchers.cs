using AuroraDsql.Sql;

namespace AuroraDsql.Rules;

/// <summary>
/// The matchers of statement-level rules (<see cref="DsqlRuleCatalog"/>): each looks at a statement's tokens and returns
/// its rule's message arguments when the statement breaks the rule, else <see langword="null"/>.
/// </summary>
static class StatementMatchers
{
	static readonly string[] Matched = [];

	static string[]? When(bool condition) => condition ? Matched : null;

	// ---- transactions and sessions ------------------------------------------------------------------------------

	public static string[]? Savepoint(StatementShape s, DsqlRuleSet rules)
	{
		switch (s.Verb)
		{
			case "savepoint":
				return ["SAVEPOINT"];
			case "release":
				return ["RELEASE"];
			case "rollback":
			{
				var k = s.First + 1;
				if (s.KwAny(k, "work", "transaction"))
					k++;
				return s.Kw(k, "to") ? ["ROLLBACK TO"] : null;
			}
			default:
				return null;
		}
	}

	public static string[]? PreparedTransaction(StatementShape s, DsqlRuleSet rules) => s.Verb switch
	{
		"prepare" when s.Kw(s.First + 1, "transaction") => ["PREPARE TRANSACTION"],
		"commit" when s.Kw(s.First + 1, "prepared")     => ["COMMIT PREPARED"],
		"rollback" when s.Kw(s.First + 1, "prepared")   => ["ROLLBACK PREPARED"],
		_                                               => null,
	};

	public static string[]? IsolationLevel(StatementShape s, DsqlRuleSet rules)
	{
		int k;
		if (s.Verb == "begin")
		{
			k = s.First + 1;
			if (s.KwAny(k, "work", "transaction"))
				k++;
		}
		else if (s.Verb == "start" && s.Kw(s.First + 1, "transaction"))
			k = s.First + 2;
		else if (s.Verb == "set" && SetParameterName(s) == "TRANSACTION")
			k = s.First + 1; // DSQL names the level first; SET TRANSACTION … REPEATABLE READ is then refused as a setting
		else
			return null;

		for (; k + 2 < s.Count; k++)
		{
			if (!s.Kw(k, "isolation") || !s.Kw(k + 1, "level"))
				continue;

			var level = s.Lower(k + 2);
			if (level is "read" or "repeatable" && k + 3 < s.Count)
				level += " " + s.Lower(k + 3);

			return level == "repeatable read" ? null : [level.ToUpperInvariant()];
		}

		return null;
	}

	/// <summary>The parameter name a SET/RESET statement is about, as PostgreSQL names it (<c>timezone</c> for SET TIME ZONE…).</summary>
	public static string? SetParameterName(StatementShape s)
	{
		if (s.Verb is not ("set" or "reset"))
			return null;

		var k = s.First + 1;
		if (s.Verb == "set" && s.Kw(k, "session") && s.Kw(k + 1, "characteristics"))
			return "SESSION CHARACTERISTICS";
		if (s.Verb == "set" && s.KwAny(k, "session", "local") && !s.Kw(k + 1, "authorization") && !s.Sym(k + 1, "=") && !s.Kw(k + 1, "to"))
			k++;

		if (s.Kw(k, "transaction"))
			return s.Kw(k + 1, "snapshot") ? "TRANSACTION SNAPSHOT" : "TRANSACTION";
		if (s.Kw(k, "time") && s.Kw(k + 1, "zone"))
			return "timezone";
		if (s.Kw(k, "names"))
			return "client_encoding";
		if (s.Kw(k, "schema") && !s.Sym(k + 1, "=") && !s.Kw(k + 1, "to"))
			return "search_path";
		if (s.Kw(k, "session") && s.Kw(k + 1, "authorization"))
			return "session_authorization";
		if (s.Kw(k, "xml") && s.Kw(k + 1, "option"))
			return "xmloption";
		if (s.Kw(k, "constraints"))
			return "constraints";

		if (s.Name(k) is not { } name)
			return null;
		while (s.Sym(k + 1, ".") && s.Name(k + 2) is { } part)
		{
			name += "." + part;
			k += 2;
		}

		return name;
	}

	public static string[]? SetTransaction(StatementShape s, DsqlRuleSet rules) =>
		s.Verb == "set" && SetParameterName(s) is { } name && name is "TRANSACTION" or "TRANSACTION SNAPSHOT" or "SESSION CHARACTERISTICS" ? [name] : null;

	public static string[]? SetParameter(StatementShape s, DsqlRuleSet rules)
	{
		if (s.Verb is "set" or "reset")
		{
			var name = SetParameterName(s);
			if (name is null or "TRANSACTION" or "TRANSACTION SNAPSHOT" or "SESSION CHARACTERISTICS" or "constraints")
				return null;
			return rules.SettableParameters.Contains(name) ? null : [name];
		}

		// SET clauses of routines (they apply while the routine runs) and ALTER ROLE … SET (a role's session defaults).
		foreach (var assignment in RoutineSyntax.Assignments(s))
		{
			if (!rules.SettableParameters.Contains(assignment.Name))
				return [assignment.Name];
		}

		return null;
	}

	/// <summary>A <c>client_encoding</c> other than UTF-8 (<see cref="ClientEncodings"/>), by SET, SET NAMES or a SET clause.</summary>
	public static string[]? ClientEncoding(StatementShape s, DsqlRuleSet rules)
	{
		foreach (var assignment in RoutineSyntax.Assignments(s))
		{
			if (assignment.Name != "client_encoding" || assignment.ValueIndex < 0)
				continue;

			var token = s.Tokens[assignment.ValueIndex];
			var value = token.Kind == TokenKind.String
				? SqlText.StringValue(s.Text, token, s.Statement.StandardConformingStrings)
				: s.TokenText(assignment.ValueIndex);
			if (value is null || !ClientEncodings.IsAccepted(value))
				return [value ?? s.TokenText(assignment.ValueIndex)];
		}

		return null;
	}

	public static string[]? Discard(StatementShape s, DsqlRuleSet rules) => s.Verb == "discard" ? [s.TokenText(s.First)] : null;

	// ---- CREATE TABLE and friends -------------------------------------------------------------------------------

	public static string[]? TempTable(StatementShape s, DsqlRuleSet rules) => When(s.Verb == "create" && s.ObjectKind == "table" && s.Temporary != null);

	public static string[]? UnloggedTable(StatementShape s, DsqlRuleSet rules) => When(s.Verb == "create" && s.ObjectKind == "table" && s.Unlogged);

	public static string[]? PartitionBy(StatementShape s, DsqlRuleSet rules)
	{
		if (TableSyntax.CreateTable(s) is not { } table)
			return null;
		var partition = s.FindTopLevel("partition", table.TailStart);
		return When(partition >= 0 && s.Kw(partition + 1, "by"));
	}

	public static string[]? PartitionOf(StatementShape s, DsqlRuleSet rules) => When(TableSyntax.CreateTable(s) is { PartitionOf: true });

	public static string[]? Inherits(StatementShape s, DsqlRuleSet rules) =>
		When(TableSyntax.CreateTable(s) is { } table && s.FindTopLevel("inherits", table.TailStart) >= 0);

	public static string[]? Tablespace(StatementShape s, DsqlRuleSet rules)
	{
		if (TableSyntax.CreateTable(s) is { } table)
		{
			if (s.FindTopLevel("tablespace", table.TailStart) >= 0)
				return Matched;
			for (var i = Math.Max(table.Open, 0); i < table.Close; i++)
			{
				if (s.Kw(i, "using") && s.Kw(i + 1, "index") && s.Kw(i + 2, "tablespace"))
					return Matched;
			}

			return null;
		}

		return When(IndexSyntax.Parse(s) is { Tablespace: >= 0 });
	}

	public static string[]? CreateTableAs(StatementShape s, DsqlRuleSet rules)
	{
		if (TableSyntax.CreateTable(s) is { AsIndex: >= 0 })
			return Matched;
		return When(s.MainVerb == "select" && !s.IsExplain && DsqlStatementRules.IsSelectInto(s));
	}

	public static string[]? MaterializedView(StatementShape s, DsqlRuleSet rules) =>
		When((s.Verb == "create" && s.ObjectKind == "materialized view") || (s.Verb == "refresh" && s.Kw(s.First + 1, "materialized")));

	public static string[]? TableStorageParameters(StatementShape s, DsqlRuleSet rules)
	{
		if (TableSyntax.CreateTable(s) is not { AsIndex: < 0 } table)
			return null;
		var with = s.FindTopLevel("with", table.TailStart);
		return When((with >= 0 && s.Sym(with + 1, "(")) || s.FindTopLevel("without", table.TailStart) >= 0);
	}

	public static string[]? OnCommit(StatementShape s, DsqlRuleSet rules)
	{
		if (TableSyntax.CreateTable(s) is not { } table)
			return null;
		var on = s.FindTopLevel("on", table.TailStart);
		return When(on >= 0 && s.Kw(on + 1, "commit"));
	}

	public static string[]? TableAccessMethod(StatementShape s, DsqlRuleSet rules) =>
		When(TableSyntax.CreateTable(s) is { AsIndex: < 0 } table && s.FindTopLevel("using", table.TailStart) >= 0);

	public static string[]? ExcludeConstraint(StatementShape s, DsqlRuleSet rules)
	{
		if (TableSyntax.CreateTable(s) is not { } table)
			return null;
		foreach (var (start, _) in table.Elements)
		{
			if (s.Kw(start, "exclude") || (s.Kw(start, "constraint") && s.Kw(start + 2, "exclude")))
				return Matched;
		}

		return null;
	}

	public static string[]? ForeignKey(StatementShape s, DsqlRuleSet rules)
	{
		if (TableSyntax.CreateTable(s) is not { } table)
			return null;
		foreach (var (start, end) in table.Elements)
		{
			if (TableSyntax.IsTableConstraint(s, start))
			{
				var k = s.Kw(start, "constraint") ? start + 2 : start;
				if (s.Kw(k, "foreign"))
					return Matched;
			}
			else
			{
				var column = TableSyntax.Column(s, start, end);
				if (s.FindTopLevel("references", column.TypeEnd, end) >= 0)
					return Matched;
			}
		}

		return null;
	}

	public static string[]? Serial(StatementShape s, DsqlRuleSet rules)
	{
		foreach (var column in TableSyntax.ColumnDefinitions(s))
		{
			if (TableSyntax.SerialType(s, column) is { } serial)
				return [serial];
		}

		return null;
	}

	public static string[]? Collate(StatementShape s, DsqlRuleSet rules)
	{
		var ddl = (s.Verb == "create" && s.ObjectKind is "table" or "index" or "domain")
			|| (s.Verb == "alter" && s.ObjectKind is "table" or "domain");
		if (!ddl)
			return null;

		for (var i = s.First; i < s.Count; i++)
		{
			if (s.Kw(i, "collate"))
				return Matched;
		}

		return null;
	}

	// ---- identity columns and sequences -------------------------------------------------------------------------

	/// <summary>Identity clauses of a statement: (index of GENERATED, index of the options' '(' or -1, end of the column).</summary>
	static IEnumerable<(int Generated, int Open, int End)> IdentityClauses(StatementShape s)
	{
		if (TableSyntax.CreateTable(s) is { } table)
		{
			foreach (var (start, end) in table.Elements)
			{
				if (TableSyntax.IsTableConstraint(s, start))
					continue;
				var column = TableSyntax.Column(s, start, end);
				if (TableSyntax.FindIdentity(s, column.TypeEnd, end, out var generated, out var open))
					yield return (generated, open, end);
			}
		}
		else if (AlterTableSyntax.Parse(s) is { } alter)
		{
			foreach (var action in alter.Actions)
			{
				if (action.Kind is AlterTableActionKind.AddIdentity or AlterTableActionKind.AddColumnWithConstraint
					&& TableSyntax.FindIdentity(s, action.Start, action.End, out var generated, out var open))
					yield return (generated, open, action.End);
			}
		}
	}

	public static string[]? IdentityUnsupported(StatementShape s, DsqlRuleSet rules) => When(IdentityClauses(s).Any());

	public static string[]? IdentityWithoutCache(StatementShape s, DsqlRuleSet rules)
	{
		foreach (var (_, open, _) in IdentityClauses(s))
		{
			if (open < 0 || !TableSyntax.FindCache(s, open + 1, s.MatchParen(open), out _))
				return Matched;
		}

		return null;
	}

	public static string[]? CacheValue(StatementShape s, DsqlRuleSet rules)
	{
		foreach (var (_, open, _) in IdentityClauses(s))
		{
			if (open >= 0 && TableSyntax.FindCache(s, open + 1, s.MatchParen(open), out var value) && value != null && !TableSyntax.IsValidCache(value))
				return [value];
		}

		if (s.Verb is "create" or "alter" && s.ObjectKind == "sequence"
			&& TableSyntax.FindCache(s, s.ObjectIndex, s.Count, out var sequenceCache) && sequenceCache != null && !TableSyntax.IsValidCache(sequenceCache))
			return [sequenceCache];

		if (AlterTableSyntax.Parse(s) is { } alter)
		{
			foreach (var action in alter.Actions)
			{
				if (action.Kind == AlterTableActionKind.IdentityOptions
					&& TableSyntax.FindCache(s, action.Start, action.End, out var value) && value != null && !TableSyntax.IsValidCache(value))
					return [value];
			}
		}

		return null;
	}

	public static string[]? SequenceUnsupported(StatementShape s, DsqlRuleSet rules) => When(s.Verb == "create" && s.ObjectKind == "sequence");

	public static string[]? SequenceWithoutCache(StatementShape s, DsqlRuleSet rules) =>
		When(s.Verb == "create" && s.ObjectKind == "sequence" && s.Temporary is null && !TableSyntax.FindCache(s, s.ObjectIndex, s.Count, out _));

	public static string[]? SequenceType(StatementShape s, DsqlRuleSet rules)
	{
		if (s.Verb != "create" || s.ObjectKind != "sequence")
			return null;

		var k = s.SkipQualifiedName(s.SkipIfExists(s.ObjectIndex));
		var asIndex = s.FindTopLevel("as", k);
		if (asIndex < 0 || s.Name(asIndex + 1) is not { } type)
			return null;

		type = TableSyntax.DisplayTypeName(type);
		return type == "bigint" ? null : [type];
	}

	// ---- ALTER TABLE --------------------------------------------------------------------------------------------

	static AlterTableAction? FirstAction(StatementShape s, params AlterTableActionKind[] kinds)
	{
		if (AlterTableSyntax.Parse(s) is not { } alter)
			return null;

		foreach (var action in alter.Actions)
		{
			if (Array.IndexOf(kinds, action.Kind) >= 0)
				return action;
		}

		return null;
	}

	public static string[]? AlterTableAddColumnConstraint(StatementShape s, DsqlRuleSet rules) =>
		When(FirstAction(s, AlterTableActionKind.AddColumnWithConstraint) != null);

	public static string[]? AlterTableAddConstraint(StatementShape s, DsqlRuleSet rules) =>
		When(FirstAction(s, AlterTableActionKind.AddConstraintOther) != null);

	public static string[]? AlterTableAddCheckNotValid(StatementShape s, DsqlRuleSet rules) =>
		When(FirstAction(s, AlterTableActionKind.AddCheckNotValid) != null);

	public static string[]? AlterTableAddForeignKeyNotValid(StatementShape s, DsqlRuleSet rules) =>
		When(FirstAction(s, AlterTableActionKind.AddForeignKeyNotValid) != null);

	public static string[]? AlterTableSetDataType(StatementShape s, DsqlRuleSet rules) => When(FirstAction(s, AlterTableActionKind.SetDataType) != null);

	public static string[]? AlterTableSetNotNull(StatementShape s, DsqlRuleSet rules) => When(FirstAction(s, AlterTableActionKind.SetNotNull) != null);

	public static string[]? AlterTableColumnDefaults(StatementShape s, DsqlRuleSet rules) =>
		FirstAction(s, AlterTableActionKind.SetDefault, AlterTableActionKind.DropDefault, AlterTableActionKind.DropNotNull) is { } action ? [action.Display] : null;

	public static string[]? AlterTableAddIdentity(StatementShape s, DsqlRuleSet rules) => When(FirstAction(s, AlterTableActionKind.AddIdentity) != null);

	public static string[]? AlterTableDropConstraint(StatementShape s, DsqlRuleSet rules) => When(FirstAction(s, AlterTableActionKind.DropConstraint) != null);

	public static string[]? AlterTableDropColumn(StatementShape s, DsqlRuleSet rules) => When(FirstAction(s, AlterTableActionKind.DropColumn) != null);

	public static string[]? AlterTableValidate(StatementShape s, DsqlRuleSet rules) => When(FirstAction(s, AlterTableActionKind.ValidateConstraint) != null);

	public static string[]? AlterTableOther(StatementShape s, DsqlRuleSet rules) =>
		FirstAction(s, AlterTableActionKind.Other) is { } action ? [action.Display] : null;

	public static string[]? AlterTableColumnOther(StatementShape s, DsqlRuleSet rules) =>
		FirstAction(s, AlterTableActionKind.AlterColumnOther) is { } action ? [action.Display] : null;

	// ---- CREATE INDEX -------------------------------------------------------------------------------------------

	public static string[]? IndexConcurrently(StatementShape s, DsqlRuleSet rules) => When(IndexSyntax.Parse(s) is { Concurrently: true });

	public static string[]? IndexAsync(StatementShape s, DsqlRuleSet rules) => When(IndexSyntax.Parse(s) is { Async: false });

	public static string[]? IndexQualifiedName(StatementShape s, DsqlRuleSet rules) => When(IndexSyntax.Parse(s) is { QualifiedNameDot: >= 0 });

	public static string[]? IndexUsing(StatementShape s, DsqlRuleSet rules) => When(IndexSyntax.Parse(s) is { Using: >= 0 });

	public static string[]? IndexSortOrder(StatementShape s, DsqlRuleSet rules) =>
		When(IndexSyntax.Parse(s) is { } index && index.Keys.Any(key => IndexSyntax.SortOrder(s, key.Start, key.End) >= 0));

	public static string[]? IndexIncludeExpression(StatementShape s, DsqlRuleSet rules) =>
		When(IndexSyntax.Parse(s) is { } index && index.Include.Any(item => item.End - item.Start != 1 || s.Name(item.Start) is null));

	public static string[]? IndexKeyCount(StatementShape s, DsqlRuleSet rules) => When(IndexSyntax.Parse(s) is { Keys.Count: > 8 });

	public static string[]? IndexExpression(StatementShape s, DsqlRuleSet rules) =>
		When(IndexSyntax.Parse(s) is { } index && index.Keys.Any(key => IndexSyntax.IsExpression(s, key.Start, key.End)));

	public static string[]? IndexPartial(StatementShape s, DsqlRuleSet rules) => When(IndexSyntax.Parse(s) is { Where: >= 0 });

	// ---- queries ------------------------------------------------------------------------------------------------

	public static string[]? Merge(StatementShape s, DsqlRuleSet rules) => When(s.Verb == "merge" || s.MainVerb == "merge");

	public static string[]? LockingClause(StatementShape s, DsqlRuleSet rules)
	{
		if (s.MainVerb != "select")
			return null;

		foreach (var (strength, _) in DsqlStatementRules.LockingClauses(s))
		{
			if (strength is "for share" or "for no key update")
				return Matched;
		}

		return null;
	}

	public static string[]? ForKeyShare(StatementShape s, DsqlRuleSet rules) =>
		When(s.MainVerb == "select" && DsqlStatementRules.LockingClauses(s).Any(c => c.Strength == "for key share"));

	public static string[]? Tablesample(StatementShape s, DsqlRuleSet rules)
	{
		for (var i = s.First + 1; i + 2 < s.Count; i++)
		{
			if (s.Kw(i, "tablesample") && s.Name(i + 1) is not null && s.Sym(i + 2, "("))
				return Matched;
		}

		return null;
	}

	public static string[]? CopyFile(StatementShape s, DsqlRuleSet rules)
	{
		if (s.Verb != "copy")
			return null;

		var k = s.First + 1;
		if (s.Sym(k, "("))
			k = s.MatchParen(k) + 1;
		else
		{
			k = s.SkipQualifiedName(k);
			if (s.Sym(k, "("))
				k = s.MatchParen(k) + 1;
		}

		if (!s.KwAny(k, "from", "to"))
			return null;
		k++;
		return When(s.Kw(k, "program") || (k < s.Count && s.Tokens[k].Kind == TokenKind.String));
	}

	// ---- routines -----------------------------------------------------------------------------------------------

	public static string[]? FunctionLanguage(StatementShape s, DsqlRuleSet rules)
	{
		if (s.Verb != "create" || s.ObjectKind != "function")
			return null;

		var language = s.FindTopLevel("language", s.ObjectIndex);
		if (language < 0)
			return null; // a BEGIN ATOMIC / RETURN body is SQL; without either PostgreSQL reports the missing language

		var name = s.Name(language + 1) ?? (language + 1 < s.Count ? SqlText.StringValue(s.Text, s.Tokens[language + 1]) : null);
		if (name is null)
			return null;
		name = name.ToLowerInvariant();
		return name == "sql" ? null : [name];
	}

	// ---- statements DSQL does not have --------------------------------------------------------------------------

	/// <summary>
	/// DSQL names refused statements by PostgreSQL's parse node (<c>unsupported statement: CreateExtension</c>); the
	/// statements with their own rules are not listed here.
	/// </summary>
	public static string? UnsupportedStatementName(StatementShape s) => s.Verb switch
	{
		"listen"     => "Listen",
		"notify"     => "Notify",
		"unlisten"   => "Unlisten",
		"do"         => "Do",
		"lock"       => "Lock",
		"declare"    => "DeclareCursor",
		"cluster"    => "Cluster",
		"reindex"    => "Reindex",
		"checkpoint" => "CheckPoint",
		"load"       => "Load",
		"import"     => "ImportForeignSchema",
		"security"   => "SecLabel",
		"create"     => s.ObjectKind switch
		{
			"extension"      => "CreateExtension",
			"database"       => "Createdb",
			"tablespace"     => "CreateTableSpace",
			"event trigger"  => "CreateEventTrig",
			"rule"           => "Rule",
			"foreign table"  => "CreateForeignTable",
			"foreign data"   => "CreateFdw",
			"server"         => "CreateForeignServer",
			"user mapping"   => "CreateUserMapping",
			"publication"    => "CreatePublication",
			"subscription"   => "CreateSubscription",
			"aggregate" or "operator" or "collation" or "text search" => "Define",
			"operator class"  => "CreateOpClass",
			"operator family" => "CreateOpFamily",
			"cast"           => "CreateCast",
			"conversion"     => "CreateConversion",
			"language"       => "CreatePLang",
			"access method"  => "CreateAm",
			"transform"      => "CreateTransform",
			"statistics"     => "CreateStats",
			"policy"         => "CreatePolicy",
			_                => null,
		},
		"alter" => s.ObjectKind switch
		{
			"system"     => "AlterSystem",
			"database"   => "AlterDatabase",
			"tablespace" => "AlterTableSpaceOptions",
			"policy"     => "AlterPolicy",
			_            => null,
		},
		"drop" => s.ObjectKind switch
		{
			"database"   => "Dropdb",
			"tablespace" => "DropTableSpace",
			_            => null,
		},
		_ => null,
	};

	/// <summary>Statements that have rules of their own (see <see cref="Named"/>); <see cref="UnsupportedStatement"/> leaves them out.</summary>
	static readonly string[] OwnRules = ["Listen", "Notify", "Unlisten", "Do", "Lock", "DeclareCursor", "CreateExtension"];

	/// <summary>A matcher for the statements <see cref="UnsupportedStatementName"/> names as one of <paramref name="names"/>.</summary>
	public static StatementMatcher Named(params string[] names) =>
		(s, _) => UnsupportedStatementName(s) is { } name && Array.IndexOf(names, name) >= 0 ? [name] : null;

	public static string[]? UnsupportedStatement(StatementShape s, DsqlRuleSet rules) =>
		UnsupportedStatementName(s) is { } name && Array.IndexOf(OwnRules, name) < 0 ? [name] : null;
}
