using LinqToDB.Data;
using LinqToDB.DataProvider.AuroraDsql;
using LinqToDB.DataProvider.PostgreSQL;
using LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;
using LinqToDB.Internal.DataProvider.PostgreSQL;
using LinqToDB.Internal.SqlProvider;
using LinqToDB.Mapping;

using Npgsql;

namespace LinqToDB.Internal.DataProvider.AuroraDsql;

/// <summary>
/// Bulk copy for Aurora DSQL: never more rows in one statement than one DSQL transaction may modify; binary COPY encoded by
/// <see cref="BinaryCopyWriter{T}"/> and sent on Npgsql's raw COPY stream when every column is of a type it writes
/// (linq2db's importer otherwise).
/// </summary>
sealed class AuroraDsqlBulkCopy(AuroraDsqlDataProvider provider) : PostgreSQLBulkCopy(provider)
{
	protected override int? MaxMultipleRows => AuroraDsqlOptions.DsqlMaxRowsPerTransaction;

	protected override BulkCopyRowsCopied ProviderSpecificCopy<T>(ITable<T> table, DataOptions options, IEnumerable<T> source)
	{
		if (Prepare(table, options) is { } copy && provider.TryGetProviderConnection(copy.Db, copy.Db.OpenDbConnection()) is NpgsqlConnection connection
			&& SendsUtf8(connection))
			return CopyRows(copy, connection, source);

		(source as EncodedChunk<T>)?.NotSentEncoded();
		return base.ProviderSpecificCopy(table, options, source);
	}

	protected override async Task<BulkCopyRowsCopied> ProviderSpecificCopyAsync<T>(ITable<T> table, DataOptions options, IEnumerable<T> source, CancellationToken cancellationToken)
	{
		if (Prepare(table, options) is { } copy
			&& provider.TryGetProviderConnection(copy.Db, await copy.Db.OpenDbConnectionAsync(cancellationToken).ConfigureAwait(false)) is NpgsqlConnection connection
			&& SendsUtf8(connection))
			return await CopyRowsAsync(copy, connection, source, cancellationToken).ConfigureAwait(false);

		(source as EncodedChunk<T>)?.NotSentEncoded();
		return await base.ProviderSpecificCopyAsync(table, options, source, cancellationToken).ConfigureAwait(false);
	}

	// Text is encoded as UTF-8 (what DSQL speaks); a connection set up for another encoding is left to linq2db's importer.
	static bool SendsUtf8(NpgsqlConnection connection)
	{
		var settings = new NpgsqlConnectionStringBuilder(connection.ConnectionString);
		return IsUtf8(settings.Encoding) && (settings.ClientEncoding is null || IsUtf8(settings.ClientEncoding));

		static bool IsUtf8(string name) => name.Replace("-", "", StringComparison.Ordinal).Equals("UTF8", StringComparison.OrdinalIgnoreCase);
	}

	sealed record TypedCopy<T>(DataConnection Db, BulkCopyOptions Options, string TableName, string ColumnList, string Command, BinaryCopyWriter<T> Writer)
		where T : notnull
	{
		// As linq2db's importer: COPY statements of at most MaxBatchSize rows (10,000 by default).
		public int BatchSize { get; } = Math.Max(10, Options.MaxBatchSize ?? 10_000);

		// As linq2db's trace of a binary COPY.
		public string TraceText(bool async) => $"INSERT{(async ? " ASYNC" : "")} BULK {TableName}({ColumnList}){Environment.NewLine}";

		// As linq2db's importer: the bulk copy timeout, or the command timeout when so configured; otherwise (null) the
		// connection's.
		public int? TimeoutSeconds =>
			Options.BulkCopyTimeout.HasValue || LinqToDB.Common.Configuration.Data.BulkCopyUseConnectionCommandTimeout
				? Options.BulkCopyTimeout ?? Db.CommandTimeout
				: null;

		/// <summary>
		/// Whether <paramref name="chunk"/>'s encoded rows can be sent as they are: encoded by this copy's writer, one COPY
		/// statement's worth, and no progress callback to call per row.
		/// </summary>
		public bool CanSendEncoded(EncodedChunk<T> chunk) =>
			chunk.Encoded != null && ReferenceEquals(chunk.Writer, Writer) && chunk.Count <= BatchSize
			&& (Options.NotifyAfter == 0 || Options.RowsCopiedCallback == null);

		/// <summary>Counts a row; true when the progress callback asked to stop.</summary>
		public bool Count(BulkCopyRowsCopied rowsCopied)
		{
			rowsCopied.RowsCopied++;
			if (Options.NotifyAfter != 0 && Options.RowsCopiedCallback != null && rowsCopied.RowsCopied % Options.NotifyAfter == 0)
				Options.RowsCopiedCallback(rowsCopied);
			return rowsCopied.Abort;
		}

		// As linq2db: a connection opened for this copy only is closed after it, but never inside a transaction (a chunk's own
		// transaction would be rolled back with it).
		public void CloseIfOpenedForCopy()
		{
			if (Db is IDataContext { CloseAfterUse: true } context && Db.Transaction is null)
				context.Close();
		}

		/// <inheritdoc cref="CloseIfOpenedForCopy"/>
		public Task CloseIfOpenedForCopyAsync() =>
			Db is IDataContext { CloseAfterUse: true } context && Db.Transaction is null ? context.CloseAsync() : Task.CompletedTask;

		public void Finish(BulkCopyRowsCopied rowsCopied)
		{
			if (Options.NotifyAfter != 0 && Options.RowsCopiedCallback != null)
				Options.RowsCopiedCallback(rowsCopied);
		}
	}

