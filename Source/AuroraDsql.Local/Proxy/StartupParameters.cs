using System.Text;
using AuroraDsql.Rules;

namespace AuroraDsql.Local.Proxy;

/// <summary>
/// The run-time parameters of a client's StartupMessage, held to what SET may change (as on DSQL): the parameters of
/// <see cref="DsqlRuleSet.SettableParameters"/>, <c>client_encoding</c> only UTF-8 (<see cref="ClientEncodings"/>), and the
/// settings the endpoint decides itself (<c>lock_timeout</c>, <c>default_transaction_isolation</c>) silently replaced. The
/// <c>options</c> parameter's <c>-c name=value</c> and <c>--name=value</c> switches count as parameters like any other;
/// other switches are refused. A parameter that is not allowed ends the login with a FATAL error, before the backend
/// is reached.
/// </summary>
static class StartupParameters
{
	/// <summary>Settings the endpoint sets for every session; a client's value is dropped.</summary>
	static readonly string[] Replaced = ["lock_timeout", "default_transaction_isolation"];

	/// <summary>
	/// Checks <paramref name="parameters"/> (without <c>user</c>, <c>database</c> and protocol options) and returns those to
	/// pass to the backend, or the error to refuse the login with.
	/// </summary>
	public static (List<KeyValuePair<string, string>> Parameters, (string SqlState, string Message)? Error) Check(
		IEnumerable<KeyValuePair<string, string>> parameters, DsqlRuleSet rules)
	{
		var result = new List<KeyValuePair<string, string>>();

		foreach (var (name, value) in parameters)
		{
			if (name.Equals("options", StringComparison.OrdinalIgnoreCase))
			{
				if (ParseOptions(value, out var switches) is { } unsupported)
					return (result, ("0A000", $"startup option \"{unsupported}\" not supported"));
				foreach (var (optionName, optionValue) in switches)
				{
					if (CheckOne(optionName, optionValue, rules, result) is { } error)
						return (result, error);
				}

				continue;
			}

			if (CheckOne(name, value, rules, result) is { } failure)
				return (result, failure);
		}

		return (result, null);
	}

	static (string, string)? CheckOne(string name, string value, DsqlRuleSet rules, List<KeyValuePair<string, string>> result)
	{
		var lower = name.ToLowerInvariant();
		if (Array.IndexOf(Replaced, lower) >= 0)
			return null;

		if (!rules.SettableParameters.Contains(lower))
			return ("0A000", $"setting configuration parameter \"{name}\" not supported");

		if (lower == "client_encoding" && !ClientEncodings.IsAccepted(value))
			return ("22023", $"invalid value for parameter \"client_encoding\": \"{value}\"");

		result.RemoveAll(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
		result.Add(new(name, value));
		return null;
	}

	/// <summary>
	/// Splits PostgreSQL's <c>options</c> string (whitespace separates switches, a backslash escapes the next character)
	/// into <c>-c name=value</c> / <c>--name=value</c> settings; returns the first other switch, or <see langword="null"/>.
	/// </summary>
	internal static string? ParseOptions(string options, out List<(string Name, string Value)> settings)
	{
		settings = [];
		var words = new List<string>();
		var word = new StringBuilder();
		var inWord = false;
		for (var i = 0; i < options.Length; i++)
		{
			var c = options[i];
			if (c == '\\' && i + 1 < options.Length)
			{
				word.Append(options[++i]);
				inWord = true;
			}
			else if (char.IsWhiteSpace(c))
			{
				if (inWord)
					words.Add(word.ToString());
				word.Clear();
				inWord = false;
			}
			else
			{
				word.Append(c);
				inWord = true;
			}
		}

		if (inWord)
			words.Add(word.ToString());

		for (var k = 0; k < words.Count; k++)
		{
			string assignment;
			if (words[k] == "-c" && k + 1 < words.Count)
				assignment = words[++k];
			else if (words[k].StartsWith("-c", StringComparison.Ordinal) && words[k].Length > 2)
				assignment = words[k][2..];
			else if (words[k].StartsWith("--", StringComparison.Ordinal) && words[k].Length > 2)
				assignment = words[k][2..];
			else
				return words[k];

			var equals = assignment.IndexOf('=', StringComparison.Ordinal);
			if (equals <= 0)
				return words[k];
			settings.Add((assignment[..equals].Replace('-', '_'), assignment[(equals + 1)..]));
		}

		return null;
	}
}
