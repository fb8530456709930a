using System.Data.Common;

using LinqToDB.Interceptors;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>Records the text of every command a data connection sends.</summary>
public sealed class SqlRecorder : CommandInterceptor
{
	readonly List<string> _commands = [];

	public IReadOnlyList<string> Commands
	{
		get { lock (_commands) return _commands.ToList(); }
	}

	public override DbCommand CommandInitialized(CommandEventData eventData, DbCommand command)
	{
		lock (_commands)
			_commands.Add(command.CommandText);

		return command;
	}
}