	TypedCopy<T>? Prepare<T>(ITable<T> table, DataOptions options)
		where T : notnull
	{
		// A DataContext's connection is not reachable here: linq2db's importer handles that case.
		if (table.DataContext is not DataConnection db)
			return null;

		var entity       = table.DataContext.MappingSchema.GetEntityDescriptor(typeof(T), db.Options.ConnectionOptions.OnEntityDescriptorCreated);
		var keepIdentity = options.BulkCopyOptions.KeepIdentity == true;
		var columns      = entity.Columns.Where(c => !c.SkipOnInsert || (keepIdentity && c.IsIdentity)).ToArray();
		var normalize    = db.Options.FindOrDefault(PostgreSQLOptions.Default).NormalizeTimestampData;

		if (BinaryCopyWriter<T>.For(entity, columns, keepIdentity, normalize) is not { } writer)
			return null;

		var sqlBuilder = provider.CreateSqlBuilder(table.DataContext.MappingSchema, db.Options);
		var tableName  = GetTableName(sqlBuilder, options.BulkCopyOptions, table);
		var fields     = string.Join(", ", columns.Select(c => sqlBuilder.ConvertInline(c.ColumnName, ConvertType.NameToQueryField)));

		return new TypedCopy<T>(db, options.BulkCopyOptions, tableName, string.Join(", ", columns.Select(c => c.ColumnName)),
			$"COPY {tableName} ({fields}) FROM STDIN (FORMAT BINARY)", writer);
	}

	BulkCopyRowsCopied CopyRows<T>(TypedCopy<T> copy, NpgsqlConnection connection, IEnumerable<T> source)
		where T : notnull
	{
		if (source is EncodedChunk<T> chunk)
		{
			if (copy.CanSendEncoded(chunk))
				return CopyEncoded(copy, connection, chunk);
			chunk.NotSentEncoded();
		}

		var rowsCopied = new BulkCopyRowsCopied();
		using var buffer = new BinaryCopyBuffer(BinaryCopyStream.BlockSize + 4096);
		var stream     = BinaryCopyStream.Begin(connection, copy.Command, buffer, copy.TimeoutSeconds);
		var inBatch    = 0;

		try
		{
			foreach (var row in source)
			{
				copy.Writer.EncodeRow(buffer, row);
				stream.SendIfFull();
				inBatch++;

				if (copy.Count(rowsCopied))
					break;

				if (inBatch >= copy.BatchSize)
				{
					stream.Complete();
					stream  = BinaryCopyStream.Begin(connection, copy.Command, buffer, copy.TimeoutSeconds);
					inBatch = 0;
				}
			}

			// Stopped by the callback: the COPY is cancelled (as linq2db's importer, nothing of it is kept).
			if (rowsCopied.Abort)
				stream.Cancel();
			else
				TraceAction(copy.Db, () => copy.TraceText(async: false), () => { stream.Complete(); return (int)rowsCopied.RowsCopied; });

			copy.Finish(rowsCopied);
		}
		catch (PostgresException ex) when (CopyRefusal.MarkLater(ex))
		{
			throw;
		}
		finally
		{
			stream.Dispose();
		}

		copy.CloseIfOpenedForCopy();

		return rowsCopied;
	}

