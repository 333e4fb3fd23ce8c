namespace Chat.Data.TestSupport;

/// <summary>Values unique within a test run, so tests sharing a class database never collide.</summary>
public static class TestData
{
    private static long _next = Random.Shared.Next(1_000_000, 9_000_000);

    public static long Next() => Interlocked.Increment(ref _next);

    /// <summary>A valid E.164 number (+1555 and 8 digits).</summary>
    public static string Phone() => $"+1555{Next():D8}";

    public static string Username() => $"user_{Next()}";
}
