using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

using AuroraDsql.Rules;
using AuroraDsql.Sql;

using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;
using LinqToDB.Internal.DataProvider.AuroraDsql.Transactions;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Commands;

/// <summary>
/// Checks every command before it is sent against DSQL's statement rules (the same data-driven rule set the local
/// endpoint enforces) and DSQL's transaction rules (one DDL statement per transaction, never DDL together with DML),
/// so that what DSQL would refuse fails here first with <see cref="AuroraDsqlNotSupportedException"/>, and nothing is
/// sent. The ambient transaction of a TransactionScope counts as a transaction like the data connection's own.
/// </summary>
static class StatementGuard
{
	/// <summary>What the rules say about one command text; cached, since linq2db reuses the text of a query.</summary>
	sealed record CommandFacts(RuleViolation? Violation, int DdlStatements, bool HasDml, string? FirstDdl);

	/// <summary>DDL and DML seen so far in a connection's current transaction.</summary>
	sealed class TransactionLedger
	{
		public int            Transaction = -1;
		public int            DdlStatements;
		public string?        FirstDdl;
		public bool           HasDml;
		public LedgerState?   Undo;
	}

	/// <summary>A ledger as it was before the last command was added.</summary>
	sealed record LedgerState(int DdlStatements, string? FirstDdl, bool HasDml);

	const int MaxCachedCommands      = 4096;
	const int MaxCachedCommandLength = 8 * 1024;

	static readonly ConcurrentDictionary<string, CommandFacts> _facts = new(StringComparer.Ordinal);

	// Keyed by the provider connection (the data connection's own transactions, told apart by number) or by the enlistment
	// in an ambient transaction (shared by the connections that continue it in one TransactionScope).
	static readonly ConditionalWeakTable<object, TransactionLedger> _ledgers = [];

	/// <summary>
	/// The transaction a command of <paramref name="dataConnection"/> runs in: whether there is one, and the ledger key and
	/// number that tell it apart (no key where only the server can: a transaction on a connection of the caller's own).
	/// </summary>
	static (bool InTransaction, object? Key, int Number) TransactionOf(DataConnection dataConnection)
	{
		var connection = dataConnection.TryGetDbConnection() as AuroraDsqlConnection;

		if (dataConnection.Transaction != null)
			return (true, connection, connection?.TransactionsBegun ?? 0);

		if (connection != null && AmbientTransactions.Of(connection) is { } enlistment)
			return (true, enlistment, 0);

		return (false, null, 0);
	}

	public static void Check(DataConnection dataConnection, string commandText)
	{
		var (inTransaction, key, transaction) = TransactionOf(dataConnection);
		var ledger = key != null ? _ledgers.GetOrCreateValue(key) : null;

		if (ledger != null)
			lock (ledger)
				ledger.Undo = null; // a failure from here on is this command's, not the last one's

		var facts = Facts(commandText);

		if (facts.Violation is { } violation)
			throw Refusal(dataConnection, violation.Message, violation.SqlState, BetterHint(violation), commandText);

		if (!inTransaction)
		{
			// One command is one (implicit) transaction.
			if (facts.DdlStatements > 1)
				throw TransactionRefusal(dataConnection, "one-ddl", commandText);
			if (facts.DdlStatements > 0 && facts.HasDml)
				throw TransactionRefusal(dataConnection, "ddl-dml", commandText);
			return;
		}

		if (ledger is null || (facts.DdlStatements == 0 && !facts.HasDml))
			return;

		lock (ledger)
		{
			if (ledger.Transaction != transaction)
			{
				ledger.Transaction   = transaction;
				ledger.DdlStatements = 0;
				ledger.FirstDdl      = null;
				ledger.HasDml        = false;
			}

			if (ledger.DdlStatements + facts.DdlStatements > 1)
				throw TransactionRefusal(dataConnection, "one-ddl", commandText, ledger.FirstDdl);
			if ((ledger.DdlStatements > 0 && facts.HasDml) || (facts.DdlStatements > 0 && (ledger.HasDml || facts.HasDml)))
				throw TransactionRefusal(dataConnection, "ddl-dml", commandText, ledger.FirstDdl);

			ledger.Undo           = new LedgerState(ledger.DdlStatements, ledger.FirstDdl, ledger.HasDml);
			ledger.DdlStatements += facts.DdlStatements;
			ledger.FirstDdl     ??= facts.FirstDdl;
			ledger.HasDml        |= facts.HasDml;
		}
	}

