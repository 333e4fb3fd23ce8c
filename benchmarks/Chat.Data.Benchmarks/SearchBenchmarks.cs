using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Chat.Data.Messages;

namespace Chat.Data.Benchmarks;

/// <summary>Search in one chat, three ways: Chat.Data, EF Core, and hand-written Npgsql (the baseline).</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SearchBenchmarks
{
    private const string Search = "Search a rare word in one chat";
    private const int Limit = 50;

    // Npgsql prepares a statement on its fifth run on a connection, and PostgreSQL weighs a generic plan
    // after five custom ones: a statement's cost can change on about the tenth run. Search's does (its
    // generic plan scans every message of the user's chats), so each way runs this often first; otherwise
    // BenchmarkDotNet sizes the iterations from the fast first runs and they take minutes.
    private const int RunsToSteadyState = 12;

    private ConversationWays _ways = null!;
    private Guid _user;
    private Guid _chat;

    // Synchronous wrappers: BenchmarkDotNet 0.14's in-process toolchain does not await async setup and cleanup.
    [GlobalSetup(Target = nameof(SearchChatData))]
    public void SetupChatData() => SetupAsync(SearchChatData).GetAwaiter().GetResult();

    [GlobalSetup(Target = nameof(SearchEfCore))]
    public void SetupEfCore() => SetupAsync(SearchEfCore).GetAwaiter().GetResult();

    [GlobalSetup(Target = nameof(SearchNpgsql))]
    public void SetupNpgsql() => SetupAsync(SearchNpgsql).GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _ways.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task SetupAsync(Func<Task> search)
    {
        _ways = await ConversationWays.CreateAsync();
        (_user, _chat) = (_ways.Sample.BenchUser, _ways.Sample.BigChat);
        await CheckSameResultsAsync();
        for (var run = 0; run < RunsToSteadyState; run++)
            await search();
    }

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(Search)]
    public Task<IReadOnlyList<MessageSearchHit>> SearchChatData() => _ways.ChatDataMessages.SearchAsync(_user, SeedText.RareWord, _chat, Limit);

    [Benchmark(Description = "EFCore"), BenchmarkCategory(Search)]
    public Task<List<MessageSearchHit>> SearchEfCore() => _ways.EfCoreMessages.SearchAsync(_user, SeedText.RareWord, _chat, Limit);

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(Search)]
    public Task<List<MessageSearchHit>> SearchNpgsql() => _ways.HandWrittenMessages.SearchAsync(_user, SeedText.RareWord, _chat, Limit);

    private async Task CheckSameResultsAsync()
    {
        var hits = await _ways.HandWrittenMessages.SearchAsync(_user, SeedText.RareWord, _chat, Limit);
        Agree.Require(hits.Count == Limit, Search + " (expected a full page of hits)");
        Agree.Require(Agree.Same(hits, await _ways.ChatDataMessages.SearchAsync(_user, SeedText.RareWord, _chat, Limit)), Search);
        Agree.Require(Agree.Same(hits, await _ways.EfCoreMessages.SearchAsync(_user, SeedText.RareWord, _chat, Limit)), Search);
    }
}
