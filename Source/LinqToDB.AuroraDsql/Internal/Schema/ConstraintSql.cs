using System.Text;

using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.Internal.SqlProvider;
using LinqToDB.Mapping;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Schema;

/// <summary>SQL of table constraints declared by attributes or added later: FOREIGN KEY and CHECK.</summary>
static class ConstraintSql
{
	public static string ForeignKey(ISqlBuilder sql, MappingSchema mappingSchema, Type dependent, AuroraDsqlForeignKeyAttribute foreignKey)
	{
		var dependentEntity = mappingSchema.GetEntityDescriptor(dependent);
		var principalEntity = mappingSchema.GetEntityDescriptor(foreignKey.Principal);

		var columns = foreignKey.Members.Select(m => Column(dependentEntity, m, foreignKey.Name)).ToList();
		var principalColumns = foreignKey.PrincipalMembers.Length > 0
			? foreignKey.PrincipalMembers.Select(m => Column(principalEntity, m, foreignKey.Name)).ToList()
			: principalEntity.Columns.Where(c => c.IsPrimaryKey).OrderBy(c => c.PrimaryKeyOrder).ToList();

		if (columns.Count == 0 || columns.Count != principalColumns.Count)
			throw new ArgumentException(
				$"Foreign key '{foreignKey.Name}' has {columns.Count} referencing column(s) but {principalColumns.Count} referenced column(s) in {foreignKey.Principal.Name}; they must match.");

		var principalTable = sql.BuildObjectName(new(), principalEntity.Name, ConvertType.NameToQueryTable, true, principalEntity.TableOptions).ToString();

		return ForeignKey(
			sql.ConvertInline(foreignKey.Name, ConvertType.NameToQueryTable),
			columns.Select(c => sql.ConvertInline(c.ColumnName, ConvertType.NameToQueryField)),
			principalTable,
			principalColumns.Select(c => sql.ConvertInline(c.ColumnName, ConvertType.NameToQueryField)),
			foreignKey.OnDelete,
			foreignKey.OnUpdate);
	}

	public static string ForeignKey(string quotedName, IEnumerable<string> columns, string principalTable, IEnumerable<string> principalColumns, AuroraDsqlReferentialAction onDelete, AuroraDsqlReferentialAction onUpdate)
	{
		var sql = new StringBuilder("CONSTRAINT ").Append(quotedName)
			.Append(" FOREIGN KEY (").AppendJoin(", ", columns).Append(") REFERENCES ").Append(principalTable)
			.Append(" (").AppendJoin(", ", principalColumns).Append(')');

		if (onDelete != AuroraDsqlReferentialAction.NoAction)
			sql.Append(" ON DELETE ").Append(Action(onDelete));

		if (onUpdate != AuroraDsqlReferentialAction.NoAction)
			sql.Append(" ON UPDATE ").Append(Action(onUpdate));

		return sql.ToString();
	}

	public static string Check(string quotedName, string condition) => $"CONSTRAINT {quotedName} CHECK ({condition})";

	static string Action(AuroraDsqlReferentialAction action) => action switch
	{
		AuroraDsqlReferentialAction.Restrict   => "RESTRICT",
		AuroraDsqlReferentialAction.Cascade    => "CASCADE",
		AuroraDsqlReferentialAction.SetNull    => "SET NULL",
		AuroraDsqlReferentialAction.SetDefault => "SET DEFAULT",
		_                                      => "NO ACTION",
	};

	static ColumnDescriptor Column(EntityDescriptor entity, string memberOrColumn, string constraint) =>
		entity.Columns.FirstOrDefault(c => string.Equals(c.MemberName, memberOrColumn, StringComparison.Ordinal))
		?? entity.Columns.FirstOrDefault(c => string.Equals(c.ColumnName, memberOrColumn, StringComparison.Ordinal))
		?? throw new ArgumentException($"Constraint '{constraint}': '{memberOrColumn}' is neither a member nor a column of {entity.ObjectType.Name}.");
}
