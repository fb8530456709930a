using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LinqToDB.DataProvider.AuroraDsql.Tests.Infrastructure;

/// <summary>Records the spans and measurements of the provider's ActivitySource and Meter while it lives.</summary>
public sealed class TelemetryRecorder : IDisposable
{
	public sealed record Measurement(string Instrument, long Value, IReadOnlyDictionary<string, object?> Tags);

	readonly ActivityListener _activities;
	readonly MeterListener _meters = new();
	readonly ConcurrentQueue<Activity> _spans = new();
	readonly ConcurrentQueue<Measurement> _measurements = new();

	public TelemetryRecorder()
	{
		_activities = new ActivityListener
		{
			ShouldListenTo  = source => source.Name == AuroraDsqlDiagnostics.ActivitySourceName,
			Sample          = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
			ActivityStopped = activity => _spans.Enqueue(activity),
		};
		ActivitySource.AddActivityListener(_activities);

		_meters.InstrumentPublished = (instrument, listener) =>
		{
			if (instrument.Meter.Name == AuroraDsqlDiagnostics.MeterName)
				listener.EnableMeasurementEvents(instrument);
		};
		_meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
			_measurements.Enqueue(new Measurement(instrument.Name, value, ToDictionary(tags))));
		_meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
			_measurements.Enqueue(new Measurement(instrument.Name, (long)Math.Round(value * 1000), ToDictionary(tags))));
		_meters.Start();
	}

	/// <summary>Spans that ended, in the order they ended.</summary>
	public IReadOnlyList<Activity> Spans => _spans.ToArray();

	public IReadOnlyList<Measurement> Measurements => _measurements.ToArray();

	/// <summary>The sum of an instrument's measurements whose tags include <paramref name="tags"/>.</summary>
	public long Sum(string instrument, params (string Key, object? Value)[] tags) =>
		Measurements
			.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)))
			.Sum(m => m.Value);

	static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
	{
		var result = new Dictionary<string, object?>(StringComparer.Ordinal);
		foreach (var tag in tags)
			result[tag.Key] = tag.Value;
		return result;
	}

	public void Dispose()
	{
		_activities.Dispose();
		_meters.Dispose();
	}
}
