using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Chat.Data.Benchmarks.Baselines;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Benchmarks.Seeding;
using Chat.Data.ReadState;
using Npgsql;

namespace Chat.Data.Benchmarks.Suites;

/// <summary>Unread count and mark read, three ways: Chat.Data, EF Core, and hand-written Npgsql (the baseline of each group).</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ReadStateBenchmarks
{
    private const string UnreadCount = "Unread count in one chat";
    private const string MarkRead = "Mark read, one message further";

    // Marks only move forward, so every invocation moves a reader's mark one message on: readers start
    // this far behind the newest message of the big group (unread counts as in a busy chat, and room for
    // the default job's invocations), and each way moves its own readers, one after the other.
    private const long Backlog = 20_000;
    private const int ReadersPerWay = ConversationSeeder.Readers / 3;

    private ConversationWays _ways = null!;
    private ConversationSample _sample = null!;
    private long _start;
    private long _marks;

    // Synchronous wrappers: BenchmarkDotNet 0.14's in-process toolchain does not await async setup and cleanup.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _ways.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _ways = await ConversationWays.CreateAsync();
        _sample = _ways.Sample;
        await CheckSameResultsAsync();
        await ResetReadersAsync();
    }

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(UnreadCount)]
    public Task<long> UnreadCountChatData() => _ways.ChatDataReadState.GetUnreadCountAsync(_sample.BigChat, _sample.BenchUser);

    [Benchmark(Description = "EFCore"), BenchmarkCategory(UnreadCount)]
    public Task<long> UnreadCountEfCore() => _ways.EfCoreReadState.GetUnreadCountAsync(_sample.BigChat, _sample.BenchUser);

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(UnreadCount)]
    public Task<long> UnreadCountNpgsql() => _ways.HandWrittenReadState.GetUnreadCountAsync(_sample.BigChat, _sample.BenchUser);

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(MarkRead)]
    public Task<ReadWatermark> MarkReadChatData()
    {
        var (reader, seq) = NextMark(0);
        return _ways.ChatDataReadState.MarkReadAsync(_sample.BigChat, reader, seq);
    }

    [Benchmark(Description = "EFCore"), BenchmarkCategory(MarkRead)]
    public Task<ReadWatermark> MarkReadEfCore()
    {
        var (reader, seq) = NextMark(1);
        return _ways.EfCoreReadState.MarkReadAsync(_sample.BigChat, reader, seq);
    }

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(MarkRead)]
    public Task<ReadWatermark> MarkReadNpgsql()
    {
        var (reader, seq) = NextMark(2);
        return _ways.HandWrittenReadState.MarkReadAsync(_sample.BigChat, reader, seq);
    }

    /// <summary>The way's current reader and the seq one past their mark.</summary>
    private (Guid Reader, long Seq) NextMark(int way)
    {
        var n = _marks++;
        return (_sample.Readers[way * ReadersPerWay + (int)(n / Backlog % ReadersPerWay)], _start + n % Backlog + 1);
    }

    /// <summary>Puts every reader's read mark <see cref="Backlog"/> behind the newest message and forgets their read_marks rows.</summary>
    private async Task ResetReadersAsync()
    {
        await using var command = _ways.DataSource.CreateCommand(
            $"""
            WITH forgotten AS (
                DELETE FROM {BenchDatabase.Schema}.read_marks WHERE chat_id = $1 AND user_id = ANY($2)
            )
            UPDATE {BenchDatabase.Schema}.chat_members m
            SET last_read_seq = c.last_seq - $3, last_read_at = NULL, unread_mention_count = 0
            FROM {BenchDatabase.Schema}.chats c
            WHERE c.id = m.chat_id AND m.chat_id = $1 AND m.user_id = ANY($2)
            RETURNING m.last_read_seq
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = _sample.BigChat });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = _sample.Readers });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Backlog });
        _start = (long)(await command.ExecuteScalarAsync())!;
        _marks = 0;
    }

    private async Task CheckSameResultsAsync()
    {
        var (chat, user) = (_sample.BigChat, _sample.BenchUser);
        var unread = await _ways.HandWrittenReadState.GetUnreadCountAsync(chat, user);
        Agree.Require(unread > 0 && unread <= ConversationSeeder.BigChatUnread, UnreadCount + " (expected the seeded backlog)");
        Agree.Require(await _ways.ChatDataReadState.GetUnreadCountAsync(chat, user) == unread, UnreadCount);
        Agree.Require(await _ways.EfCoreReadState.GetUnreadCountAsync(chat, user) == unread, UnreadCount);

        // Each way moves its first reader from the same mark to the same seq: the marks and counts must agree.
        await ResetReadersAsync();
        var marks = new[]
        {
            await _ways.HandWrittenReadState.MarkReadAsync(chat, _sample.Readers[2 * ReadersPerWay], _start + 1),
            await _ways.ChatDataReadState.MarkReadAsync(chat, _sample.Readers[0], _start + 1),
            await _ways.EfCoreReadState.MarkReadAsync(chat, _sample.Readers[ReadersPerWay], _start + 1),
        };
        Agree.Require(
            marks.All(m => m.LastReadSeq == _start + 1 && m.LastReadAt is not null) &&
            marks.Select(m => (m.LastReadSeq, m.LastDeliveredSeq, m.UnreadCount, m.UnreadMentionCount)).Distinct().Count() == 1,
            MarkRead);
    }
}
