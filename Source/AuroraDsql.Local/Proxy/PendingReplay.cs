namespace AuroraDsql.Local.Proxy;

/// <summary>A write that lost a row to a later snapshot, held until its ReadyForQuery (see ClientSession.TryReplay).</summary>
/// <param name="Error">The backend's ErrorResponse (whole message), forwarded when the write is not run again.</param>
/// <param name="Expectation">The write's Query or Execute expectation, with the messages that run it again.</param>
sealed record PendingReplay(byte[] Error, Expectation Expectation);
