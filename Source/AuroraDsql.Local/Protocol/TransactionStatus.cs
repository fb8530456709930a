namespace AuroraDsql.Local.Protocol;

/// <summary>The backend's transaction status in a ReadyForQuery message.</summary>
enum TransactionStatus : byte
{
	/// <summary>Not in a transaction block.</summary>
	Idle = (byte)'I',

	/// <summary>In a transaction block.</summary>
	InTransactionBlock = (byte)'T',

	/// <summary>In a failed transaction block: statements are refused until it ends.</summary>
	InFailedTransactionBlock = (byte)'E',
}
