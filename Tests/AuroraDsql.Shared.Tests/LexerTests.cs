using AuroraDsql.Sql;

namespace AuroraDsql.Tests;

public sealed class LexerTests
{
	static List<(TokenKind Kind, string Text)> Lex(string sql, bool standardConformingStrings = true)
	{
		var tokens = new List<Token>();
		SqlLexer.Tokenize(sql, tokens, standardConformingStrings);
		return tokens.Select(t => (t.Kind, sql.Substring(t.Start, t.Length))).ToList();
	}

	[Test]
	public void IdentifiersKeywordsAndPunctuation()
	{
		Lex("SELECT a.b, \"C\"\"d\" FROM t1;").Should().Equal(
			(TokenKind.Identifier, "SELECT"), (TokenKind.Identifier, "a"), (TokenKind.Punctuation, "."), (TokenKind.Identifier, "b"),
			(TokenKind.Punctuation, ","), (TokenKind.QuotedIdentifier, "\"C\"\"d\""), (TokenKind.Identifier, "FROM"), (TokenKind.Identifier, "t1"),
			(TokenKind.Punctuation, ";"));
	}

	[Test]
	public void IdentifierNamesFoldUnquotedAndKeepQuoted()
	{
		const string sql = "MyTable \"MyTable\" \"a\"\"b\" U&\"d\\0061t\\+000061\" U&\"d!0061t\" UESCAPE '!' été";
		var tokens = new List<Token>();
		SqlLexer.Tokenize(sql, tokens);
		tokens.Select(t => SqlText.Name(sql, t)).Should().Equal("mytable", "MyTable", "a\"b", "data", "dat", "été");
	}

	[Test]
	public void StringConstantsInEveryForm()
	{
		const string sql = "'it''s' E'a\\nb\\'c\\x41\\101\\u00e9' N'n' U&'\\0041\\+01F600' $$dollar 'quoted'$$ $tag$with $$ inside$tag$ B'1010' X'FF'";
		var tokens = new List<Token>();
		SqlLexer.Tokenize(sql, tokens);
		tokens.Select(t => t.Kind).Should().Equal(TokenKind.String, TokenKind.String, TokenKind.String, TokenKind.String, TokenKind.String, TokenKind.String, TokenKind.BitString, TokenKind.BitString);
		tokens.Take(6).Select(t => SqlText.StringValue(sql, t)).Should().Equal("it's", "a\nb'cAAé", "n", "A😀", "dollar 'quoted'", "with $$ inside");
	}

	[Test]
	public void BackslashesEscapeInPlainStringsOnlyWithoutStandardConformingStrings()
	{
		const string sql = "'a\\' ; select 1";
		Lex(sql).Select(t => t.Kind).Should().Equal(TokenKind.String, TokenKind.Punctuation, TokenKind.Identifier, TokenKind.Number);
		Lex(sql, standardConformingStrings: false).Should().ContainSingle().Which.Kind.Should().Be(TokenKind.Error);
		Lex("'a\\'' x", standardConformingStrings: false).Select(t => t.Text).Should().Equal("'a\\''", "x");
	}

	[Test]
	public void CommentsAreSkippedAndNest()
	{
		Lex("a -- x; b\n/* c /* nested; */ still comment */ d").Select(t => t.Text).Should().Equal("a", "d");
		Lex("a /* unterminated").Select(t => t.Kind).Should().Equal(TokenKind.Identifier, TokenKind.Error);
	}

	[Test]
	public void NumbersParametersAndOperators()
	{
		Lex("1 1.5 .5 1e10 1.5E-3 0x1F 1_000 $1 $23 a<=b a<>b x::int c->>'k' 1..2 a:=b f(x=>1) -1 a+-b a@-b").Should().Equal(
			(TokenKind.Number, "1"), (TokenKind.Number, "1.5"), (TokenKind.Number, ".5"), (TokenKind.Number, "1e10"), (TokenKind.Number, "1.5E-3"),
			(TokenKind.Number, "0x1F"), (TokenKind.Number, "1_000"), (TokenKind.Parameter, "$1"), (TokenKind.Parameter, "$23"),
			(TokenKind.Identifier, "a"), (TokenKind.Operator, "<="), (TokenKind.Identifier, "b"),
			(TokenKind.Identifier, "a"), (TokenKind.Operator, "<>"), (TokenKind.Identifier, "b"),
			(TokenKind.Identifier, "x"), (TokenKind.Punctuation, "::"), (TokenKind.Identifier, "int"),
			(TokenKind.Identifier, "c"), (TokenKind.Operator, "->>"), (TokenKind.String, "'k'"),
			(TokenKind.Number, "1"), (TokenKind.Punctuation, ".."), (TokenKind.Number, "2"),
			(TokenKind.Identifier, "a"), (TokenKind.Punctuation, ":="), (TokenKind.Identifier, "b"),
			(TokenKind.Identifier, "f"), (TokenKind.Punctuation, "("), (TokenKind.Identifier, "x"), (TokenKind.Punctuation, "=>"), (TokenKind.Number, "1"), (TokenKind.Punctuation, ")"),
			(TokenKind.Operator, "-"), (TokenKind.Number, "1"),
			(TokenKind.Identifier, "a"), (TokenKind.Operator, "+"), (TokenKind.Operator, "-"), (TokenKind.Identifier, "b"),
			(TokenKind.Identifier, "a"), (TokenKind.Operator, "@-"), (TokenKind.Identifier, "b"));
	}

