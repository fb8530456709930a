namespace AuroraDsql.Local.Proxy;

/// <summary>Which client message (or proxy-injected query) a group of backend responses answers.</summary>
enum ExpectationKind : byte
{
	/// <summary>Simple Query: per statement RowDescription/DataRow…/CommandComplete|EmptyQueryResponse (or an error that ends the query), then ReadyForQuery.</summary>
	Query,

	/// <summary>ParseComplete.</summary>
	Parse,

	/// <summary>BindComplete.</summary>
	Bind,

	/// <summary>[ParameterDescription] RowDescription|NoData.</summary>
	Describe,

	/// <summary>DataRow…, then CommandComplete|EmptyQueryResponse|PortalSuspended.</summary>
	Execute,

	/// <summary>CloseComplete.</summary>
	Close,

	/// <summary>ReadyForQuery (an implicit COMMIT may fail first).</summary>
	Sync,

	/// <summary>FunctionCallResponse, ReadyForQuery.</summary>
	FunctionCall,

	/// <summary>A simple query the proxy sent itself: every response up to its ReadyForQuery is swallowed.</summary>
	Injected,

	/// <summary>A lost transaction's recorded messages sent again: every response is swallowed into its digest, up to its last ReadyForQuery.</summary>
	Redo,

	/// <summary>ParseComplete/CloseComplete of a hidden statement the proxy prepared itself: swallowed (an error goes to the client).</summary>
	Swallowed,
}
