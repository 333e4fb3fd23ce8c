using System.Diagnostics;

namespace Chat.Data.TestSupport;

/// <summary>
/// Counts the commands Npgsql sends to one database, from Npgsql's own tracing (its
/// <c>Npgsql</c> ActivitySource), so a test can check that a call is one round trip.
/// </summary>
public sealed class RoundTripCounter : IDisposable
{
    private readonly ActivityListener _listener;
    private int _count;

    public RoundTripCounter(string database)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (!activity.OperationName.StartsWith("connect", StringComparison.OrdinalIgnoreCase) && Equals(activity.GetTagItem("db.namespace") ?? activity.GetTagItem("db.name"), database))
                    Interlocked.Increment(ref _count);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public int Count => Volatile.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
