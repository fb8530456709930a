using System.CommandLine;
using System.CommandLine.Parsing;

using LinqToDB.AuroraDsql.Scaffold.Generation;
using LinqToDB.AuroraDsql.Scaffold.Naming;
using LinqToDB.AuroraDsql.Scaffold.Output;

namespace LinqToDB.AuroraDsql.Scaffold;

/// <summary>The <c>linq2db-dsql</c> command line: <c>linq2db-dsql scaffold [options]</c>.</summary>
sealed class CommandLine
{
	/// <summary>Exit code of a run that failed (connection, schema, output conflict).</summary>
	public const int Failed = 1;

	/// <summary>Exit code of invalid arguments.</summary>
	public const int UsageError = 2;

	// connection
	readonly Option<string?> _endpoint = new("--endpoint")
	{
		Description = "Cluster endpoint (<id>.dsql.<region>.on.aws); connects with IAM authentication like UseAuroraDsql.",
		HelpName    = "host",
	};

	readonly Option<string?> _region = new("--region")
	{
		Description = "AWS region of the cluster. Default: from the endpoint, else the AWS SDK (AWS_REGION, profile).",
	};

	readonly Option<string?> _user = new("--user")
	{
		Description = "Database role. Default: admin (other roles are signed with dsql:DbConnect).",
	};

	readonly Option<string?> _profile = new("--profile")
	{
		Description = "Named AWS profile whose credentials sign the tokens. Default: the AWS SDK's credential chain.",
	};

	readonly Option<int?> _port = new("--port")
	{
		Description = "Port. Default: 5432.",
	};

	readonly Option<string?> _rootCertificate = new("--root-certificate")
	{
		Description = "PEM file with the root certificate to trust. Default: the system trust store.",
		HelpName    = "path",
	};

	readonly Option<string?> _connectionString = new("--connection-string")
	{
		Description = $"Plain Npgsql connection string, password included (for the local DSQL endpoint and tests); never printed. Also read from {ConnectionSettings.ConnectionStringVariable}.",
		HelpName    = "connection string",
	};

	// generation
	readonly Option<string> _namespace = new("--namespace", "-n")
	{
		Description         = "Namespace of the generated classes.",
		DefaultValueFactory = _ => "DataModel",
	};

	readonly Option<string> _output = new("--output", "-o")
	{
		Description         = "Output folder (created when missing). Files of an earlier run there are replaced; other files are left alone.",
		DefaultValueFactory = _ => ".",
		HelpName            = "folder",
	};

	readonly Option<string> _contextName = new("--context-name")
	{
		Description         = "Name of the generated DataConnection class.",
		DefaultValueFactory = _ => "DsqlDb",
	};

	readonly Option<string> _classNaming = new("--class-naming")
	{
		Description         = "pascal: PascalCase class and property names (order_line -> OrderLine); preserve: database names as they are, made valid C#.",
		DefaultValueFactory = _ => "pascal",
	};

	readonly Option<bool> _singularize = new("--singularize")
	{
		Description = "Singular entity class names (pets -> Pet).",
	};

	readonly Option<bool> _pluralize = new("--pluralize")
	{
		Description = "Plural DataConnection property and collection association names (Pet -> Pets).",
	};

	readonly Option<string[]> _includeSchemas = new("--include-schemas")
	{
		Description                    = "Schemas to read, comma-separated or repeated (earlier ones win class-name clashes). Default: every schema but system schemas.",
		AllowMultipleArgumentsPerToken = true,
		HelpName                       = "schema,...",
	};

	readonly Option<string[]> _excludeSchemas = new("--exclude-schemas")
	{
		Description                    = "Schemas not to read, comma-separated or repeated.",
		AllowMultipleArgumentsPerToken = true,
		HelpName                       = "schema,...",
	};

	readonly Option<bool> _nullable = new("--nullable")
	{
		Description = "Generate for nullable reference types (#nullable enable, string? for nullable columns).",
	};

	readonly Option<bool> _indexAttributes = new("--index-attributes")
	{
		Description = "Declare indexes with [AuroraDsqlIndex] (primary keys and invalid indexes excepted).",
	};

	readonly Option<bool> _quiet = new("--quiet", "-q")
	{
		Description = "Print nothing but warnings and errors.",
	};

	/// <summary>Builds the command tree.</summary>
	public RootCommand Create()
	{
		_classNaming.AcceptOnlyFromAmong("pascal", "preserve");

		_port.Validators.Add(r =>
		{
			if (r.GetValueOrDefault<int?>() is <= 0 or > 65535)
				r.AddError("--port must be between 1 and 65535.");
		});

		_namespace.Validators.Add(r =>
		{
			var value = r.GetValueOrDefault<string>();
			if (!IsNamespace(value))
				r.AddError($"'{value}' is not a valid C# namespace.");
		});

		_contextName.Validators.Add(r =>
		{
			var value = r.GetValueOrDefault<string>();
			if (!IsIdentifier(value))
				r.AddError($"'{value}' is not a valid C# class name.");
			else if (ModelBuilder.IsReservedTypeName(value!))
				r.AddError($"'{value}' is a type name the generated code uses; choose another context name.");
		});

		var scaffold = new Command("scaffold", "Reads a live Aurora DSQL schema and writes a linq2db data model: an entity class per table and view, and a typed DataConnection.")
		{
			_endpoint, _region, _user, _profile, _port, _rootCertificate, _connectionString,
			_namespace, _output, _contextName, _classNaming, _singularize, _pluralize, _includeSchemas, _excludeSchemas,
			_nullable, _indexAttributes, _quiet,
		};

		scaffold.SetAction(Run);

		return new RootCommand("linq2db data model scaffolding for Amazon Aurora DSQL.") { scaffold };
	}

