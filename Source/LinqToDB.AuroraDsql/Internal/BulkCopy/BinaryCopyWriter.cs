using System.Linq.Expressions;
using System.Runtime.CompilerServices;

using LinqToDB.Mapping;

namespace LinqToDB.Internal.DataProvider.AuroraDsql.BulkCopy;

/// <summary>
/// Encodes <typeparamref name="T"/> rows in PostgreSQL's binary COPY format with one compiled, typed getter per column (the
/// column's value after the mapping schema's conversions, as linq2db would send it) and an encoder chosen once per column
/// (<see cref="BinaryValueEncoders"/>): no value is boxed, bound to a parameter or converted through a resolver, where
/// linq2db's importer boxes every value and has Npgsql resolve a converter for it. Built only when every column is of a
/// type listed in <see cref="BinaryCopyTypes"/> (and Npgsql's legacy timestamp behaviour is off); otherwise the copy is
/// left to linq2db.
/// </summary>
sealed class BinaryCopyWriter<T>
	where T : notnull
{
	// Per entity descriptor (so per mapping schema): the writer, or Unsupported, for each of keepIdentity × normalizeTimestamps.
	static readonly ConditionalWeakTable<EntityDescriptor, object?[]> _cache = new();
	static readonly object Unsupported = new();

	readonly BinaryCopyColumn<T>[] _columns;

	BinaryCopyWriter(BinaryCopyColumn<T>[] columns) => _columns = columns;

	/// <summary>The writer for <paramref name="columns"/> of <paramref name="entity"/>, or <see langword="null"/> when a column is not of a type it writes.</summary>
	public static BinaryCopyWriter<T>? For(EntityDescriptor entity, IReadOnlyList<ColumnDescriptor> columns, bool keepIdentity, bool normalizeTimestamps)
	{
		var slots = _cache.GetValue(entity, static _ => new object?[4]);
		var slot  = (keepIdentity ? 1 : 0) + (normalizeTimestamps ? 2 : 0);

		// Threads that miss at once build equal writers; the first one stored is the one every caller gets (a bulk copy
		// compares writers by reference).
		var entry = Volatile.Read(ref slots[slot]);
		if (entry is null)
		{
			var created = TryCreate(columns, normalizeTimestamps) ?? Unsupported;
			entry = Interlocked.CompareExchange(ref slots[slot], created, null) ?? created;
		}

		return entry as BinaryCopyWriter<T>;
	}

	static BinaryCopyWriter<T>? TryCreate(IReadOnlyList<ColumnDescriptor> columns, bool normalizeTimestamps)
	{
		if (BinaryValueEncoders.LegacyTimestamps || columns.Count is 0 or > short.MaxValue)
			return null;

		var writers = new BinaryCopyColumn<T>[columns.Count];

		for (var i = 0; i < columns.Count; i++)
		{
			if (CreateColumn(columns[i], normalizeTimestamps) is not { } writer)
				return null;
			writers[i] = writer;
		}

		return new BinaryCopyWriter<T>(writers);
	}

	static BinaryCopyColumn<T>? CreateColumn(ColumnDescriptor column, bool normalizeTimestamps)
	{
		if (BinaryCopyTypes.ColumnType(column.GetDbDataType(true)) is not { } columnType)
			return null;

		var lambda = column.GetDbValueLambda();
		if (lambda.Parameters is not [{ } parameter] || parameter.Type != typeof(T))
			return null;

		var valueType = lambda.Body.Type;
		var plainType = Nullable.GetUnderlyingType(valueType) ?? valueType;
		var encoder   = typeof(BinaryValueEncoders).GetMethod(nameof(BinaryValueEncoders.For))!.MakeGenericMethod(plainType).Invoke(null, [columnType]);
		if (encoder is null)
			return null;

		var getter    = Expression.Lambda(typeof(Func<,>).MakeGenericType(typeof(T), valueType), lambda.Body, lambda.Parameters).Compile();
		var normalize = normalizeTimestamps ? BinaryCopyTypes.Normalizer(plainType, columnType) : null;
		var writer    = valueType != plainType
			? typeof(NullableBinaryCopyColumn<,>).MakeGenericType(typeof(T), plainType)
			: typeof(TypedBinaryCopyColumn<,>).MakeGenericType(typeof(T), valueType);

		return (BinaryCopyColumn<T>)Activator.CreateInstance(writer, getter, encoder, normalize)!;
	}

	/// <summary>The row's size as <see cref="RowSizeEstimator.Estimate"/> counts it, from the typed getters.</summary>
	public long Size(T row)
	{
		long size = RowSizeEstimator.RowOverhead;
		foreach (var column in _columns)
			size += column.Size(row);
		return size;
	}

	/// <summary>Encodes a row: its field count, then each column's value.</summary>
	public void EncodeRow(BinaryCopyBuffer buffer, T row)
	{
		buffer.StartRow((short)_columns.Length);
		foreach (var column in _columns)
			column.Encode(buffer, row);
	}
}
