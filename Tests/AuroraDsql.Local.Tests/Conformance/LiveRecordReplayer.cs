using Npgsql;

namespace AuroraDsql.Local.Tests.Conformance;

/// <summary>
/// Replays recorded cases through a local endpoint as the recording client sent them: each step of an extended-protocol
/// case by Npgsql (Parse/Bind/Describe/Execute/Sync; tags noted by a <see cref="CommandTagTap"/>), a simple-protocol case
/// as one Query message (the raw protocol client: Npgsql sends every command over the extended protocol), a two-session
/// case on two Npgsql connections step by step in turn. Every case starts from fresh tables: everything named
/// <c>baseline%</c> is dropped on the backend, then the tables the case names are created through the endpoint, with the
/// rows the recording's earlier cases had left and the case's own set-up.
/// </summary>
sealed class LiveRecordReplayer(LiveRecords records, LocalDsqlEndpoint endpoint, CommandTagTap tap)
{
	/// <summary>Drops what a case may have made (on the backend, so that no DSQL rule stands in the way).</summary>
	const string DropEverything = """
		DO $$
		DECLARE r record;
		BEGIN
			FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE n.nspname = 'public' AND c.relname LIKE 'baseline%' AND c.relkind IN ('r', 'p') LOOP
				EXECUTE format('DROP TABLE IF EXISTS %s CASCADE', r.name);
			END LOOP;
			FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE n.nspname = 'public' AND c.relname LIKE 'baseline%' AND c.relkind = 'v' LOOP
				EXECUTE format('DROP VIEW IF EXISTS %s CASCADE', r.name);
			END LOOP;
			FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE n.nspname = 'public' AND c.relname LIKE 'baseline%' AND c.relkind = 'S' LOOP
				EXECUTE format('DROP SEQUENCE IF EXISTS %s CASCADE', r.name);
			END LOOP;
			FOR r IN SELECT t.oid::regtype AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
				WHERE n.nspname = 'public' AND t.typname LIKE 'baseline%' AND t.typtype = 'd' LOOP
				EXECUTE format('DROP DOMAIN IF EXISTS %s CASCADE', r.name);
			END LOOP;
			FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
				WHERE n.nspname = 'public' AND p.proname LIKE 'baseline%' LOOP
				EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.name);
			END LOOP;
			DROP SCHEMA IF EXISTS baseline_schema CASCADE;
		END
		$$
		""";

	public async Task<LiveCaseResult> ReplayAsync(LiveRecordCase c)
	{
		await ResetAsync();
		try
		{
			if (await SetUpAsync(c) is { } failure)
				return new LiveCaseResult(c, [failure]);

			var differences = new List<string>();
			if (c.Sessions is { } sessions)
			{
				var answers = await RunSessionsAsync(sessions, c.IgnoreRows);
				for (var s = 0; s < sessions.Length; s++)
					Compare(c, sessions[s], answers[s], $"session {s + 1} ", differences);
			}
			else
			{
				var steps = c.Steps ?? [];
				var answers = c.IsSimpleProtocol ? await RunSimpleAsync(steps) : await RunExtendedAsync(steps, c.IgnoreRows);
				Compare(c, steps, answers, "", differences);
			}

			return new LiveCaseResult(c, differences);
		}
		finally
		{
			await ResetAsync();
		}
	}

	public async Task ResetAsync()
	{
		// A job a case started (an index build, a validation) ends first: dropping its table under a running build
		// could deadlock with it. CALL sys.wait_for_job returns when the job has ended.
		await using (var connection = await EndpointFixture.OpenAsync(endpoint: endpoint))
		{
			var running = new List<string>();
			await using (var jobs = new NpgsqlCommand("SELECT job_id FROM sys.jobs WHERE status IN ('submitted', 'processing')", connection))
			await using (var reader = await jobs.ExecuteReaderAsync())
			{
				while (await reader.ReadAsync())
					running.Add(reader.GetString(0));
			}

			foreach (var job in running)
				await EndpointFixture.ExecuteAsync(connection, $"CALL sys.wait_for_job('{job}')");
		}

		await using var backend = await EndpointFixture.OpenBackendAsync(endpoint);
		await EndpointFixture.ExecuteAsync(backend, DropEverything);
	}

	static void Compare(LiveRecordCase c, LiveRecordStep[] steps, List<LiveOutcome> answers, string where, List<string> differences)
	{
		for (var k = 0; k < steps.Length; k++)
		{
			var recorded = steps[k].Recorded().Describe(!c.IgnoreRows);
			var local = answers[k].Describe(!c.IgnoreRows);
			if (!string.Equals(recorded, local, StringComparison.Ordinal))
				differences.Add($"{where}step {k + 1} ({Shorten(steps[k].Sql)}): recorded «{recorded}», local «{local}»");
		}
	}