	/// <summary>Runs the command line with the given arguments and writers; returns the exit code.</summary>
	public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
	{
		using var maskedOutput = new MaskingWriter(output);
		using var maskedError  = new MaskingWriter(error);

		var commandLine = new CommandLine();
		var parseResult = commandLine.Create().Parse(args);

		// what --connection-string says is secret from the start, also in parse errors (the whole value, and its password)
		foreach (var connectionString in ConnectionStringArguments(args))
		{
			maskedOutput.AddSecrets([connectionString]);
			maskedError.AddSecrets([connectionString]);

			var settings = new ConnectionSettings { ConnectionString = connectionString };
			maskedOutput.AddSecrets(settings.Secrets());
			maskedError.AddSecrets(settings.Secrets());
		}

		var environment = Environment.GetEnvironmentVariable(ConnectionSettings.ConnectionStringVariable);
		if (!string.IsNullOrEmpty(environment))
		{
			var settings = new ConnectionSettings { ConnectionString = environment };
			maskedOutput.AddSecrets(settings.Secrets());
			maskedError.AddSecrets(settings.Secrets());
		}

		var exitCode = await parseResult.InvokeAsync(new InvocationConfiguration { Output = maskedOutput, Error = maskedError }, cancellationToken).ConfigureAwait(false);

		// System.CommandLine reports parse errors with 1; keep 1 for failed runs and 2 for bad arguments
		return parseResult.Errors.Count > 0 ? UsageError : exitCode;
	}

	int Run(ParseResult result)
	{
		var output = result.InvocationConfiguration.Output;
		var error  = result.InvocationConfiguration.Error;

		var connection = new ConnectionSettings
		{
			Endpoint            = Blank(result.GetValue(_endpoint)),
			Region              = Blank(result.GetValue(_region)),
			User                = Blank(result.GetValue(_user)),
			Profile             = Blank(result.GetValue(_profile)),
			Port                = result.GetValue(_port),
			RootCertificatePath = Blank(result.GetValue(_rootCertificate)),
			ConnectionString    = Blank(result.GetValue(_connectionString)),
		};

		if (connection.Endpoint is null && connection.ConnectionString is null)
			connection = connection with { ConnectionString = Blank(Environment.GetEnvironmentVariable(ConnectionSettings.ConnectionStringVariable)) };

		if (connection.Validate() is { } problem)
		{
			error.WriteLine("error: " + problem);
			return UsageError;
		}

		var options = new GenerationOptions
		{
			Namespace              = result.GetValue(_namespace)!,
			ContextName            = result.GetValue(_contextName)!,
			ClassNaming            = result.GetValue(_classNaming) == "preserve" ? ClassNaming.Preserve : ClassNaming.Pascal,
			Singularize            = result.GetValue(_singularize),
			Pluralize              = result.GetValue(_pluralize),
			IncludeSchemas         = SplitList(result.GetValue(_includeSchemas)),
			ExcludeSchemas         = SplitList(result.GetValue(_excludeSchemas)),
			NullableReferenceTypes = result.GetValue(_nullable),
			IndexAttributes        = result.GetValue(_indexAttributes),
		};

		try
		{
			new Scaffolder(output, result.GetValue(_quiet)).Run(connection, options, result.GetValue(_output)!);
			output.Flush();
			return 0;
		}
		catch (OutputConflictException ex)
		{
			error.WriteLine("error: " + ex.Message);
		}
#pragma warning disable CA1031 // a command-line tool reports any failure as a message and an exit code
		catch (Exception ex)
#pragma warning restore CA1031
		{
			error.WriteLine("error: " + ex.GetType().Name + ": " + ex.Message);
			for (var inner = ex.InnerException; inner != null; inner = inner.InnerException)
				error.WriteLine("  caused by " + inner.GetType().Name + ": " + inner.Message);
		}

		return Failed;
	}

	// Read from the raw arguments: they are there even when the command line does not parse.
	static IEnumerable<string> ConnectionStringArguments(string[] args)
	{
		const string name = "--connection-string";

		for (var i = 0; i < args.Length; i++)
		{
			if (args[i] == name && i + 1 < args.Length && args[i + 1].Length > 0)
				yield return args[i + 1];
			else if (args[i].StartsWith(name + "=", StringComparison.Ordinal) && args[i].Length > name.Length + 1)
				yield return args[i][(name.Length + 1)..];
		}
	}

	static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

	static List<string> SplitList(string[]? values) =>
		(values ?? [])
			.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
			.Distinct(StringComparer.Ordinal)
			.ToList();

	static bool IsNamespace(string? value) =>
		!string.IsNullOrEmpty(value) && value.Split('.').All(IsIdentifier);

	static bool IsIdentifier(string? value) =>
		!string.IsNullOrEmpty(value) && !Names.IsKeyword(value) && Names.ToIdentifier(value, ClassNaming.Preserve) == value;
}
