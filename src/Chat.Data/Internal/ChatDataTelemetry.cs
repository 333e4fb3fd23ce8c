using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Chat.Data.Internal;

/// <summary>
/// The library's traces and metrics, both named <c>Chat.Data</c>, following OpenTelemetry's database
/// conventions where they apply. Static, as in Npgsql: listeners subscribe by name, and without one every
/// call below costs a flag check and allocates nothing.
/// </summary>
internal static class ChatDataTelemetry
{
    public const string Name = "Chat.Data";

    private static readonly string? Version = typeof(ChatDataTelemetry).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static readonly ActivitySource Source = new(Name, Version);

    public static readonly Meter Meter = new(Name, Version);

    /// <summary>The duration of every repository call, by operation: history and search latency among them.</summary>
    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram(
        "db.client.operation.duration", unit: "s", description: "Duration of Chat.Data repository calls.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10] });

    /// <summary>Sends answered with their stored message (a retry that finds its first message counts again).</summary>
    public static readonly Counter<long> MessagesSent = Meter.CreateCounter<long>(
        "chat_data.messages.sent", unit: "{message}", description: "Sends answered with their stored message.");

    /// <summary>Sends per batch statement.</summary>
    public static readonly Histogram<int> SendBatchSize = Meter.CreateHistogram(
        "chat_data.send.batch.size", unit: "{message}", description: "Sends carried by one batch statement.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64] });

    /// <summary>Round trip and commit of one batch statement.</summary>
    public static readonly Histogram<double> SendBatchDuration = Meter.CreateHistogram(
        "chat_data.send.batch.duration", unit: "s", description: "Duration of one batch statement of sends, commit included.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1] });

    /// <summary>Each migration run, up or down, by version.</summary>
    public static readonly Histogram<double> MigrationDuration = Meter.CreateHistogram<double>(
        "chat_data.migration.duration", unit: "s", description: "Duration of one migration run, by version and direction.");

    private static readonly ConcurrentDictionary<(string File, string Member), string> Operations = new();

    /// <summary>
    /// <c>{area}.{operation}</c> for the repository method that runs a statement, from its source file and
    /// member name (the compiler supplies both), for example <c>messages.get_history</c>.
    /// </summary>
    public static string OperationName(string callerFile, string callerMember) => OperationName(callerFile, callerMember, RepositoryArea);

    /// <summary>
    /// <c>{area}.{operation}</c> for a call from <paramref name="callerFile"/>'s <paramref name="callerMember"/>: the
    /// area is <paramref name="area"/> of the file's name, the operation the member in snake case without <c>Async</c>.
    /// Each file keeps to one rule, so the names are cached by file and member.
    /// </summary>
    public static string OperationName(string callerFile, string callerMember, Func<string, string> area) =>
        Operations.GetOrAdd((callerFile, callerMember), static (key, area) =>
            area(Path.GetFileNameWithoutExtension(key.File.Replace('\\', '/'))) + "." +
            SnakeCase(key.Member.EndsWith("Async", StringComparison.Ordinal) ? key.Member[..^5] : key.Member), area);

    /// <summary>The area of a repository file's name: <c>MessageRepository</c> is <c>messages</c>, <c>ReadStateRepository</c> is <c>read_state</c>.</summary>
    private static string RepositoryArea(string name)
    {
        if (name.EndsWith("Repository", StringComparison.Ordinal))
            name = name[..^"Repository".Length];
        name = SnakeCase(name.StartsWith("ChatData", StringComparison.Ordinal) ? name["ChatData".Length..] : name);
        return name switch
        {
            "read_state" or "activity_feed" or "maintenance" or "migrator" => name,
            _ when name.EndsWith('y') => name[..^1] + "ies",
            _ => name + "s",
        };
    }

    /// <summary><c>ReadState</c> is <c>read_state</c>.</summary>
    public static string SnakeCase(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    /// <summary>Marks a failed call as OpenTelemetry asks: status, <c>error.type</c> and the exception event.</summary>
    public static void SetError(System.Diagnostics.Activity activity, Exception error)
    {
        activity.SetStatus(ActivityStatusCode.Error, error.Message);
        activity.SetTag("error.type", error.GetType().FullName);
        activity.AddException(error);
    }
}
