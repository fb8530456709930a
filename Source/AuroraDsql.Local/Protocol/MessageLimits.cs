namespace AuroraDsql.Local.Protocol;

/// <summary>Which length limits a <see cref="MessageBuffer"/> holds typed messages to (see <see cref="PgMessageReader.MaxLength"/>).</summary>
enum MessageLimits
{
	/// <summary>Messages from the backend: up to PostgreSQL's maximum.</summary>
	Backend,

	/// <summary>A client that has not logged in yet: every message as short as what login needs (a token).</summary>
	ClientLoggingIn,

	/// <summary>A logged-in client: PostgreSQL's limits (queries, binds, COPY data up to 1 GiB; other messages 10,000 bytes).</summary>
	Client,
}
