namespace Chat.Data.Benchmarks.Host;

/// <summary>The test Redis the Redis benchmarks run against; its keys are the library's (prefix <c>chat:</c>) and the floor's own.</summary>
internal static class BenchRedis
{
    public const string EnvironmentVariable = "CHATDATA_TEST_REDIS";

    public static bool IsConfigured => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable));

    public static string NotConfiguredMessage =>
        $"{EnvironmentVariable} is not set. Start the test servers with ./build.sh services up and export the " +
        $"{EnvironmentVariable}=... line it prints, for example {EnvironmentVariable}=127.0.0.1:56379.";

    /// <summary>A StackExchange.Redis configuration string.</summary>
    public static string Configuration =>
        IsConfigured ? Environment.GetEnvironmentVariable(EnvironmentVariable)! : throw new InvalidOperationException(NotConfiguredMessage);
}
