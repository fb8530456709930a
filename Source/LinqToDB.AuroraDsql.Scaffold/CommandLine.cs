using System.CommandLine;
using System.CommandLine.Parsing;

using LinqToDB.AuroraDsql.Scaffold.Generation;
using LinqToDB.AuroraDsql.Scaffold.Naming;
using LinqToDB.AuroraDsql.Scaffold.Options;
using LinqToDB.AuroraDsql.Scaffold.Output;
using LinqToDB.AuroraDsql.Scaffold.Templates;

namespace LinqToDB.AuroraDsql.Scaffold;

/// <summary>
/// The <c>linq2db-dsql</c> command line: <c>linq2db-dsql scaffold [options]</c> and <c>linq2db-dsql template</c>. Options come
/// from the command line, then from the options file (<c>--options</c>), then from the defaults.
/// </summary>
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
	readonly Option<string?> _namespace = new("--namespace", "-n")
	{
		Description = "Namespace of the generated classes. Default: DataModel.",
	};

	readonly Option<string?> _output = new("--output", "-o")
	{
		Description = "Output folder (created when missing). Files of an earlier run there are replaced; other files are left alone. Default: the current folder.",
		HelpName    = "folder",
	};

	readonly Option<string?> _contextName = new("--context-name")
	{
		Description = "Name of the generated DataConnection class. Default: DsqlDb.",
	};

	readonly Option<string?> _classNaming = new("--class-naming")
	{
		Description = "pascal: PascalCase class and property names (order_line -> OrderLine); preserve: database names as they are, made valid C#. Default: pascal.",
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

	readonly Option<string[]> _includeTables = new("--include-tables")
	{
		Description                    = "Tables and views to generate: table or schema.table, * and ? as wildcards, comma-separated or repeated. Default: all.",
		AllowMultipleArgumentsPerToken = true,
		HelpName                       = "table,...",
	};

	readonly Option<string[]> _excludeTables = new("--exclude-tables")
	{
		Description                    = "Tables and views not to generate (same patterns).",
		AllowMultipleArgumentsPerToken = true,
		HelpName                       = "table,...",
	};

	readonly Option<bool> _nullable = new("--nullable")
	{
		Description = "Generate for nullable reference types (#nullable enable, string? for nullable columns).",
	};

	readonly Option<bool> _indexAttributes = new("--index-attributes")
	{
		Description = "Declare indexes with [AuroraDsqlIndex] (primary keys and invalid indexes excepted).",
	};

	readonly Option<bool> _foreignKeyAttributes = new("--foreign-key-attributes")
	{
		Description = "Declare foreign keys with [AuroraDsqlForeignKey] (with their ON DELETE/ON UPDATE actions), so that CreateTable and EnsureSchema create them.",
	};

	readonly Option<bool> _checkAttributes = new("--check-attributes")
	{
		Description = "Declare CHECK constraints with [AuroraDsqlCheck], so that CreateTable and EnsureSchema create them.",
	};

	readonly Option<string?> _dateType = new("--date-type")
	{
		Description = "C# type of date columns: dateonly or datetime. Default: dateonly.",
	};

	readonly Option<string?> _timeType = new("--time-type")
	{
		Description = "C# type of time columns: timeonly or timespan. Default: timeonly.",
	};

	readonly Option<string?> _timestamptzType = new("--timestamptz-type")
	{
		Description = "C# type of timestamptz columns: datetimeoffset or datetime (UTC). Default: datetimeoffset.",
	};

	readonly Option<string?> _jsonType = new("--json-type")
	{
		Description = "C# type of json and jsonb columns: string or jsondocument (System.Text.Json.JsonDocument). Default: string.",
	};

	readonly Option<string?> _customize = new("--customize")
	{
		Description = "A T4 template that writes the files from the model (start from 'linq2db-dsql template').",
		HelpName    = "file.tt",
	};

	readonly Option<string?> _optionsFile = new("--options")
	{
		Description = "A JSON options file with any of these options (and table, column and type overrides); options given on the command line win.",
		HelpName    = "file.json",
	};

	readonly Option<string?> _saveOptions = new("--save-options")
	{
		Description = "Write the options of this run (never the connection string) to a JSON options file; without a connection, only that.",
		HelpName    = "file.json",
	};

	readonly Option<bool> _quiet = new("--quiet", "-q")
	{
		Description = "Print nothing but warnings and errors.",
	};

	// template
	readonly Option<string> _templateOutput = new("--output", "-o")
	{
		Description         = "The template file to write.",
		DefaultValueFactory = _ => DefaultTemplateName,
		HelpName            = "file.tt",
	};

	readonly Option<string> _templateSample = new("--sample")
	{
		Description         = "default: writes exactly what scaffold writes without a template; records: records instead of classes and a naming rule.",
		DefaultValueFactory = _ => "default",
	};

	readonly Option<bool> _templateForce = new("--force")
	{
		Description = "Overwrite the file if it exists.",
	};

	/// <summary>The file <c>linq2db-dsql template</c> writes by default.</summary>
	public const string DefaultTemplateName = "CustomizeScaffolding.tt";

	/// <summary>Builds the command tree.</summary>
	public RootCommand Create()
	{
		_classNaming.AcceptOnlyFromAmong(Choices.ClassNaming);
		_dateType.AcceptOnlyFromAmong(Choices.DateType);
		_timeType.AcceptOnlyFromAmong(Choices.TimeType);
		_timestamptzType.AcceptOnlyFromAmong(Choices.TimestampTzType);
		_jsonType.AcceptOnlyFromAmong(Choices.JsonType);
		_templateSample.AcceptOnlyFromAmong(TemplateSamples.Names);

		_port.Validators.Add(r =>
		{
			if (r.GetValueOrDefault<int?>() is <= 0 or > 65535)
				r.AddError("--port must be between 1 and 65535.");
		});

		_namespace.Validators.Add(r =>
		{
			var value = r.GetValueOrDefault<string?>();
			if (!IsNamespace(value))
				r.AddError($"'{value}' is not a valid C# namespace.");
		});

		_contextName.Validators.Add(r =>
		{
			var value = r.GetValueOrDefault<string?>();
			if (!IsIdentifier(value))
				r.AddError($"'{value}' is not a valid C# class name.");
			else if (ModelBuilder.IsReservedTypeName(value!))
				r.AddError($"'{value}' is a type name the generated code uses; choose another context name.");
		});

		var scaffold = new Command("scaffold", "Reads a live Aurora DSQL schema and writes a linq2db data model: an entity class per table and view, and a typed DataConnection.")
		{
			_endpoint, _region, _user, _profile, _port, _rootCertificate, _connectionString,
			_namespace, _output, _contextName, _classNaming, _singularize, _pluralize, _includeSchemas, _excludeSchemas,
			_includeTables, _excludeTables, _nullable, _indexAttributes, _foreignKeyAttributes, _checkAttributes,
			_dateType, _timeType, _timestamptzType, _jsonType, _customize, _optionsFile, _saveOptions, _quiet,
		};

		scaffold.SetAction(Run);

		var template = new Command("template", "Writes a starter T4 template for 'scaffold --customize': it reproduces the standard output, ready to change.")
		{
			_templateOutput, _templateSample, _templateForce,
		};

		template.SetAction(WriteTemplate);

		return new RootCommand("linq2db data model scaffolding for Amazon Aurora DSQL.") { scaffold, template };
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

		ScaffoldSettings settings;
		try
		{
			settings = CommandLineSettings(result);

			if (Given(result, _optionsFile))
				settings = settings.Over(OptionsFile.Read(result.GetValue(_optionsFile)!));
		}
		catch (OptionsFileException ex)
		{
			error.WriteLine("error: " + ex.Message);
			return UsageError;
		}

		// a connection string from the options file is as secret as one from the command line
		if (settings.ConnectionString is { } fileConnectionString)
		{
			var secrets = new ConnectionSettings { ConnectionString = fileConnectionString }.Secrets().Append(fileConnectionString).ToList();
			(output as MaskingWriter)?.AddSecrets(secrets);
			(error as MaskingWriter)?.AddSecrets(secrets);
		}

		var connection = new ConnectionSettings
		{
			Endpoint            = Blank(settings.Endpoint),
			Region              = Blank(settings.Region),
			User                = Blank(settings.User),
			Profile             = Blank(settings.Profile),
			Port                = settings.Port,
			RootCertificatePath = Blank(settings.RootCertificate),
			ConnectionString    = Blank(settings.ConnectionString),
		};

		if (connection.Endpoint is null && connection.ConnectionString is null)
			connection = connection with { ConnectionString = Blank(Environment.GetEnvironmentVariable(ConnectionSettings.ConnectionStringVariable)) };

		if (Given(result, _saveOptions))
		{
			var path = Path.GetFullPath(result.GetValue(_saveOptions)!);
			OptionsFile.Write(path, settings with { ConnectionString = null });

			if (settings.Quiet != true)
				output.WriteLine($"Options saved to {path}.");

			if (connection.Endpoint is null && connection.ConnectionString is null)
				return 0;
		}

		if (connection.Validate() is { } problem)
		{
			error.WriteLine("error: " + problem);
			return UsageError;
		}

		var options = new GenerationOptions
		{
			Namespace              = settings.Namespace ?? "DataModel",
			ContextName            = settings.ContextName ?? "DsqlDb",
			ClassNaming            = settings.ClassNaming == "preserve" ? ClassNaming.Preserve : ClassNaming.Pascal,
			Singularize            = settings.Singularize ?? false,
			Pluralize              = settings.Pluralize ?? false,
			IncludeSchemas         = settings.IncludeSchemas ?? [],
			ExcludeSchemas         = settings.ExcludeSchemas ?? [],
			IncludeTables          = settings.IncludeTables ?? [],
			ExcludeTables          = settings.ExcludeTables ?? [],
			NullableReferenceTypes = settings.Nullable ?? false,
			IndexAttributes        = settings.IndexAttributes ?? false,
			ForeignKeyAttributes   = settings.ForeignKeyAttributes ?? false,
			CheckAttributes        = settings.CheckAttributes ?? false,
			DateType               = settings.DateType == "datetime" ? DateMapping.DateTime : DateMapping.DateOnly,
			TimeType               = settings.TimeType == "timespan" ? TimeMapping.TimeSpan : TimeMapping.TimeOnly,
			TimestampTzType        = settings.TimestampTzType == "datetime" ? TimestampTzMapping.DateTime : TimestampTzMapping.DateTimeOffset,
			JsonType               = settings.JsonType == "jsondocument" ? JsonMapping.JsonDocument : JsonMapping.String,
			TypeOverrides          = settings.TypeOverrides ?? new Dictionary<string, TypeOverride>(),
			Tables                 = settings.Tables ?? new Dictionary<string, TableOverride>(),
		};

		try
		{
			new Scaffolder(output, settings.Quiet ?? false, settings.Customize).Run(connection, options, settings.Output ?? ".");
			output.Flush();
			return 0;
		}
		catch (Exception ex) when (ex is OutputConflictException or TemplateException)
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

	/// <summary>What the command line gives; options not given stay <see langword="null"/> (the options file or the default decides).</summary>
	ScaffoldSettings CommandLineSettings(ParseResult result)
	{
		string? Text(Option<string?> option) => Given(result, option) ? Blank(result.GetValue(option)) : null;
		string? FullPath(Option<string?> option) => Text(option) is { } path ? Path.GetFullPath(path) : null;
		bool? Flag(Option<bool> option) => Given(result, option) ? result.GetValue(option) : null;
		IReadOnlyList<string>? List(Option<string[]> option) => Given(result, option) ? SplitList(result.GetValue(option)) : null;
		string? Choice(Option<string?> option) => Text(option)?.ToLowerInvariant();

		return new ScaffoldSettings
		{
			Endpoint             = Text(_endpoint),
			Region               = Text(_region),
			User                 = Text(_user),
			Profile              = Text(_profile),
			Port                 = Given(result, _port) ? result.GetValue(_port) : null,
			RootCertificate      = FullPath(_rootCertificate),
			ConnectionString     = Text(_connectionString),
			Namespace            = Text(_namespace),
			Output               = FullPath(_output),
			ContextName          = Text(_contextName),
			ClassNaming          = Choice(_classNaming),
			Singularize          = Flag(_singularize),
			Pluralize            = Flag(_pluralize),
			IncludeSchemas       = List(_includeSchemas),
			ExcludeSchemas       = List(_excludeSchemas),
			IncludeTables        = List(_includeTables),
			ExcludeTables        = List(_excludeTables),
			Nullable             = Flag(_nullable),
			IndexAttributes      = Flag(_indexAttributes),
			ForeignKeyAttributes = Flag(_foreignKeyAttributes),
			CheckAttributes      = Flag(_checkAttributes),
			DateType             = Choice(_dateType),
			TimeType             = Choice(_timeType),
			TimestampTzType      = Choice(_timestamptzType),
			JsonType             = Choice(_jsonType),
			Customize            = FullPath(_customize),
			Quiet                = Flag(_quiet),
		};
	}

	static bool Given(ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

	int WriteTemplate(ParseResult result)
	{
		var output = result.InvocationConfiguration.Output;
		var error  = result.InvocationConfiguration.Error;
		var path   = Path.GetFullPath(result.GetValue(_templateOutput)!);

		if (File.Exists(path) && !result.GetValue(_templateForce))
		{
			error.WriteLine($"error: '{path}' exists; give --force to overwrite it, or another --output.");
			return Failed;
		}

		var directory = Path.GetDirectoryName(path);
		if (!string.IsNullOrEmpty(directory))
			Directory.CreateDirectory(directory);

		File.WriteAllText(path, TemplateSamples.Read(result.GetValue(_templateSample)!), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
		output.WriteLine($"Wrote {path}. Change it, then run: linq2db-dsql scaffold --customize {Path.GetFileName(path)} …");
		return 0;
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

	internal static List<string> SplitList(string[]? values) =>
		(values ?? [])
			.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
			.Distinct(StringComparer.Ordinal)
			.ToList();

	internal static bool IsContextName(string? value) => IsIdentifier(value) && !ModelBuilder.IsReservedTypeName(value!);

	internal static bool IsNamespace(string? value) =>
		!string.IsNullOrEmpty(value) && value.Split('.').All(IsIdentifier);

	internal static bool IsIdentifier(string? value) =>
		!string.IsNullOrEmpty(value) && !Names.IsKeyword(value) && Names.ToIdentifier(value, ClassNaming.Preserve) == value;
}
