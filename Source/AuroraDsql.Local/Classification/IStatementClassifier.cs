namespace AuroraDsql.Local.Classification;

/// <summary>
/// Looks at every statement a client sends (each statement of a simple Query, each Parse) before it is forwarded, and
/// decides: pass (return <see langword="null"/>), rewrite, or refuse (<see cref="StatementPlan.Refuse"/>).
/// Classifiers run in order; the first plan wins. Called on the session's frontend loop: no blocking.
/// </summary>
interface IStatementClassifier
{
	StatementPlan? Classify(StatementContext context);

	/// <summary>
	/// The plan depends only on the statement's text and on what stays fixed for a session (its role, its settings at the
	/// time): a session may keep the plan of a statement it parses again instead of asking again. A classifier that reads
	/// the transaction (or anything else that changes) at classification must leave this <see langword="false"/>; per-
	/// execution checks belong in <see cref="StatementPlan.CheckExecute"/> and <see cref="StatementPlan.OnExecute"/>, which
	/// run at every execution either way.
	/// </summary>
	bool DependsOnTextAndSessionOnly => false;
}
