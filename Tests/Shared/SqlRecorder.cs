using System.Data.Common;

using LinqToDB.Interceptors;

namespace LinqToDB.DataProvider.AuroraDsql.Testing;

/// <summary>Records the text of every command a data connection executes. Shared by the test projects.</summary>
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
