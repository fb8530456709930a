using System.Globalization;
using AuroraDsql.Sql;

namespace AuroraDsql.Rules;

/// <summary>A column definition inside CREATE TABLE or ALTER TABLE ADD COLUMN: token ranges of its parts.</summary>
/// <param name="NameIndex">The column name's token.</param>
/// <param name="TypeStart">First token of the type.</param>
/// <param name="TypeEnd">Token after the type (the first option, or the end).</param>
/// <param name="End">Token after the definition.</param>
readonly record struct ColumnSyntax(int NameIndex, int TypeStart, int TypeEnd, int End);

/// <summary>The parts of <c>CREATE TABLE</c> the rules look at.</summary>
sealed class CreateTableSyntax
{
	/// <summary>Index after the table name.</summary>
	public int NameEnd { get; init; }

	/// <summary>Index of the element list's '(' (-1 when there is none).</summary>
	public int Open { get; init; } = -1;

	/// <summary>Index of the element list's ')'.</summary>
	public int Close { get; init; } = -1;

	/// <summary>Index of the first token after the element list (or after the name).</summary>
	public int TailStart { get; init; }

	/// <summary>Index of the top-level <c>AS</c> of <c>CREATE TABLE … AS query</c>, or -1.</summary>
	public int AsIndex { get; init; } = -1;

	/// <summary><c>CREATE TABLE t PARTITION OF parent</c>.</summary>
	public bool PartitionOf { get; init; }

	/// <summary>Table elements (columns, constraints, LIKE), as token ranges [Start, End).</summary>
	public IReadOnlyList<(int Start, int End)> Elements { get; init; } = [];
}

/// <summary>Token-level parsing of table DDL shared by the rules.</summary>
static class TableSyntax
{
	/// <summary>Key words that end a column's type and start its options.</summary>
	static readonly string[] ColumnOptionWords =
		["constraint", "not", "null", "default", "primary", "unique", "check", "references", "generated", "collate", "storage", "compression", "deferrable", "initially"];

	/// <summary>Key words that start a table constraint (or LIKE) in a table's element list.</summary>
	static readonly string[] TableConstraintWords = ["constraint", "check", "unique", "primary", "foreign", "exclude", "like"];

	/// <summary>The serial pseudo types (PostgreSQL turns them into a sequence and a default; DSQL has no such types).</summary>
	public static readonly string[] SerialTypes = ["serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"];

	/// <summary><c>CREATE TABLE</c>'s parts, or <see langword="null"/> for other statements.</summary>
	public static CreateTableSyntax? CreateTable(StatementShape s) => s.Verb == "create" && s.ObjectKind == "table"
		? s.Memo("create-table", static s => ParseCreateTable(s))
		: null;

	static CreateTableSyntax? ParseCreateTable(StatementShape s)
	{
		var k = s.SkipIfExists(s.ObjectIndex);
		var nameEnd = s.SkipQualifiedName(k);
		if (nameEnd == k)
			return null;

		if (s.Kw(nameEnd, "partition") && s.Kw(nameEnd + 1, "of"))
			return new CreateTableSyntax { NameEnd = nameEnd, TailStart = nameEnd, PartitionOf = true };

		if (!s.Sym(nameEnd, "("))
			return new CreateTableSyntax { NameEnd = nameEnd, TailStart = nameEnd, AsIndex = s.FindTopLevel("as", nameEnd) };

		var close = s.MatchParen(nameEnd);
		return new CreateTableSyntax
		{
			NameEnd   = nameEnd,
			Open      = nameEnd,
			Close     = close,
			TailStart = close + 1,
			AsIndex   = s.FindTopLevel("as", close + 1),
			Elements  = s.SplitTopLevel(nameEnd + 1, close),
		};
	}

	/// <summary>True when the element [start, end) is a table constraint or LIKE rather than a column.</summary>
	public static bool IsTableConstraint(StatementShape s, int start) => s.KwAny(start, TableConstraintWords);

