using System.CommandLine;
using System.Globalization;
using AuroraDsql.Signing;

namespace AuroraDsql.Local.Tool.Cli;

/// <summary>The <c>aurora-dsql-local</c> command: runs an endpoint until Ctrl+C, or prints a token (<c>token</c> command).</summary>
static class CommandLineHost
{
	public const string ReadyPrefix = "Aurora DSQL local endpoint ready:";

	/// <summary>The command the tool package installs (<c>dotnet tool install AuroraDsql.Local.Tool</c>).</summary>
	public const string CommandName = "aurora-dsql-local";

	public static async Task<int> RunAsync(string[] args)
	{
		var port = new Option<int>("--port", "-p") { Description = "TCP port on 127.0.0.1; 0 picks a free port.", DefaultValueFactory = _ => 0, HelpName = "N" };
		var dataDir = new Option<string?>("--data-dir") { Description = "PostgreSQL data directory kept between runs (default: a temporary directory, deleted on exit).", HelpName = "DIR" };
		var hostName = new Option<string>("--host-name") { Description = "Cluster host name for tokens and the server certificate (localhost and 127.0.0.1 are always accepted).", DefaultValueFactory = _ => "localhost", HelpName = "NAME" };
		var region = new Option<string>("--region") { Description = "AWS region tokens must be signed for.", DefaultValueFactory = _ => "us-east-1", HelpName = "R" };
		var accessKeyId = new Option<string?>("--access-key-id") { Description = $"Access key id tokens are signed with (default: the local test key {LocalDsqlCredential.DefaultAccessKeyId}).", HelpName = "ID" };
		var secretAccessKey = new Option<string?>("--secret-access-key") { Description = "Secret key for --access-key-id (or the AURORA_DSQL_SECRET_ACCESS_KEY environment variable).", HelpName = "KEY" };
		var sessionToken = new Option<string?>("--session-token") { Description = "Session token that tokens must carry (temporary credentials).", HelpName = "TOKEN" };
		var identityArn = new Option<string?>("--identity-arn") { Description = $"ARN of the IAM identity the credentials belong to; custom roles log in only once admin ran AWS IAM GRANT role TO 'ARN' (default: {LocalDsqlCredential.DefaultIdentityArn}).", HelpName = "ARN" };
		var maxDuration = new Option<double>("--max-connection-duration") { Description = "Connections are ended after this many seconds, as on DSQL.", DefaultValueFactory = _ => 3600, HelpName = "SECONDS" };
		var clockSkew = new Option<double>("--token-clock-skew") { Description = "Allowed clock skew around a token's signing time and expiry, in seconds.", DefaultValueFactory = _ => 300, HelpName = "SECONDS" };
		var backend = new Option<string?>("--backend-connection-string") { Description = "Use this PostgreSQL server (superuser; Host, Port, Username, Password, Database) instead of starting one.", HelpName = "CS" };
		var pgBin = new Option<string?>("--pg-bin") { Description = "Directory of the PostgreSQL server programs (initdb, postgres); default: AURORA_DSQL_PG_BIN, else searched, PostgreSQL 16 first.", HelpName = "DIR" };
		var certDir = new Option<string?>("--cert-dir") { Description = "Where the CA certificate (ca.pem) and key are written; an existing CA there is reused (default: a temporary directory).", HelpName = "DIR" };
		var jobDelay = new Option<double>("--job-completion-delay") { Description = "Hold async jobs this many seconds before they complete (submitted, then processing).", DefaultValueFactory = _ => 0, HelpName = "SECONDS" };
		var rulesAsOf = new Option<string?>("--rules-as-of") { Description = "Enforce DSQL's SQL rules as of this release date (YYYY-MM-DD), e.g. 2026-08-25 for before foreign keys (default: the newest).", HelpName = "DATE" };
		var maxRows = new Option<int>("--max-rows-per-transaction") { Description = "Rows a transaction may modify.", DefaultValueFactory = _ => 3000, HelpName = "N" };
		var maxBytes = new Option<long>("--max-bytes-per-transaction") { Description = "Bytes of modified data a transaction may write.", DefaultValueFactory = _ => 10 * 1024 * 1024, HelpName = "N" };
		var maxAge = new Option<double>("--max-transaction-age") { Description = "Seconds a transaction may last.", DefaultValueFactory = _ => 300, HelpName = "SECONDS" };
		var lockTimeout = new Option<double>("--lock-timeout") { Description = "Milliseconds a statement waits for another transaction's row lock before failing with 40001 (OC000).", DefaultValueFactory = _ => 100, HelpName = "MS" };
		var conflictsAtStatement = new Option<bool>("--conflicts-at-statement") { Description = "Conflicting statements fail with 40001 (OC000) themselves, instead of the later committer failing at its COMMIT." };
		var serverVersion = new Option<string?>("--server-version") { Description = "The PostgreSQL 16 version to report (server_version), as your DSQL cluster does (default: 16.15, DSQL in late 2026).", HelpName = "16.N" };
		var faultInjection = new Option<bool>("--allow-fault-injection") { Description = "Let role admin queue COMMIT failures with SELECT aurora_dsql_local.fail_next_commits(count [, code [, application_name [, role]]]) and clear them with SELECT aurora_dsql_local.clear_commit_failures() (the local endpoint's functions, not DSQL's)." };
		var networkLatency = new Option<double>("--network-latency") { Description = "Milliseconds every answer is held, so that each client round trip costs that much more (as the network hop to DSQL).", DefaultValueFactory = _ => 0, HelpName = "MS" };
		var commitLatency = new Option<double>("--commit-latency") { Description = "Milliseconds the answer to each commit is held on top of --network-latency.", DefaultValueFactory = _ => 0, HelpName = "MS" };
		var verbose = new Option<bool>("--verbose", "-v") { Description = "Log connections, refusals and jobs to standard error." };

		var root = new RootCommand("A local Amazon Aurora DSQL endpoint: a PostgreSQL wire-protocol proxy with TLS, IAM token authentication and async index jobs.")
		{
			port, dataDir, hostName, region, accessKeyId, secretAccessKey, sessionToken, identityArn, maxDuration, clockSkew, backend, pgBin, certDir, jobDelay,
			rulesAsOf, maxRows, maxBytes, maxAge, lockTimeout, conflictsAtStatement, serverVersion, faultInjection, networkLatency, commitLatency, verbose,
		};

		root.SetAction(async (parse, cancellationToken) =>
		{
			var credential = Credential(parse.GetValue(accessKeyId), parse.GetValue(secretAccessKey), parse.GetValue(sessionToken), parse.GetValue(identityArn));
			if (credential is null)
				return 2;

			DateOnly? asOf = null;
			if (parse.GetValue(rulesAsOf) is { } asOfText)
			{
				if (!DateOnly.TryParseExact(asOfText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
				{
					await Console.Error.WriteLineAsync("--rules-as-of takes a date: YYYY-MM-DD.").ConfigureAwait(false);
					return 2;
				}

				asOf = date;
			}

			var options = new LocalDsqlEndpointOptions
			{
				Port                    = parse.GetValue(port),
				DataDirectory           = parse.GetValue(dataDir),
				HostName                = parse.GetValue(hostName)!,
				Region                  = parse.GetValue(region)!,
				Credentials             = [credential],
				MaxConnectionDuration   = TimeSpan.FromSeconds(parse.GetValue(maxDuration)),
				TokenClockSkew          = TimeSpan.FromSeconds(parse.GetValue(clockSkew)),
				BackendConnectionString = parse.GetValue(backend),
				PostgresBinDirectory    = parse.GetValue(pgBin),
				CertificateDirectory    = parse.GetValue(certDir),
				JobCompletionDelay      = TimeSpan.FromSeconds(parse.GetValue(jobDelay)),
				RulesAsOf               = asOf,
				MaxRowsPerTransaction   = parse.GetValue(maxRows),
				MaxBytesPerTransaction  = parse.GetValue(maxBytes),
				MaxTransactionAge       = TimeSpan.FromSeconds(parse.GetValue(maxAge)),
				LockTimeout             = TimeSpan.FromMilliseconds(parse.GetValue(lockTimeout)),
				ConflictsAtCommit       = !parse.GetValue(conflictsAtStatement),
				ServerVersion           = parse.GetValue(serverVersion),
				AllowFaultInjection     = parse.GetValue(faultInjection),
				NetworkLatency          = TimeSpan.FromMilliseconds(parse.GetValue(networkLatency)),
				CommitLatency           = TimeSpan.FromMilliseconds(parse.GetValue(commitLatency)),
				Log                     = parse.GetValue(verbose) ? Console.Error : null,
			};

			LocalDsqlEndpoint endpoint;
			try
			{
				endpoint = await LocalDsqlEndpoint.StartAsync(options, cancellationToken).ConfigureAwait(false);
			}
			catch (OperationCanceledException)
			{
				return 130;
			}
			catch (Exception ex) when (ex is Backend.PostgresClusterException or IOException or ArgumentException or System.Net.Sockets.SocketException or Protocol.PgServerException or Protocol.PgProtocolException)
			{
				await Console.Error.WriteLineAsync("Could not start the endpoint: " + ex.Message).ConfigureAwait(false);
				return 1;
			}

			await using (endpoint.ConfigureAwait(false))
			{
				PrintReady(endpoint, credential, options.AllowFaultInjection);

				try
				{
					await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
				}
				catch (OperationCanceledException)
				{
					await Console.Out.WriteLineAsync("Stopping...").ConfigureAwait(false);
				}
			}

			return 0;
		});

		var role = new Option<string>("--role", "-U") { Description = "Database role (admin signs DbConnectAdmin, other roles DbConnect).", DefaultValueFactory = _ => "admin", HelpName = "ROLE" };
		var expiresIn = new Option<int>("--expires-in") { Description = "Token lifetime in seconds.", DefaultValueFactory = _ => 900, HelpName = "SECONDS" };
		var token = new Command("token", "Print an IAM authentication token for the endpoint (use it as the password, e.g. PGPASSWORD).")
		{
			role, hostName, region, accessKeyId, secretAccessKey, sessionToken, expiresIn,
		};
		token.SetAction(parse =>
		{
			var credential = Credential(parse.GetValue(accessKeyId), parse.GetValue(secretAccessKey), parse.GetValue(sessionToken), null);
			if (credential is null)
				return 2;

			var roleName = parse.GetValue(role)!;
			Console.WriteLine(SigV4QuerySigner.CreateToken(parse.GetValue(hostName)!, parse.GetValue(region)!, SigV4QuerySigner.ActionForRole(roleName),
				credential.AccessKeyId, credential.SecretAccessKey, credential.SessionToken, DateTimeOffset.UtcNow, parse.GetValue(expiresIn)));
			return 0;
		});
		root.Subcommands.Add(token);

		return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) }).ConfigureAwait(false);
	}

	static LocalDsqlCredential? Credential(string? accessKeyId, string? secretAccessKey, string? sessionToken, string? identityArn)
	{
		secretAccessKey ??= Environment.GetEnvironmentVariable("AURORA_DSQL_SECRET_ACCESS_KEY");

		if (identityArn is not null && !System.Text.RegularExpressions.Regex.IsMatch(identityArn, AuroraDsql.Local.Backend.IamRoleMappings.ArnPattern))
		{
			Console.Error.WriteLine($"--identity-arn takes the ARN of an IAM role or user, e.g. {LocalDsqlCredential.DefaultIdentityArn}.");
			return null;
		}

		if (accessKeyId is null && secretAccessKey is null)
		{
			var fixedKey = sessionToken is null ? LocalDsqlCredential.Default : LocalDsqlCredential.Default with { SessionToken = sessionToken };
			return identityArn is null ? fixedKey : fixedKey with { IdentityArn = identityArn };
		}

		if (accessKeyId is null || secretAccessKey is null)
		{
			Console.Error.WriteLine("--access-key-id and --secret-access-key go together.");
			return null;
		}

		return new LocalDsqlCredential(accessKeyId, secretAccessKey, sessionToken) { IdentityArn = identityArn ?? LocalDsqlCredential.DefaultIdentityArn };
	}

	static void PrintReady(LocalDsqlEndpoint endpoint, LocalDsqlCredential credential, bool allowFaultInjection)
	{
		var port = endpoint.Port.ToString(CultureInfo.InvariantCulture);
		var isDefault = credential.AccessKeyId == LocalDsqlCredential.DefaultAccessKeyId && credential.SecretAccessKey == LocalDsqlCredential.DefaultSecretAccessKey;

		Console.WriteLine($"{ReadyPrefix} host={endpoint.Host} port={port} region={endpoint.Region} ca={endpoint.CaCertificatePath}");
		Console.WriteLine($"  Connect as user admin (or a role made with CREATE ROLE ... LOGIN and mapped with AWS IAM GRANT) to database postgres, TLS verify-full with the CA above.");
		Console.WriteLine($"  Password: an IAM token for host {endpoint.HostName}, region {endpoint.Region}, signed with access key id {credential.AccessKeyId}" +
			(isDefault ? $" (secret key {LocalDsqlCredential.DefaultSecretAccessKey}, the documented local test key)." : "."));
		Console.WriteLine($"  Tokens come from IAM identity {credential.IdentityArn}: before a custom role logs in, admin runs AWS IAM GRANT <role> TO '{credential.IdentityArn}'.");
		Console.WriteLine($"  Example: PGPASSWORD=\"$({CommandName} token)\" psql \"host={endpoint.HostName} port={port} dbname=postgres user=admin sslmode=verify-full sslrootcert={endpoint.CaCertificatePath}\"");
		Console.WriteLine($"  DSQL rules as of {endpoint.RulesVersion:yyyy-MM-dd} (--rules-as-of to change); backend PostgreSQL {endpoint.BackendServerVersion}.");
		if (allowFaultInjection)
			Console.WriteLine("  Fault injection on (not DSQL): as admin, SELECT aurora_dsql_local.fail_next_commits(n) makes the next n COMMITs fail with 40001 OC000.");
		Console.WriteLine("  Press Ctrl+C to stop.");
		if (endpoint.BackendCompatibilityWarning is { } warning)
			Console.Error.WriteLine("Warning: " + warning);
	}
}