	[Test]
	public void OperatorStopsBeforeAComment()
	{
		Lex("a +-- comment\n b").Select(t => t.Text).Should().Equal("a", "+", "b");
		Lex("a */* c */ b").Select(t => t.Text).Should().Equal("a", "*", "b");
	}

	[Test]
	public void DollarQuoteTagsMustMatch()
	{
		Lex("$a$ x $b$ y $a$ z").Select(t => t.Text).Should().Equal("$a$ x $b$ y $a$", "z");
		Lex("$a$ never closed").Should().ContainSingle().Which.Kind.Should().Be(TokenKind.Error);
		Lex("a$b$c").Should().ContainSingle().Which.Text.Should().Be("a$b$c");
	}

	[Test]
	public void UnterminatedQuotesEndInAnErrorToken()
	{
		Lex("select 'abc").Select(t => t.Kind).Should().Equal(TokenKind.Identifier, TokenKind.Error);
		Lex("select \"abc").Select(t => t.Kind).Should().Equal(TokenKind.Identifier, TokenKind.Error);
		Lex("select E'abc\\'").Select(t => t.Kind).Should().Equal(TokenKind.Identifier, TokenKind.Error);
	}

	[Test]
	public void PrefixLettersAreIdentifiersUnlessAQuoteFollows()
	{
		Lex("e x b n u U&x").Select(t => t.Kind).Should().OnlyContain(k => k == TokenKind.Identifier || k == TokenKind.Operator);
		Lex("name'x'").Select(t => t.Kind).Should().Equal(TokenKind.Identifier, TokenKind.String);
	}
	[TestCase("1.", "Number")]
	[TestCase("1e5", "Number")]
	[TestCase("0b101", "Number")]
	[TestCase("0o17", "Number")]
	[TestCase("a$1", "Identifier")]
	[TestCase("_x", "Identifier")]
	[TestCase("имя", "Identifier")]
	[TestCase("$1", "Parameter")]
	[TestCase("$$$$", "String")]
	[TestCase("$_$x$_$", "String")]
	[TestCase("U&'\\'", "String")]
	[TestCase("E''''", "String")]
	[TestCase("~~*", "Operator")]
	[TestCase("!=", "Operator")]
	public void SingleTokens(string sql, string kind)
	{
		Lex(sql).Should().ContainSingle().Which.Should().Be((Enum.Parse<TokenKind>(kind), sql));
	}

	[Test]
	public void NumberThenIdentifierAndExponentWithoutDigits()
	{
		Lex("1e").Select(t => t.Text).Should().Equal("1", "e");
		Lex("1.x").Select(t => t.Text).Should().Equal("1.", "x");
		Lex("a.1").Select(t => t.Text).Should().Equal("a", ".1");
	}

	[Test]
	public void OperatorsEndingInPlusOrMinusAreSplitUnlessSpecial()
	{
		Lex("a*-b").Select(t => t.Text).Should().Equal("a", "*", "-", "b");
		Lex("a<-b").Select(t => t.Text).Should().Equal("a", "<", "-", "b");
		Lex("a@-b").Select(t => t.Text).Should().Equal("a", "@-", "b");
		Lex("a!-b").Select(t => t.Text).Should().Equal("a", "!-", "b");
	}

	[Test]
	public void UnicodeEscapesWithUescapeAndBigEscapes()
	{
		const string sql = @"U&'\\x' U&'#0041#+01F600' UESCAPE '#' E'\U0001F600' E'\101\x42'";
		var tokens = new List<Token>();
		SqlLexer.Tokenize(sql, tokens);
		tokens.Select(t => SqlText.StringValue(sql, t)).Should().Equal(@"\x", "A😀", "😀", "AB");
	}

	[Test]
	public void CommentMarkersInsideLiteralsAreText()
	{
		Lex("select '--not a comment', \"/*also not*/\", $$-- nor /* this$$ -- but this is").Select(t => t.Kind).Should().Equal(
			TokenKind.Identifier, TokenKind.String, TokenKind.Punctuation, TokenKind.QuotedIdentifier, TokenKind.Punctuation, TokenKind.String);
	}

	[Test]
	public void LexingNeverThrowsOnGarbage()
	{
		var random = new Random(42);
		const string alphabet = "ab$1'\"\\-/*;:.()[]E&U+~!@#%^|`?=<> \n0x";
		for (var k = 0; k < 2000; k++)
		{
			var text = new string(Enumerable.Range(0, random.Next(1, 40)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
			var tokens = new List<Token>();
			SqlLexer.Tokenize(text, tokens);
			SqlLexer.Tokenize(text, tokens, standardConformingStrings: false);
			StatementSplitter.Split(text);
			foreach (var token in tokens)
			{
				(token.Start + token.Length).Should().BeLessThanOrEqualTo(text.Length);
				_ = SqlText.Name(text, token);
				_ = SqlText.StringValue(text, token);
			}
		}
	}
}
