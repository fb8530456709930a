using LinqToDB.DataProvider.AuroraDsql;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.Diagnostics;

/// <summary>The provider's loggers, from <see cref="AuroraDsqlOptions.LoggerFactory"/> (none when it is not set).</summary>
static class ProviderLoggers
{
	public const string Transactions = AuroraDsqlDiagnostics.LoggerCategoryPrefix + ".Transactions";
	public const string Batches      = AuroraDsqlDiagnostics.LoggerCategoryPrefix + ".Batches";
	public const string BulkCopy     = AuroraDsqlDiagnostics.LoggerCategoryPrefix + ".BulkCopy";
	public const string Schema       = AuroraDsqlDiagnostics.LoggerCategoryPrefix + ".Schema";
	public const string Commands     = AuroraDsqlDiagnostics.LoggerCategoryPrefix + ".Commands";

	public static ILogger For(DataOptions options, string category) =>
		For(options.FindOrDefault(AuroraDsqlOptions.Default), category);

	public static ILogger For(AuroraDsqlOptions options, string category) =>
		options.LoggerFactory is { } factory ? factory.CreateLogger(category) : NullLogger.Instance;
}
