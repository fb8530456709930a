using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AuroraDsql.Local.Tests.Conformance;

/// <summary>
/// Replays every case recorded on a live DSQL cluster (<see cref="LiveRecords"/>) through the local endpoint and measures
/// exact agreement: same outcome, SQLSTATE, message text, command tag, columns and rows for every step of a case. Cases
/// that cannot apply to a local endpoint (cluster identity, timing) are excluded with their reason and counted apart.
/// Prints the figure and every difference; fails below <see cref="RequiredAgreement"/>.
/// </summary>
[NonParallelizable]
public sealed class LiveRecordConformanceTests
{
	/// <summary>The share of applicable cases that must agree exactly (docs/local-endpoint.md lists what still differs).</summary>
	const double RequiredAgreement = 0.97;

	[Test]
	public async Task TheLocalEndpointAnswersTheRecordedCasesAsTheLiveClusterDid()
	{
		var records = LiveRecords.Load();
		await using var tap = CommandTagTap.Start(EndpointFixture.Endpoint);
		var replayer = new LiveRecordReplayer(records, EndpointFixture.Endpoint, tap);

		var excluded = records.Cases.Where(c => c.Excluded != null).ToList();
		var results = new List<LiveCaseResult>();
		foreach (var c in records.Cases.Where(c => c.Excluded == null))
			results.Add(await replayer.ReplayAsync(c));

		var agreeing = results.Count(r => r.Agrees);
		var agreement = (double)agreeing / results.Count;
		var report = new StringBuilder();
		report.AppendLine(CultureInfo.InvariantCulture,
			$"Live records: {records.Cases.Count} cases; {results.Count} applicable, {excluded.Count} excluded. Exact agreement: {agreeing}/{results.Count} = {agreement:P1}.");
		foreach (var difference in results.Where(r => !r.Agrees))
			report.AppendLine(CultureInfo.InvariantCulture, $"  differs: {difference.Case}: {string.Join(" | ", difference.Differences)}");
		foreach (var c in excluded)
			report.AppendLine(CultureInfo.InvariantCulture, $"  excluded: {c}: {c.Excluded}");

		await TestContext.Out.WriteLineAsync(report.ToString());
		await TestContext.Progress.WriteLineAsync(report.ToString());
		agreement.Should().BeGreaterThanOrEqualTo(RequiredAgreement, report.ToString());
	}

	[Test]
	public void EveryRecordFileNamesItsSourceAndEveryExcludedCaseItsReason()
	{
		var records = LiveRecords.Load();
		records.Files.Should().AllSatisfy(f => f.Source.Should().Contain("Dreamescaper/dsql-emulator").And.Contain("MIT"));
		records.Files.Should().AllSatisfy(f => f.RecordedAt.Should().BeOnOrAfter(new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero)));
		records.Cases.Should().HaveCountGreaterThan(200);
		records.Cases.Where(c => c.Excluded != null).Should().AllSatisfy(c => c.Excluded.Should().MatchRegex("^(timing|cluster identity): .{20,}"));
		records.Cases.Should().AllSatisfy(c => (c.Steps is { Length: > 0 } || c.Sessions is { Length: > 0 }).Should().BeTrue(c.Name));
	}

	[Test]
	public void EveryRuleWhoseTextIsSourcedFromTheLiveRecordsHasARecordedCaseWithThatText()
	{
		var recorded = LiveRecords.Load().Cases
			.SelectMany(c => (c.Steps ?? []).Concat((c.Sessions ?? []).SelectMany(s => s)))
			.Where(s => s.Error is { Length: 2 })
			.Select(s => (SqlState: s.Error![0], Message: s.Error[1]))
			.ToList();

		var rules = global::AuroraDsql.Rules.DsqlRuleCatalog.All.Where(r => r.Source?.StartsWith("recorded on DSQL", StringComparison.Ordinal) == true).ToList();
		rules.Should().HaveCountGreaterThan(30);
		foreach (var rule in rules)
		{
			var text = new Regex("^" + Regex.Escape(rule.Message).Replace(@"\{0}", ".+", StringComparison.Ordinal) + "$");
			recorded.Should().Contain(r => r.SqlState == rule.SqlState && text.IsMatch(r.Message), rule.Id);
		}
	}

	[Test]
	public void ValuesAreWrittenAsTheRecordingClientPrintedThem()
	{
		PgxValueText.Format(Guid.Parse("00000000-0000-0000-0000-0000000000aa")).Should().Be("[0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 170]");
		PgxValueText.Format(new[] { "1", "2", "3" }).Should().Be("[1 2 3]");
		PgxValueText.Format(new object[] { 1, "a" }).Should().Be("[1 a]");
		PgxValueText.Format(System.Net.IPAddress.Parse("127.0.0.1")).Should().Be("127.0.0.1/32");
		PgxValueText.Format(DBNull.Value).Should().Be("NULL");
		PgxValueText.Format(true).Should().Be("true");
		PgxValueText.Format(2L).Should().Be("2");
		PgxValueText.Format(new DateTime(2026, 9, 15, 22, 19, 40, DateTimeKind.Utc)).Should().Be("2026-09-15T22:19:40Z");
	}
}
