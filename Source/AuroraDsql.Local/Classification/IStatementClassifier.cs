namespace AuroraDsql.Local.Classification;

/// <summary>
/// Looks at every statement a client sends (each statement of a simple Query, each Parse) before it is forwarded, and
/// decides: pass (return <see langword="null"/>), rewrite, or refuse (<see cref="StatementPlan.Refuse"/>).
/// Classifiers run in order; the first plan wins. Called on the session's frontend loop: no blocking.
/// </summary>
interface IStatementClassifier
{
	StatementPlan? Classify(StatementContext context);
}
