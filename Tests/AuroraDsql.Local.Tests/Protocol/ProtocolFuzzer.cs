using System.Text;

using AuroraDsql.Local.Tests.Infrastructure;

namespace AuroraDsql.Local.Tests.Protocol;

/// <summary>
/// Random protocol traffic for fuzzing the endpoint (the fuzz tests and the soak run): batches of random, mutated and
/// truncated messages of every type between valid ones, and malformed startup packets. Deterministic for a given
/// <see cref="Random"/>.
/// </summary>
static class ProtocolFuzzer
{
	static readonly string[] Fragments =
	[
		"SELECT 1", "SELECT $1::int", "BEGIN", "COMMIT", "ROLLBACK", "TRUNCATE t", "SET client_encoding = 'SJIS'", "SELECT set_config('a.b', 'c', false)",
		"CREATE INDEX ASYNC ON t (a)", "CALL sys.wait_for_job('x')", "CALL sys.wait_for_job($1)", "SHOW server_version", "SELECT version()",
		"COPY t FROM STDIN", "COPY (SELECT 1) TO STDOUT", "'", "\"", "$$", "$a$", "E'\\", "/*", "--", ";", ";;", "U&'\\0041'", "\0", "SELECT 'é'",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'TRUNCATE t'", "GRANT pg_execute_server_program TO admin", "DO $$ BEGIN END $$",
		"SELECT pg_sleep(0)", "SELECT repeat('x', 100000)", "DISCARD ALL", "PREPARE p AS SELECT 1", "EXECUTE p", "DEALLOCATE p", "LISTEN c",
	];

	static readonly char[] MessageTypes = ['Q', 'P', 'B', 'D', 'E', 'C', 'S', 'H', 'F', 'd', 'c', 'f', 'p', 'X', 'Z', '\0', '\u00ff', 'A'];

	/// <summary>The text of the probe query <see cref="Batch"/> ends with; a session that survived answers it with this row.</summary>
	public const string Alive = "alive";

	public static byte[] RandomBytes(Random random, int max)
	{
		var bytes = new byte[random.Next(max + 1)];
		random.NextBytes(bytes);
		return bytes;
	}

	static string RandomSql(Random random)
	{
		var sql = new StringBuilder();
		for (var k = random.Next(1, 4); k > 0; k--)
			sql.Append(Fragments[random.Next(Fragments.Length)]).Append(random.Next(3) == 0 ? "; " : " ");
		return sql.ToString();
	}

	/// <summary>A message body of the type: well formed, with random values, or plain random bytes.</summary>
	static byte[] Body(Random random, char type)
	{
		if (random.Next(4) == 0)
			return RandomBytes(random, 64);

		return type switch
		{
			'Q' => RawPgClient.CString(RandomSql(random)),
			// (one statement half of the time: statements the endpoint plans for, such as CALL sys.wait_for_job($1), are parsed
			// again at their Bind)
			'P' => [.. RawPgClient.CString(random.Next(2) == 0 ? "" : "s" + random.Next(3)),
				.. RawPgClient.CString(random.Next(2) == 0 ? Fragments[random.Next(Fragments.Length)] : RandomSql(random)),
				.. RawPgClient.BigEndian16((short)random.Next(-1, 3)), .. RandomBytes(random, 8)],
			'B' => [.. RawPgClient.CString(""), .. RawPgClient.CString(random.Next(2) == 0 ? "" : "s" + random.Next(3)),
				.. RawPgClient.BigEndian16((short)random.Next(-1, 3)), .. RawPgClient.BigEndian16((short)random.Next(-1, 3)),
				.. RawPgClient.BigEndian(random.Next(-2, 2000)), .. RandomBytes(random, 16), .. RawPgClient.BigEndian16((short)random.Next(-1, 2))],
			'D' or 'C' => [(byte)(random.Next(3) switch { 0 => 'S', 1 => 'P', _ => random.Next(256) }), .. RawPgClient.CString("s" + random.Next(3))],
			'E' => [.. RawPgClient.CString(random.Next(2) == 0 ? "" : "p"), .. RawPgClient.BigEndian(random.Next(-1, 3))],
			'd' => RandomBytes(random, 200),
			'f' => RawPgClient.CString("fuzz"),
			_ => random.Next(2) == 0 ? [] : RandomBytes(random, 16),
		};
	}

