using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Chat.Data.Benchmarks.Baselines;
using Chat.Data.Chats;

namespace Chat.Data.Benchmarks.Suites;

/// <summary>The chat list of a user in 200 chats, three ways: Chat.Data, EF Core, and hand-written Npgsql (the baseline).</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ChatListBenchmarks
{
    private const string ChatList = "Chat list: first 50 of 200 chats";
    private const int PageSize = 50;

    private ConversationWays _ways = null!;
    private Guid _user;

    // Synchronous wrappers: BenchmarkDotNet 0.14's in-process toolchain does not await async setup and cleanup.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _ways.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _ways = await ConversationWays.CreateAsync();
        _user = _ways.Sample.BenchUser;
        await CheckSameResultsAsync();
    }

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(ChatList)]
    public Task<Page<ChatListItem>> ChatListChatData() => _ways.ChatDataChats.ListForUserAsync(_user, limit: PageSize);

    [Benchmark(Description = "EFCore"), BenchmarkCategory(ChatList)]
    public Task<Page<ChatListItem>> ChatListEfCore() => _ways.EfCoreChats.ListForUserAsync(_user, PageSize);

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(ChatList)]
    public Task<Page<ChatListItem>> ChatListNpgsql() => _ways.HandWrittenChats.ListForUserAsync(_user, PageSize);

    private async Task CheckSameResultsAsync()
    {
        var expected = await _ways.HandWrittenChats.ListForUserAsync(_user, PageSize);
        // A full page with a next one; pinned chats first, then unread counts and previews to compare.
        Agree.Require(
            expected.Items.Count == PageSize && expected.NextCursor is not null && expected.Items[0].PinnedAt is not null &&
            expected.Items.Any(i => i.UnreadCount > 0) && expected.Items.All(i => i.LastMessage is not null),
            ChatList + " (expected a full first page with pins, unread counts and previews)");
        foreach (var page in new[] { await _ways.ChatDataChats.ListForUserAsync(_user, limit: PageSize), await _ways.EfCoreChats.ListForUserAsync(_user, PageSize) })
            Agree.Require(page.Items.SequenceEqual(expected.Items) && page.NextCursor == expected.NextCursor, ChatList);
    }
}