	/// <summary>A column definition starting at <paramref name="nameIndex"/> and ending before <paramref name="end"/>.</summary>
	public static ColumnSyntax Column(StatementShape s, int nameIndex, int end)
	{
		var typeEnd = nameIndex + 1;
		while (typeEnd < end && !s.KwAny(typeEnd, ColumnOptionWords))
		{
			if (s.Sym(typeEnd, "(") || s.Sym(typeEnd, "["))
				typeEnd = s.MatchParen(typeEnd);
			typeEnd++;
		}

		return new ColumnSyntax(nameIndex, nameIndex + 1, Math.Min(typeEnd, end), end);
	}

	/// <summary>The column definitions of a CREATE TABLE or of ALTER TABLE … ADD COLUMN actions.</summary>
	public static IEnumerable<ColumnSyntax> ColumnDefinitions(StatementShape s)
	{
		if (CreateTable(s) is { } table)
		{
			foreach (var (start, end) in table.Elements)
			{
				if (!IsTableConstraint(s, start) && s.Name(start) is not null)
					yield return Column(s, start, end);
			}
		}
		else if (AlterTableSyntax.Parse(s) is { } alter)
		{
			foreach (var action in alter.Actions)
			{
				if (action.Column is { } column)
					yield return column;
			}
		}
	}

	/// <summary>The serial type name (folded) of a column, or <see langword="null"/>.</summary>
	public static string? SerialType(StatementShape s, ColumnSyntax column)
	{
		if (column.TypeEnd - column.TypeStart != 1 || s.Tokens[column.TypeStart].Kind != TokenKind.Identifier)
			return null;
		var name = s.Name(column.TypeStart)!;
		return Array.IndexOf(SerialTypes, name) >= 0 ? name : null;
	}

	/// <summary>
	/// <c>GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY [(options)]</c> in [from, to): the index of GENERATED, and the option
	/// list's '(' (-1 when there is none). Returns false when there is no identity clause.
	/// </summary>
	public static bool FindIdentity(StatementShape s, int from, int to, out int generated, out int optionsOpen)
	{
		for (var i = from; i < to; i++)
		{
			if (s.Sym(i, "("))
			{
				i = s.MatchParen(i);
				continue;
			}

			if (!s.Kw(i, "generated"))
				continue;

			var k = i + 1;
			if (s.Kw(k, "always"))
				k++;
			else if (s.Kw(k, "by") && s.Kw(k + 1, "default"))
				k += 2;
			else
				continue;

			if (!s.Kw(k, "as") || !s.Kw(k + 1, "identity"))
				continue;

			generated   = i;
			optionsOpen = s.Sym(k + 2, "(") ? k + 2 : -1;
			return true;
		}

		generated   = -1;
		optionsOpen = -1;
		return false;
	}

	/// <summary>
	/// The <c>CACHE n</c> option in [from, to) at the top level: returns false when absent; <paramref name="value"/> is the
	/// number as written (with a sign), <see langword="null"/> when it is not a plain number.
	/// </summary>
	public static bool FindCache(StatementShape s, int from, int to, out string? value)
	{
		value = null;
		for (var i = from; i < to; i++)
		{
			if (s.Sym(i, "("))
			{
				i = s.MatchParen(i);
				continue;
			}

			if (!s.Kw(i, "cache") || (i > from && s.Kw(i - 1, "no")))
				continue;

			var k = i + 1;
			var sign = "";
			if (s.Sym(k, "-") || s.Sym(k, "+"))
			{
				sign = s.TokenText(k) == "-" ? "-" : "";
				k++;
			}

			if (k < s.Count && s.Tokens[k].Kind == TokenKind.Number)
				value = sign + s.TokenText(k);
			return true;
		}

		return false;
	}

	/// <summary>True when a CACHE value is one DSQL accepts: 1 or at least 65536.</summary>
	public static bool IsValidCache(string value) =>
		!long.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
		|| n == 1 || n >= 65536; // not an integer: PostgreSQL reports it

	/// <summary>PostgreSQL's display name of a few type spellings (as in "datatype integer not supported").</summary>
	public static string DisplayTypeName(string name) => name switch
	{
		"int" or "int4" or "integer" => "integer",
		"int2" or "smallint"         => "smallint",
		"int8" or "bigint"           => "bigint",
		_                            => name,
	};
}