	static string Shorten(string sql)
	{
		var line = string.Join(' ', sql.Split((char[])['\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
		return line.Length > 100 ? line[..100] + "…" : line;
	}

	async Task<string?> SetUpAsync(LiveRecordCase c)
	{
		var statements = records.TablesOf(c)
			.SelectMany(t => t.Sql.Concat(c.TableState.GetValueOrDefault(t.Name) ?? []))
			.Concat(c.Setup ?? []);

		await using var connection = await EndpointFixture.OpenAsync(endpoint: endpoint);
		foreach (var sql in statements)
		{
			try
			{
				await EndpointFixture.ExecuteAsync(connection, sql);
			}
			catch (PostgresException e)
			{
				return $"set-up ({Shorten(sql)}) failed: {e.SqlState} {e.MessageText}";
			}
		}

		return null;
	}

	async Task<NpgsqlConnection> OpenThroughTapAsync()
	{
		var connection = new NpgsqlConnection(tap.ConnectionString());
		await connection.OpenAsync();
		tap.TakeTags(connection.ProcessID);
		return connection;
	}

	async Task<List<LiveOutcome>> RunExtendedAsync(IReadOnlyList<LiveRecordStep> steps, bool ignoreRows)
	{
		await using var connection = await OpenThroughTapAsync();
		var answers = new List<LiveOutcome>();
		foreach (var step in steps)
			answers.Add(await RunStepAsync(connection, step.Sql, ignoreRows));
		return answers;
	}

	async Task<List<LiveOutcome>[]> RunSessionsAsync(LiveRecordStep[][] sessions, bool ignoreRows)
	{
		var connections = new NpgsqlConnection[sessions.Length];
		try
		{
			for (var s = 0; s < sessions.Length; s++)
				connections[s] = await OpenThroughTapAsync();

			var answers = sessions.Select(_ => new List<LiveOutcome>()).ToArray();
			for (var k = 0; k < sessions.Max(s => s.Length); k++)
			{
				for (var s = 0; s < sessions.Length; s++)
				{
					if (k < sessions[s].Length)
						answers[s].Add(await RunStepAsync(connections[s], sessions[s][k].Sql, ignoreRows));
				}
			}

			return answers;
		}
		finally
		{
			foreach (var connection in connections)
			{
				if (connection != null)
					await connection.DisposeAsync();
			}
		}
	}

	async Task<LiveOutcome> RunStepAsync(NpgsqlConnection connection, string sql, bool ignoreRows)
	{
		tap.TakeTags(connection.ProcessID);
		List<string> columns;
		var rows = new List<IReadOnlyList<string>>();
		try
		{
			await using var command = new NpgsqlCommand(sql, connection);
			await using var reader = await command.ExecuteReaderAsync();
			columns = [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)];
			while (await reader.ReadAsync())
			{
				if (!ignoreRows)
					rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(k => PgxValueText.Format(reader.GetValue(k)))]);
			}
		}
		catch (PostgresException e)
		{
			return LiveOutcome.Failed(e.SqlState, e.MessageText);
		}
		catch (Exception e) when (e is NpgsqlException or InvalidCastException or NotSupportedException)
		{
			return LiveOutcome.Failed("client", e.Message);
		}

		var tags = tap.TakeTags(connection.ProcessID);
		return LiveOutcome.Succeeded([new LiveResultSet(string.Join(" + ", tags), columns, rows)]);
	}

	async Task<List<LiveOutcome>> RunSimpleAsync(IReadOnlyList<LiveRecordStep> steps)
	{
		var (client, _) = await RawPgClient.ConnectAsync(endpoint);
		await using var __ = client;
		var answers = new List<LiveOutcome>();
		foreach (var step in steps)
		{
			var messages = await client.QueryAsync(step.Sql);
			if (messages.FirstOrDefault(m => m.Type == 'E') is { } error)
			{
				answers.Add(LiveOutcome.Failed(error.Fields['C'], error.Fields['M']));
				continue;
			}

			var results = new List<LiveResultSet>();
			IReadOnlyList<string> columns = [];
			var rows = new List<IReadOnlyList<string>>();
			foreach (var message in messages)
			{
				switch (message.Type)
				{
					case 'T':
						columns = message.Columns;
						break;
					case 'D':
						rows.Add([.. message.Values.Select(v => v ?? "NULL")]);
						break;
					case 'C':
						results.Add(new LiveResultSet(message.Tag, columns, rows));
						columns = [];
						rows = [];
						break;
				}
			}

			answers.Add(LiveOutcome.Succeeded(results));
		}

		return answers;
	}
}
