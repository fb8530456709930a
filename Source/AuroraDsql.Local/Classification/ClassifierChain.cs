namespace AuroraDsql.Local.Classification;

/// <summary>Runs classifiers in order; the first plan wins.</summary>
sealed class ClassifierChain
{
	readonly IStatementClassifier[] _classifiers;

	public ClassifierChain(IEnumerable<IStatementClassifier> classifiers)
	{
		_classifiers = classifiers.ToArray();
		DependsOnTextAndSessionOnly = Array.TrueForAll(_classifiers, c => c.DependsOnTextAndSessionOnly);
	}

	/// <summary>Every classifier's plan depends on the statement's text and the session only (see <see cref="IStatementClassifier.DependsOnTextAndSessionOnly"/>).</summary>
	public bool DependsOnTextAndSessionOnly { get; }

	public StatementPlan? Classify(StatementContext context)
	{
		foreach (var classifier in _classifiers)
		{
			if (classifier.Classify(context) is { } plan)
				return plan;
		}

		return null;
	}
}
