using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Benchmarks.Seeding;
using Chat.Data.ReadState;

namespace Chat.Data.Benchmarks.Suites;

/// <summary>
/// Mark read from 10, 1,000 and 10,000 unread to none: the library moving one watermark beside the naive per-message
/// design (an UPDATE of a status row per unread message). Ratio compares the two at one count (Chat.Data the
/// baseline); "Ratio to Unread=10" shows how each grows.
/// </summary>
/// <remarks>
/// A mark cannot be measured twice on the same rows, and putting N naive rows back between invocations (an
/// [IterationSetup]) would leave N dead row versions and index entries in exactly the range the next UPDATE scans,
/// more each round, unless a VACUUM ran every iteration (and one cannot clean while any older transaction runs on the
/// server). So every invocation marks its own reader, whose rows were written once by COPY, frozen
/// (<see cref="ReadScalingData"/>): all start from the same clean state, the naive design at its best. That needs a
/// known number of invocations, hence the fixed counts below and <see cref="ReadersNeeded"/> readers per unread count;
/// running out fails the run rather than measuring marks that move nothing.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[Config(typeof(ScalingColumn.ByUnread))]
[InvocationCount(Invocations)]
[WarmupCount(Warmups)]
[IterationCount(Iterations)]
public class MarkReadScalingBenchmarks
{
    /// <summary>One jitting invocation, then every iteration's: warmups, measured, and one more for the memory diagnoser.</summary>
    public const int ReadersNeeded = 1 + Invocations * (Warmups + Iterations + 1);

    private const int Invocations = 4;
    private const int Warmups = 1;
    private const int Iterations = 20;
    private const string MarkRead = "Mark read, N unread to none";

    private ReadScalingData _data = null!;
    private Guid[] _readers = [];
    private int _taken;

    [ParamsSource(nameof(UnreadCounts))]
    public int Unread { get; set; }

    public static IEnumerable<int> UnreadCounts => ReadScalingData.UnreadCounts;

    // Synchronous wrappers: BenchmarkDotNet 0.14's in-process toolchain does not await async setup and cleanup.
    // The library's marks are put back by every setup; the naive rows only by rewriting them, so the naive setup takes them.
    [GlobalSetup(Target = nameof(MarkReadChatData))]
    public void SetupChatData() => Setup(ReadScalingUse.MarkChatData);

    [GlobalSetup(Target = nameof(MarkReadNaive))]
    public void SetupNaive() => Setup(ReadScalingUse.MarkNaive);

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"Mark read at {Unread} unread: {_taken} of {_readers.Length} readers marked.");
        _data.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "Chat.Data", Baseline = true), BenchmarkCategory(MarkRead)]
    public Task<ReadWatermark> MarkReadChatData() => _data.Library.MarkReadAsync(_data.Chat, NextReader());

    [Benchmark(Description = "NaiveReceipts"), BenchmarkCategory(MarkRead)]
    public Task<int> MarkReadNaive() => _data.NaiveReceipts.MarkReadAsync(_data.Chat, NextReader());

    private void Setup(ReadScalingUse use)
    {
        _data = ReadScalingData.OpenAsync(Unread, use).GetAwaiter().GetResult();
        _readers = _data.Readers(Unread);
        _taken = 0;
    }

    private Guid NextReader() => _taken < _readers.Length
        ? _readers[_taken++]
        : throw new InvalidOperationException(
            $"All {_readers.Length} readers at {Unread} unread are marked: the job runs more invocations than ReadersNeeded.");
}
