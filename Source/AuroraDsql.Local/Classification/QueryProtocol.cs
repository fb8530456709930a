namespace AuroraDsql.Local.Classification;

/// <summary>Which protocol carried a statement.</summary>
enum QueryProtocol : byte
{
	/// <summary>A simple Query message (possibly several statements, one implicit transaction).</summary>
	Simple,

	/// <summary>A Parse message of the extended protocol (one statement; executed by Bind/Execute, committed at Sync).</summary>
	Extended,
}
