namespace LinqToDB.DataProvider.AuroraDsql;

/// <summary>What a foreign key does when the referenced row is deleted or its key updated.</summary>
public enum AuroraDsqlReferentialAction
{
	/// <summary>Refuse the change at the end of the statement (the default, <c>NO ACTION</c>).</summary>
	NoAction,
	/// <summary>Refuse the change at once (<c>RESTRICT</c>).</summary>
	Restrict,
	/// <summary>Delete or update the referencing rows too (<c>CASCADE</c>). Cascaded rows count against the 3,000-row transaction limit.</summary>
	Cascade,
	/// <summary>Set the referencing columns to NULL (<c>SET NULL</c>).</summary>
	SetNull,
	/// <summary>Set the referencing columns to their defaults (<c>SET DEFAULT</c>).</summary>
	SetDefault,
}
