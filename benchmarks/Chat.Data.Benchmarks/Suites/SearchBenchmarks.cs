using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Chat.Data.Benchmarks.Baselines;
using Chat.Data.Benchmarks.Seeding;
using Chat.Data.Messages;

namespace Chat.Data.Benchmarks.Suites;

/// <summary>
/// Search in one chat and in all of a user's chats, three ways: Chat.Data, EF Core, and hand-written Npgsql
/// (the baseline of each group).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SearchBenchmarks
{
    private const string OneChat = "Search a rare word in one chat";
    private const string AllChats = "Search a rare word in all my chats";
    private const int Limit = 50;

    // Npgsql prepares a statement on its fifth run on a connection, and PostgreSQL weighs a generic plan
    // after five custom ones: a statement's plan can change on its tenth run. A generic search plan walks
    // the user's chats one by one, so each way runs this often before BenchmarkDotNet measures it: the
    // figures are the steady state, and the iterations are not sized from fast first runs (which would
    // make them take minutes).
    private const int RunsToSteadyState = 12;

    private ConversationWays _ways = null!;
    private Guid _user;
    private Guid _chat;

    // Synchronous wrappers: BenchmarkDotNet 0.14's in-process toolchain does not await async setup and cleanup.
    [GlobalSetup(Target = nameof(OneChatChatData))]
    public void SetupOneChatChatData() => Setup(OneChatChatData);

    [GlobalSetup(Target = nameof(OneChatEfCore))]
    public void SetupOneChatEfCore() => Setup(OneChatEfCore);

    [GlobalSetup(Target = nameof(OneChatNpgsql))]
    public void SetupOneChatNpgsql() => Setup(OneChatNpgsql);

    [GlobalSetup(Target = nameof(AllChatsChatData))]
    public void SetupAllChatsChatData() => Setup(AllChatsChatData);

    [GlobalSetup(Target = nameof(AllChatsEfCore))]
    public void SetupAllChatsEfCore() => Setup(AllChatsEfCore);

    [GlobalSetup(Target = nameof(AllChatsNpgsql))]
    public void SetupAllChatsNpgsql() => Setup(AllChatsNpgsql);

    [GlobalCleanup]
    public void Cleanup() => _ways.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void Setup(Func<Task> search) => SetupAsync(search).GetAwaiter().GetResult();

    private async Task SetupAsync(Func<Task> search)
    {
        _ways = await ConversationWays.CreateAsync();
        (_user, _chat) = (_ways.Sample.BenchUser, _ways.Sample.BigChat);
        await CheckSameResultsAsync(_chat, OneChat);
        await CheckSameResultsAsync(null, AllChats);
        for (var run = 0; run < RunsToSteadyState; run++)
            await search();
    }

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(OneChat)]
    public Task<IReadOnlyList<MessageSearchHit>> OneChatChatData() => _ways.ChatDataMessages.SearchAsync(_user, SeedText.RareWord, _chat, Limit);

    [Benchmark(Description = "EFCore"), BenchmarkCategory(OneChat)]
    public Task<List<MessageSearchHit>> OneChatEfCore() => _ways.EfCoreMessages.SearchAsync(_user, SeedText.RareWord, _chat, Limit);

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(OneChat)]
    public Task<List<MessageSearchHit>> OneChatNpgsql() => _ways.HandWrittenMessages.SearchAsync(_user, SeedText.RareWord, _chat, Limit);

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(AllChats)]
    public Task<IReadOnlyList<MessageSearchHit>> AllChatsChatData() => _ways.ChatDataMessages.SearchAsync(_user, SeedText.RareWord, null, Limit);

    [Benchmark(Description = "EFCore"), BenchmarkCategory(AllChats)]
    public Task<List<MessageSearchHit>> AllChatsEfCore() => _ways.EfCoreMessages.SearchAsync(_user, SeedText.RareWord, null, Limit);

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(AllChats)]
    public Task<List<MessageSearchHit>> AllChatsNpgsql() => _ways.HandWrittenMessages.SearchAsync(_user, SeedText.RareWord, null, Limit);

    private async Task CheckSameResultsAsync(Guid? chat, string operation)
    {
        var hits = await _ways.HandWrittenMessages.SearchAsync(_user, SeedText.RareWord, chat, Limit);
        Agree.Require(hits.Count == Limit, operation + " (expected a full page of hits)");
        Agree.Require(Agree.Same(hits, await _ways.ChatDataMessages.SearchAsync(_user, SeedText.RareWord, chat, Limit)), operation);
        Agree.Require(Agree.Same(hits, await _ways.EfCoreMessages.SearchAsync(_user, SeedText.RareWord, chat, Limit)), operation);
    }
}