	async Task<BulkCopyRowsCopied> CopyRowsAsync<T>(TypedCopy<T> copy, NpgsqlConnection connection, IEnumerable<T> source, CancellationToken cancellationToken)
		where T : notnull
	{
		if (source is EncodedChunk<T> chunk)
		{
			if (copy.CanSendEncoded(chunk))
				return await CopyEncodedAsync(copy, connection, chunk, cancellationToken).ConfigureAwait(false);
			chunk.NotSentEncoded();
		}

		var rowsCopied = new BulkCopyRowsCopied();
		using var buffer = new BinaryCopyBuffer(BinaryCopyStream.BlockSize + 4096);
		var stream     = await BinaryCopyStream.BeginAsync(connection, copy.Command, buffer, copy.TimeoutSeconds, cancellationToken).ConfigureAwait(false);
		var inBatch    = 0;

		try
		{
			foreach (var row in source)
			{
				copy.Writer.EncodeRow(buffer, row);
				var sent = stream.SendIfFullAsync(cancellationToken);
				if (!sent.IsCompletedSuccessfully)
					await sent.ConfigureAwait(false);
				inBatch++;

				if (copy.Count(rowsCopied))
					break;

				if (inBatch >= copy.BatchSize)
				{
					await stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
					stream  = await BinaryCopyStream.BeginAsync(connection, copy.Command, buffer, copy.TimeoutSeconds, cancellationToken).ConfigureAwait(false);
					inBatch = 0;
				}
			}

			if (rowsCopied.Abort)
				await stream.CancelAsync().ConfigureAwait(false);
			else
				await TraceActionAsync(copy.Db, () => copy.TraceText(async: true), async () =>
				{
					await stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
					return (int)rowsCopied.RowsCopied;
				}).ConfigureAwait(false);

			copy.Finish(rowsCopied);
		}
		catch (PostgresException ex) when (CopyRefusal.MarkLater(ex))
		{
			throw;
		}
		finally
		{
			await stream.DisposeAsync().ConfigureAwait(false);
		}

		await copy.CloseIfOpenedForCopyAsync().ConfigureAwait(false);

		return rowsCopied;
	}

	/// <summary>
	/// One COPY of a chunk encoded ahead: its rows go out at once, the next chunk is encoded while the server inserts them,
	/// then the COPY ends.
	/// </summary>
	BulkCopyRowsCopied CopyEncoded<T>(TypedCopy<T> copy, NpgsqlConnection connection, EncodedChunk<T> chunk)
		where T : notnull
	{
		using var buffer = new BinaryCopyBuffer(64);
		var stream = BinaryCopyStream.Begin(connection, copy.Command, buffer, copy.TimeoutSeconds);

		try
		{
			stream.SendEncoded(chunk.Encoded!.Written.Span);
			chunk.WhileServerWorks();
			TraceAction(copy.Db, () => copy.TraceText(async: false), () => { stream.Complete(); return chunk.Count; });
		}
		catch (PostgresException ex) when (CopyRefusal.MarkLater(ex))
		{
			throw;
		}
		finally
		{
			stream.Dispose();
		}

		copy.CloseIfOpenedForCopy();

		return new BulkCopyRowsCopied { RowsCopied = chunk.Count };
	}

	/// <inheritdoc cref="CopyEncoded"/>
	async Task<BulkCopyRowsCopied> CopyEncodedAsync<T>(TypedCopy<T> copy, NpgsqlConnection connection, EncodedChunk<T> chunk, CancellationToken cancellationToken)
		where T : notnull
	{
		using var buffer = new BinaryCopyBuffer(64);
		var stream = await BinaryCopyStream.BeginAsync(connection, copy.Command, buffer, copy.TimeoutSeconds, cancellationToken).ConfigureAwait(false);

		try
		{
			await stream.SendEncodedAsync(chunk.Encoded!.Written, cancellationToken).ConfigureAwait(false);
			chunk.WhileServerWorks();
			await TraceActionAsync(copy.Db, () => copy.TraceText(async: true), async () =>
			{
				await stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
				return chunk.Count;
			}).ConfigureAwait(false);
		}
		catch (PostgresException ex) when (CopyRefusal.MarkLater(ex))
		{
			throw;
		}
		finally
		{
			await stream.DisposeAsync().ConfigureAwait(false);
		}

		await copy.CloseIfOpenedForCopyAsync().ConfigureAwait(false);

		return new BulkCopyRowsCopied { RowsCopied = chunk.Count };
	}
}