	/// <summary>
	/// Takes the last checked command of <paramref name="dataConnection"/>'s transaction back out of its ledger when it
	/// failed in the client (a parameter Npgsql cannot convert, for example): the server never ran it. Errors from the
	/// server or the network leave the ledger as it is.
	/// </summary>
	public static void CommandFailed(DataConnection dataConnection, Exception exception)
	{
		if (exception is NpgsqlException or OperationCanceledException)
			return;

		var (_, key, transaction) = TransactionOf(dataConnection);

		if (key is null || !_ledgers.TryGetValue(key, out var ledger))
			return;

		lock (ledger)
		{
			if (ledger.Undo is not { } undo || ledger.Transaction != transaction)
				return;

			ledger.DdlStatements = undo.DdlStatements;
			ledger.FirstDdl      = undo.FirstDdl;
			ledger.HasDml        = undo.HasDml;
			ledger.Undo          = null;
		}
	}

	static CommandFacts Facts(string commandText)
	{
		if (_facts.TryGetValue(commandText, out var cached))
			return cached;

		var rules = DsqlRuleSet.Latest;
		RuleViolation? violation = null;
		var ddl = 0;
		var dml = false;
		string? firstDdl = null;

		foreach (var statement in StatementSplitter.Split(commandText))
		{
			violation ??= rules.Check(statement);

			var category = DsqlRuleSet.Categorize(statement);
			if (category == StatementCategory.Ddl)
			{
				ddl++;
				firstDdl ??= Abbreviate(statement.StatementText);
			}
			else if (rules.CountsAsDml(category))
			{
				dml = true;
			}
		}

		var facts = new CommandFacts(violation, ddl, dml, firstDdl);

		// Long texts are mostly inlined values (multi-row INSERTs, long IN lists) that never repeat: not worth keeping.
		if (commandText.Length <= MaxCachedCommandLength)
		{
			if (_facts.Count >= MaxCachedCommands)
				_facts.Clear();

			_facts[commandText] = facts;
		}

		return facts;
	}

	static string? BetterHint(RuleViolation violation) => violation.RuleId switch
	{
		"set-parameter" when violation.Message.Contains("timeout", StringComparison.OrdinalIgnoreCase) =>
			"Bound statements with a client-side command timeout instead: DataConnection.CommandTimeout, or CommandTimeout in UseAuroraDsql.",
		"truncate" => $"{violation.Hint} Table.Truncate() does that for you.",
		_ => violation.Hint,
	};

	static AuroraDsqlNotSupportedException TransactionRefusal(DataConnection dataConnection, string ruleId, string commandText, string? earlierDdl = null)
	{
		var rule = DsqlRuleSet.Latest.Rule(ruleId);
		var hint = earlierDdl is null ? rule.Hint : $"{rule.Hint} (This transaction already ran: {earlierDdl}.)";
		return Refusal(dataConnection, rule.Message, rule.SqlState, hint, commandText);
	}

	static AuroraDsqlNotSupportedException Refusal(DataConnection dataConnection, string message, string sqlState, string? hint, string commandText)
	{
		// The log names the rule, not the command: its text (and any literal in it) is Npgsql's to log, at its level.
		ProviderLoggers.For(dataConnection.Options, ProviderLoggers.Commands).Refused(sqlState, message);
		return Refusal(message, sqlState, hint, commandText);
	}

	static AuroraDsqlNotSupportedException Refusal(string message, string sqlState, string? hint, string commandText) =>
		new($"Aurora DSQL would refuse this command ({sqlState}: {message}): {Abbreviate(commandText)}. {hint} Nothing was sent.".Replace(". .", ".", StringComparison.Ordinal));

	static string Abbreviate(string sql)
	{
		var oneLine = string.Join(' ', sql.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
		return oneLine.Length <= 120 ? oneLine : oneLine[..117] + "...";
	}
}