	/// <summary>One message, its length field sometimes off by a little (shorter: the rest reads as the next message).</summary>
	public static byte[] Message(Random random, char type, byte[] body)
	{
		var message = RawPgClient.Build(type, body);
		if (random.Next(12) == 0 && body.Length > 0)
			System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + random.Next(body.Length));
		return message;
	}

	/// <summary>A batch for a logged-in session: random messages, then Sync and the probe query.</summary>
	public static byte[] Batch(Random random)
	{
		var batch = new List<byte>();
		if (random.Next(3) == 0)
		{
			// A well-formed extended-protocol flow whose Bind lies about a parameter's length.
			var name = "s" + random.Next(3);
			var sql = random.Next(2) == 0 ? "CALL sys.wait_for_job($1)" : "SELECT $1::text";
			var data = RandomBytes(random, 20);
			batch.AddRange(RawPgClient.Parse(sql, name));
			batch.AddRange(RawPgClient.Build('B', RawPgClient.CString(""), RawPgClient.CString(name), RawPgClient.BigEndian16(0), RawPgClient.BigEndian16(1),
				RawPgClient.BigEndian(random.Next(-1, 100)), data, RawPgClient.BigEndian16(0)));
			batch.AddRange(RawPgClient.Execute());
		}

		for (var k = random.Next(1, 12); k > 0; k--)
		{
			var type = random.Next(3) == 0 ? MessageTypes[random.Next(MessageTypes.Length)] : "QPBEDSCH"[random.Next(8)];
			if (type == 'X')
				continue;
			batch.AddRange(Message(random, type, Body(random, type)));
		}

		batch.AddRange(RawPgClient.Sync());
		batch.AddRange(RawPgClient.Build('Q', RawPgClient.CString($"SELECT '{Alive}'")));
		return [.. batch];
	}

	/// <summary>A startup packet (length first) with random parameters, version and length, sometimes unterminated.</summary>
	public static byte[] StartupPacket(Random random)
	{
		var startup = new List<byte>();
		startup.AddRange(RawPgClient.BigEndian(random.Next(4) == 0 ? random.Next(0x30000) : RawPgClient.ProtocolVersion3));
		for (var k = random.Next(0, 4); k > 0; k--)
		{
			var name = random.Next(3) switch { 0 => "user", 1 => "database", _ => Encoding.ASCII.GetString(RandomBytes(random, 8)).Replace('\0', 'x') };
			startup.AddRange(RawPgClient.CString(name));
			startup.AddRange(RawPgClient.CString(random.Next(2) == 0 ? "admin" : Encoding.UTF8.GetString(RandomBytes(random, 12)).Replace('\0', 'y')));
		}

		if (random.Next(5) != 0)
			startup.Add(0);
		var length = random.Next(6) == 0 ? random.Next(-10, 20_000) : startup.Count + 4;
		return [.. RawPgClient.BigEndian(length), .. startup];
	}

	/// <summary>A message where a password message is expected: a token, random bytes, or another type.</summary>
	public static byte[] PasswordMessage(Random random, LocalDsqlEndpoint endpoint)
	{
		var type = random.Next(3) == 0 ? MessageTypes[random.Next(MessageTypes.Length)] : 'p';
		var body = random.Next(3) == 0 ? RawPgClient.CString(endpoint.GenerateToken()) : RandomBytes(random, 300);
		return Message(random, type, body);
	}

	/// <summary>
	/// Reads the answers to a <see cref="Batch"/> until the probe's row, a FATAL error, the end of the connection or a
	/// timeout (a length field that claimed more than was sent waits for bytes that never come). Returns the errors seen,
	/// and whether the session answered the probe (only then can it be used again: after a timeout a read is still pending).
	/// </summary>
	public static async Task<(List<RawPgClient.Message> Errors, bool Alive)> ReadAnswersAsync(RawPgClient client, TimeSpan timeout)
	{
		var errors = new List<RawPgClient.Message>();
		using var cancel = new CancellationTokenSource(timeout);
		while (true)
		{
			RawPgClient.Message message;
			try
			{
				message = await client.ReadAsync().WaitAsync(cancel.Token);
			}
			catch (Exception ex) when (ex is OperationCanceledException or EndOfStreamException or IOException)
			{
				return (errors, false);
			}

			if (message.Type == 'E')
			{
				errors.Add(message);
				if (message.Fields.GetValueOrDefault('S') == "FATAL")
					return (errors, false);
			}

			if (message.Type == 'D' && message.Values is [Alive])
			{
				try
				{
					await client.ReadUntilReadyAsync().WaitAsync(cancel.Token); // up to its ReadyForQuery
					return (errors, true);
				}
				catch (Exception ex) when (ex is OperationCanceledException or EndOfStreamException or IOException)
				{
					return (errors, false);
				}
			}
		}
	}

	/// <summary>True for the error of a failure inside the endpoint (never a fair answer to anything a client sends).</summary>
	public static bool IsInternalError(RawPgClient.Message error) => error.Fields.GetValueOrDefault('M') == "internal error in the local DSQL endpoint";
}
