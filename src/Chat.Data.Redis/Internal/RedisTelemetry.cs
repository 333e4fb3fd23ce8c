using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using Chat.Data.Internal;

namespace Chat.Data.Redis.Internal;

/// <summary>
/// The Redis helpers' traces and metrics, both named <c>Chat.Data.Redis</c>. Static, as the client's own:
/// listeners subscribe by name, and without one every call below costs a flag check and allocates nothing.
/// </summary>
internal static class RedisTelemetry
{
    public const string Name = "Chat.Data.Redis";

    private static readonly string? Version = typeof(RedisTelemetry).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static readonly ActivitySource Source = new(Name, Version);

    public static readonly Meter Meter = new(Name, Version);

    /// <summary>The duration of every helper call that reaches Redis, by operation.</summary>
    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram(
        "db.client.operation.duration", unit: "s", description: "Duration of Chat.Data.Redis helper calls.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1] });

    public static readonly Counter<long> RateLimitDecisions = Meter.CreateCounter<long>(
        "chat_data.rate_limit.decisions", unit: "{decision}", description: "Rate-limit decisions, by policy and outcome.");

    public static readonly Counter<long> OtpIssues = Meter.CreateCounter<long>(
        "chat_data.otp.issues", unit: "{request}", description: "Requests for a one-time code, by outcome.");

    public static readonly Counter<long> OtpVerifications = Meter.CreateCounter<long>(
        "chat_data.otp.verifications", unit: "{verification}", description: "Checks of a one-time code, by outcome.");

    public static readonly Counter<long> PresenceHeartbeats = Meter.CreateCounter<long>(
        "chat_data.presence.heartbeats", unit: "{heartbeat}", description: "Device heartbeats, by whether the user went online.");

    /// <summary><c>{helper}.{operation}</c>, the helper being the calling file's name in snake case, for example <c>otp_store.verify</c>.</summary>
    private static string OperationName(string callerFile, string callerMember) =>
        ChatDataTelemetry.OperationName(callerFile, callerMember, ChatDataTelemetry.SnakeCase);

    /// <summary>A span for one helper call, when someone listens.</summary>
    public static System.Diagnostics.Activity? Start(string callerFile, string callerMember)
    {
        if (!Source.HasListeners())
            return null;
        var name = OperationName(callerFile, callerMember);
        var activity = Source.StartActivity(name, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", "redis");
            activity.SetTag("db.operation.name", name);
        }
        return activity;
    }

    /// <summary>Ends a helper call's span and records its duration; <paramref name="error"/> when it failed.</summary>
    public static void Stop(System.Diagnostics.Activity? activity, long started, string callerFile, string callerMember, Exception? error)
    {
        if (activity is not null)
        {
            if (error is not null)
                ChatDataTelemetry.SetError(activity, error);
            activity.Dispose();
        }
        if (started != 0 && OperationDuration.Enabled)
        {
            var tags = new TagList { { "db.system.name", "redis" }, { "db.operation.name", OperationName(callerFile, callerMember) } };
            if (error is not null)
                tags.Add("error.type", error.GetType().FullName);
            OperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }
}
