using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Chat.Data.TestSupport;

/// <summary>
/// Spans and metrics of one library as an OpenTelemetry host collects them: the SDK with its in-memory exporter.
/// Other test classes call the library at the same time, so a test starts a parent span of its own
/// (<see cref="StartTest"/>) and reads only that trace, and calls <see cref="Stop"/> before it reads anything.
/// </summary>
public sealed class TelemetryCollector : IDisposable
{
    private readonly ActivitySource _tests;
    private readonly string _library;
    private readonly List<System.Diagnostics.Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private readonly TracerProvider _tracing;
    private readonly MeterProvider _metering;

    /// <param name="library">The library's activity source and meter name, e.g. <c>Chat.Data</c>.</param>
    public TelemetryCollector(string library)
    {
        _library = library;
        _tests = new ActivitySource(library + ".Tests.Telemetry");
        _tracing = Sdk.CreateTracerProviderBuilder().AddSource(library, _tests.Name).AddInMemoryExporter(_spans).Build()!;
        _metering = Sdk.CreateMeterProviderBuilder().AddMeter(library).AddInMemoryExporter(_metrics).Build()!;
    }

    /// <summary>Every span collected, of every trace.</summary>
    public IReadOnlyList<System.Diagnostics.Activity> Spans => _spans;

    public IReadOnlyList<Metric> Metrics => _metrics;

    /// <summary>A parent span for the library calls made while it is current.</summary>
    public System.Diagnostics.Activity? StartTest(string name) => _tests.StartActivity(name);

    /// <summary>The library's spans in the trace of the test span <paramref name="test"/>, oldest first.</summary>
    public List<System.Diagnostics.Activity> SpansOf(string test)
    {
        var root = _spans.Single(s => s.Source == _tests && s.DisplayName == test);
        return _spans.Where(s => s.TraceId == root.TraceId && s.Source.Name == _library).OrderBy(s => s.StartTimeUtc).ToList();
    }

    /// <summary>Every point of the metrics named <paramref name="metric"/>.</summary>
    public List<MetricPoint> Points(string metric)
    {
        var points = new List<MetricPoint>();
        foreach (var m in _metrics.Where(m => m.Name == metric))
            foreach (var point in m.GetMetricPoints())
                points.Add(point);
        return points;
    }

    public static object? Tag(MetricPoint point, string name)
    {
        foreach (var tag in point.Tags)
            if (tag.Key == name)
                return tag.Value;
        return null;
    }

    /// <summary>
    /// Flushes and ends collection, so the exporters' lists stop changing under the assertions (spans of other
    /// test classes keep ending on other threads).
    /// </summary>
    public void Stop()
    {
        _tracing.Dispose();
        _metering.Dispose();
    }

    public void Dispose()
    {
        Stop();
        _tests.Dispose();
    }
}
