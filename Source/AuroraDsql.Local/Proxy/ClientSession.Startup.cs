using System.Globalization;
using System.Net.Sockets;
using AuroraDsql.Local.Classification;
using AuroraDsql.Local.Protocol;
using AuroraDsql.Sql;

namespace AuroraDsql.Local.Proxy;

// Start-up and authentication: the client's startup parameters, its IAM token, the backend session (impersonating the
// client's role on an external server), and the startup answers the client gets. Runs on the connection's thread
// before the relay starts (that thread then becomes the frontend loop).

sealed partial class ClientSession
{
	bool Startup(int protocolVersion, IReadOnlyList<KeyValuePair<string, string>> parameters)
	{
		string? user = null, database = null;
		var requested = new List<KeyValuePair<string, string>>();
		var unsupportedOptions = new List<string>();

		foreach (var (name, value) in parameters)
		{
			switch (name)
			{
				case "user":
					user = value;
					break;
				case "database":
					database = value;
					break;
				case "replication":
					SendFatal("08P01", "replication connections are not supported");
					return false;
				default:
					if (name.StartsWith("_pq_.", StringComparison.Ordinal))
						unsupportedOptions.Add(name);
					else
						requested.Add(new(name, value));
					break;
			}
		}

		if (string.IsNullOrEmpty(user))
		{
			SendFatal("28000", "no PostgreSQL user name specified in startup packet");
			return false;
		}

		// DSQL has one database, postgres (the backend's configured database stands for it).
		database = string.IsNullOrEmpty(database) ? user : database;
		if (database != "postgres")
		{
			_services.Log($"refused login of role \"{LogText.Escape(user)}\": database \"{LogText.Escape(database)}\"");
			SendFatal("3D000", $"database \"{database}\" does not exist");
			return false;
		}

		// Run-time parameters: only what SET may change, as on DSQL (the backend's own settings are not the client's).
		var (forwarded, refusal) = StartupParameters.Check(requested, _services.Rules);
		if (refusal is { } parameterError)
		{
			_services.Log($"refused login of role \"{LogText.Escape(user)}\": {LogText.Escape(parameterError.Message)}");
			SendFatal(parameterError.SqlState, parameterError.Message);
			return false;
		}

		// Protocol 3.x with x > 0, or protocol options: answer that only 3.0 without options is spoken.
		if (RequestCode.MinorVersion(protocolVersion) != 0 || unsupportedOptions.Count > 0)
		{
			_front.Builder.Clear();
			_front.Builder.NegotiateProtocolVersion(newestMinorVersion: 0, unsupportedOptions);
			WriteClient(_front.Builder.WrittenSpan);
		}

		// IAM authentication: the password is the token.
		_front.Builder.Clear();
		_front.Builder.AuthenticationRequest(AuthenticationRequestCode.CleartextPassword);
		WriteClient(_front.Builder.WrittenSpan);

		var (type, body) = ReadClientMessage();
		if (type != FrontendMessageCode.Password)
		{
			SendFatal("08P01", $"expected password response, got message type {LogText.Escape(((char)type).ToString())}");
			return false;
		}

		var offset = 0;
		var token  = PgMessageReader.ReadCString(body, ref offset);

		var accepted = _services.AcceptedHosts;
		if (_sniHost.Length > 0 && !accepted.Contains(_sniHost, StringComparer.OrdinalIgnoreCase))
			accepted = [.. accepted, _sniHost];

		var verification = _services.Verifier.Verify(token, user, accepted);
		if (!verification.Succeeded)
		{
			_services.Log($"refused login of role \"{LogText.Escape(user)}\": {verification.Reason}");
			SendFatal(verification.SqlState, verification.Message);
			return false;
		}

		// The backend's superuser is the endpoint's own, never a client's (DSQL has no such role).
		if (string.Equals(user, _services.Backend.SuperUser, StringComparison.Ordinal))
		{
			_services.Log($"refused login of role \"{LogText.Escape(user)}\": the backend's superuser");
			SendFatal("28000", $"role \"{user}\" does not exist");
			return false;
		}

		// The backend session.
		// DSQL runs every transaction at REPEATABLE READ and starts sessions in UTC (a client may still set its TimeZone);
		// the endpoint's own cluster is configured so, an external server may not be.
		// The settings the endpoint lexes with are given explicitly, so that no role or database default can change them.
		var backendParameters = new List<KeyValuePair<string, string>>(forwarded) { new("database", _services.Backend.Database) };
		if (!forwarded.Any(p => p.Key.Equals("TimeZone", StringComparison.OrdinalIgnoreCase)))
			backendParameters.Add(new("TimeZone", "UTC"));
		if (!forwarded.Any(p => p.Key.Equals("client_encoding", StringComparison.OrdinalIgnoreCase)))
			backendParameters.Add(new("client_encoding", "UTF8"));
		backendParameters.Add(new("standard_conforming_strings", "on"));
		backendParameters.Add(new("default_transaction_isolation", "repeatable read"));

		// DSQL's limits and catalog rules (read by the backend's triggers), and short lock waits (conflicts are reported as
		// DSQL's OC000 instead of waiting, see CopyError).
		var options = _services.Options;
		backendParameters.Add(new("lock_timeout", ((long)Math.Ceiling(options.LockTimeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture)));
		backendParameters.AddRange(Backend.RuleObjects.SessionSettings(_services.Rules, options.MaxRowsPerTransaction, options.MaxBytesPerTransaction));
		var endpoint = _services.Backend;

		try
		{
			_backend = BackendConnection.Open(endpoint);
			_backend.Startup(endpoint.Impersonate ? endpoint.SuperUser : user, endpoint.Password, backendParameters);
		}
		catch (PgServerException ex)
		{
			SendFatal(ex.SqlState, ex.Message);
			return false;
		}
		catch (Exception ex) when (ex is SocketException or IOException or PgProtocolException)
		{
			_services.Log($"backend connection failed: {ex.Message}");
			SendFatal("08006", "could not connect to the backend server");
			return false;
		}

		_info = new SessionInfo(user, database, _transactions) { ProcessId = ProcessId };

		// Collect the backend's startup answers; the client gets them after AuthenticationOk, with our own key data.
		var startupMessages = new PgMessageBuilder();
		startupMessages.AuthenticationRequest(AuthenticationRequestCode.Ok);

		while (true)
		{
			var (backendType, backendBody) = _backend.ReadMessage();
			switch (backendType)
			{
				case BackendMessageCode.ParameterStatus:
				{
					var o = 0;
					var name  = PgMessageReader.ReadCString(backendBody, ref o);
					var value = PgMessageReader.ReadCString(backendBody, ref o);
					value = OnParameterStatus(name, value);
					startupMessages.ParameterStatus(name, value);
					break;
				}
				case BackendMessageCode.BackendKeyData:
				{
					var o = 0;
					_backendProcessId = PgMessageReader.ReadInt32(backendBody, ref o);
					_backendSecretKey = PgMessageReader.ReadInt32(backendBody, ref o);
					break;
				}
				case BackendMessageCode.NoticeResponse:
					startupMessages.NoticeResponse(backendBody);
					break;
				case BackendMessageCode.ErrorResponse:
				{
					var fields = PgMessageReader.ReadErrorFields(backendBody);
					SendFatal(fields.GetValueOrDefault(ErrorFieldCode.SqlState, "08006"), fields.GetValueOrDefault(ErrorFieldCode.Message, "backend error"));
					return false;
				}
				case BackendMessageCode.ReadyForQuery:
					if (endpoint.Impersonate && !Impersonate(user, startupMessages))
						return false;

					if (!IsMappedIdentity(user, verification.IdentityArn))
						return false;

					startupMessages.BackendKeyData(ProcessId, SecretKey);
					startupMessages.ReadyForQuery(TransactionStatus.Idle);

					// From here on a termination is reported by the relay (FATAL 57P01…), also if it is requested before the
					// relay threads run: the client may already hold this ReadyForQuery. The client's messages may now be as
					// long as PostgreSQL allows.
					_front.ClientIn.Limits = MessageLimits.Client;
					_termination.MarkRelaying();
					WriteClient(startupMessages.WrittenSpan);
					_services.Log($"session {ProcessId}: role \"{LogText.Escape(user)}\" connected");
					return true;
			}
		}
	}

	/// <summary>External backend: become the client's role (and check it may log in).</summary>
	bool Impersonate(string role, PgMessageBuilder startupMessages)
	{
		var check = "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = " + SqlText.QuoteLiteral(role) +
			" AND rolcanlogin AND NOT rolsuper) THEN RAISE EXCEPTION USING ERRCODE = '28000', MESSAGE = pg_catalog.format('role \"%s\" does not exist', " +
			SqlText.QuoteLiteral(role) + "); END IF; END$$; SET SESSION AUTHORIZATION " + SqlText.QuoteIdentifier(role);

		_front.Builder.Clear();
		_front.Builder.Query(check);
		_backend!.Write(_front.Builder.WrittenSpan);

		Dictionary<char, string>? error = null;
		while (true)
		{
			var (type, body) = _backend.ReadMessage();
			if (type == BackendMessageCode.ErrorResponse)
				error ??= PgMessageReader.ReadErrorFields(body);
			else if (type == BackendMessageCode.ParameterStatus)
			{
				var o = 0;
				var name  = PgMessageReader.ReadCString(body, ref o);
				var value = OnParameterStatus(name, PgMessageReader.ReadCString(body, ref o));
				startupMessages.ParameterStatus(name, value);
			}
			else if (type == BackendMessageCode.ReadyForQuery)
				break;
		}

		if (error != null)
		{
			SendFatal(error.GetValueOrDefault(ErrorFieldCode.SqlState, "28000"), error.GetValueOrDefault(ErrorFieldCode.Message, "role switch failed"));
			return false;
		}

		return true;
	}

	/// <summary>
	/// As on DSQL, a DbConnect token logs in as a custom role only when admin has mapped the token's IAM identity to the role
	/// (<c>AWS IAM GRANT</c>, see <c>Backend/IamRoleMappings</c>); admin's DbConnectAdmin tokens need no mapping. The refusal
	/// names the role and the identity's ARN (which is not a secret), never the token.
	/// </summary>
	bool IsMappedIdentity(string role, string? identityArn)
	{
		if (AuroraDsql.Signing.SigV4QuerySigner.ActionForRole(role) != AuroraDsql.Signing.SigV4QuerySigner.ConnectAction)
			return true;

		_front.Builder.Clear();
		_front.Builder.Query(Backend.IamRoleMappings.IsMappedQuery(role, identityArn ?? ""));
		_backend!.Write(_front.Builder.WrittenSpan);

		var mapped = false;
		Dictionary<char, string>? error = null;
		while (true)
		{
			var (type, body) = _backend.ReadMessage();
			if (type == BackendMessageCode.DataRow)
				mapped = true;
			else if (type == BackendMessageCode.ErrorResponse)
				error ??= PgMessageReader.ReadErrorFields(body);
			else if (type == BackendMessageCode.ReadyForQuery)
				break;
		}

		if (error != null)
		{
			SendFatal(error.GetValueOrDefault(ErrorFieldCode.SqlState, "28000"), error.GetValueOrDefault(ErrorFieldCode.Message, "IAM role mapping check failed"));
			return false;
		}

		if (mapped)
			return true;

		var rule = _services.Rules.Rule("iam-login-unmapped");
		_services.Log($"refused login of role \"{LogText.Escape(role)}\": IAM identity {LogText.Escape(identityArn ?? "")} is not mapped to it");
		var builder = new PgMessageBuilder();
		builder.Error("FATAL", rule.SqlState, rule.FormatMessage(role),
			detail: $"IAM identity \"{identityArn}\" is not mapped to role \"{role}\".",
			hint: $"As admin: AWS IAM GRANT {SqlText.QuoteIdentifier(role)} TO '{(identityArn ?? "").Replace("'", "''", StringComparison.Ordinal)}';");
		try
		{
			WriteClient(builder.WrittenSpan);
		}
		catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
		{
			// the client is gone already
		}

		return false;
	}

	/// <summary>Records a backend parameter and returns the value the client should see.</summary>
	string OnParameterStatus(string name, string value)
	{
		if (name == "server_version")
			value = _services.ServerVersion.Version;

		if (_info != null)
		{
			lock (_info.ParameterValues)
				_info.ParameterValues[name] = value;
		}

		// Statements are lexed as UTF-8 and every way to another client encoding is closed; should one still be found, the
		// session ends rather than let the endpoint read text differently from the server.
		if (name == "client_encoding" && !AuroraDsql.Rules.ClientEncodings.IsAccepted(value))
		{
			_services.Log($"session {ProcessId}: client_encoding became {LogText.Escape(value)}: ending the session");
			RequestTermination("08P01", "the client encoding must stay UTF8");
		}

		return value;
	}

	(FrontendMessageCode Type, byte[] Body) ReadClientMessage()
	{
		while (true)
		{
			if (_front.ClientIn.TryReadMessage(out var type, out var message))
				return ((FrontendMessageCode)type, message[5..].ToArray());

			if (!_front.ClientIn.Fill(_clientStream))
				throw new IOException("the client closed the connection");
		}
	}

	void WriteClient(ReadOnlySpan<byte> data) => _clientStream.Write(data);

	void SendFatal(string sqlState, string message)
	{
		var builder = new PgMessageBuilder();
		builder.Error("FATAL", sqlState, message);
		try
		{
			WriteClient(builder.WrittenSpan);
		}
		catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
		{
			// the client is gone already
		}
	}
}
