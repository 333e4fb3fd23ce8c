using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Benchmarks.Seeding;

namespace Chat.Data.Benchmarks.Suites;

/// <summary>
/// Unread count at 10, 1,000 and 10,000 unread: the library's watermark arithmetic beside the naive per-message design
/// (COUNT(*) of a status row per unread message). Ratio compares the two at one count (Chat.Data the baseline);
/// "Ratio to Unread=10" shows how each grows. More iterations than the CI job's three: the library's ratio is
/// checked against 1.2, and three iterations leave an error wider than that.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[Config(typeof(ScalingColumn.ByUnread))]
[WarmupCount(2)]
[IterationCount(15)]
public class UnreadCountScalingBenchmarks
{
    private const string UnreadCount = "Unread count, N unread";

    private ReadScalingData _data = null!;
    private Guid _counter;

    [ParamsSource(nameof(UnreadCounts))]
    public int Unread { get; set; }

    public static IEnumerable<int> UnreadCounts => ReadScalingData.UnreadCounts;

    // Synchronous wrappers: BenchmarkDotNet 0.14's in-process toolchain does not await async setup and cleanup.
    [GlobalSetup]
    public void Setup()
    {
        _data = ReadScalingData.OpenAsync(Unread, ReadScalingUse.Count).GetAwaiter().GetResult();
        _counter = _data.Counter(Unread);
    }

    [GlobalCleanup]
    public void Cleanup() => _data.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "Chat.Data", Baseline = true), BenchmarkCategory(UnreadCount)]
    public Task<long> UnreadCountChatData() => _data.Library.GetUnreadCountAsync(_data.Chat, _counter);

    [Benchmark(Description = "NaiveReceipts"), BenchmarkCategory(UnreadCount)]
    public Task<long> UnreadCountNaive() => _data.NaiveReceipts.GetUnreadCountAsync(_data.Chat, _counter);
}
