using LinqToDB.AuroraDsql.Scaffold.Generation;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>Text from the database (defaults, comments, names) must not break out of a generated <c>///</c> comment.</summary>
public sealed class DocCommentTextTests
{
	[TestCase("a\nb", "a b")]
	[TestCase("a\r\nb", "a b")]
	[TestCase("a\rb\u0085c\u2028d\u2029e", "a b c d e")]
	[TestCase("'x'::text", "'x'::text")]
	public void EveryLineTerminatorBecomesASpace(string text, string expected) =>
		CodeText.OneLine(text).Should().Be(expected);

	[Test]
	public void XmlTextIsEscapedAndOnOneLine() =>
		CodeText.Xml("'<a>'\u2028public class Injected {}").Should().Be("'&lt;a&gt;' public class Injected {}");

	[TestCase("bell\u0007here", "bell\uFFFDhere")]
	[TestCase("tab\tkept", "tab\tkept")]
	[TestCase("pair \uD83D\uDE00 kept", "pair \uD83D\uDE00 kept")]
	public void CharactersXmlCannotHoldAreReplaced(string text, string expected) =>
		CodeText.Xml(text).Should().Be(expected);

	[Test]
	public void ALoneSurrogateIsReplaced() =>
		CodeText.Xml("lone " + (char)0xD800 + " surrogate").Should().Be("lone \uFFFD surrogate");

	[TestCase("(lower(name))", true)]
	[TestCase("((a + 1))", true)]
	[TestCase("(a + 1) * (b + 1)", false)]
	[TestCase("(a) || ')'", false)]
	[TestCase("(a || ')')", true)]
	[TestCase("lower(name)", false)]
	public void IndexExpressionsAreWrappedUnlessOneParenthesizedTerm(string expression, bool parenthesized) =>
		ModelBuilder.IsParenthesized(expression).Should().Be(parenthesized);
}
