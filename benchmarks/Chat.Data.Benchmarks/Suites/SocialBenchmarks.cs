using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Chat.Data.Benchmarks.Baselines;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Benchmarks.Seeding;
using Chat.Data.Messages;
using Chat.Data.Users;
using Npgsql;

namespace Chat.Data.Benchmarks.Suites;

/// <summary>
/// Reaction summaries, contact sync and gallery pages, three ways: Chat.Data, EF Core, and hand-written
/// Npgsql (the baseline of each group). All read the rows <see cref="SocialSeeder"/> makes.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SocialBenchmarks
{
    private const string Summaries = "Reactions: summary of 50 messages";
    private const string Sync = "Contacts: sync 1,000 phones";
    private const string FirstGalleryPage = "Gallery: first 50 images";
    private const string DeepGalleryPage = "Gallery: images 401-450 by cursor";
    private const int PageSize = 50;
    private const int DeepPages = 8;
    private const string Images = "image";

    private static readonly AttachmentKind[] ImageKind = [AttachmentKind.Image];

    private static readonly Guid[] NoUsers = [];

    private ConversationWays _ways = null!;
    private ConversationSample _sample = null!;
    private Guid[] _reacted = [];
    private string[] _phones = [];
    private string _deepCursor = null!;
    private (DateTimeOffset At, Guid Id) _deepAfter;

    // Synchronous wrappers: BenchmarkDotNet 0.14's in-process toolchain does not await async setup and cleanup.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _ways.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _ways = await ConversationWays.CreateAsync();
        _sample = _ways.Sample;
        _reacted = await LoadReactedAsync();
        // Half registered (some blocked either way), half nobody's, alternating.
        _phones = [.. Enumerable.Range(0, SocialSeeder.SyncedUsers)
            .SelectMany(i => new[] { DataSeeder.RegisteredPhone(SocialSeeder.FirstSyncedUser + i), DataSeeder.UnregisteredPhone(i) })];
        await FindDeepCursorAsync();
        await CheckSameResultsAsync();
    }

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(Summaries)]
    public Task<ILookup<Guid, ReactionSummary>> SummariesChatData() => _ways.ChatDataReactions.GetSummariesAsync(_reacted, _sample.BenchUser);

    [Benchmark(Description = "EFCore"), BenchmarkCategory(Summaries)]
    public Task<ILookup<Guid, ReactionSummary>> SummariesEfCore() => _ways.EfCoreSocial.GetReactionSummariesAsync(_reacted, _sample.BenchUser);

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(Summaries)]
    public Task<ILookup<Guid, ReactionSummary>> SummariesNpgsql() => _ways.HandWrittenSocial.GetReactionSummariesAsync(_reacted, _sample.BenchUser);

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(Sync)]
    public Task<IReadOnlyList<User>> SyncChatData() => _ways.ChatDataContacts.SyncAsync(_sample.BenchUser, _phones);

    [Benchmark(Description = "EFCore"), BenchmarkCategory(Sync)]
    public Task<List<User>> SyncEfCore() => _ways.EfCoreSocial.SyncContactsAsync(_sample.BenchUser, _phones);

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(Sync)]
    public Task<List<User>> SyncNpgsql() => _ways.HandWrittenSocial.SyncContactsAsync(_sample.BenchUser, _phones);

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(FirstGalleryPage)]
    public Task<Page<MessageAttachment>> FirstPageChatData() =>
        _ways.ChatDataAttachments.GetGalleryAsync(_sample.BigChat, _sample.BenchUser, ImageKind, null, PageSize);

    [Benchmark(Description = "EFCore"), BenchmarkCategory(FirstGalleryPage)]
    public Task<Page<MessageAttachment>> FirstPageEfCore() =>
        _ways.EfCoreSocial.GetGalleryAsync(_sample.BigChat, _sample.BenchUser, AttachmentKind.Image, null, PageSize);

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(FirstGalleryPage)]
    public Task<Page<MessageAttachment>> FirstPageNpgsql() =>
        _ways.HandWrittenSocial.GetGalleryAsync(_sample.BigChat, _sample.BenchUser, Images, null, PageSize);

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(DeepGalleryPage)]
    public Task<Page<MessageAttachment>> DeepPageChatData() =>
        _ways.ChatDataAttachments.GetGalleryAsync(_sample.BigChat, _sample.BenchUser, ImageKind, _deepCursor, PageSize);

    [Benchmark(Description = "EFCore"), BenchmarkCategory(DeepGalleryPage)]
    public Task<Page<MessageAttachment>> DeepPageEfCore() =>
        _ways.EfCoreSocial.GetGalleryAsync(_sample.BigChat, _sample.BenchUser, AttachmentKind.Image, _deepAfter, PageSize);

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(DeepGalleryPage)]
    public Task<Page<MessageAttachment>> DeepPageNpgsql() =>
        _ways.HandWrittenSocial.GetGalleryAsync(_sample.BigChat, _sample.BenchUser, Images, _deepAfter, PageSize);

    /// <summary>The reacted page of the big group, oldest first.</summary>
    private async Task<Guid[]> LoadReactedAsync()
    {
        await using var command = _ways.DataSource.CreateCommand(
            $"SELECT id FROM {BenchDatabase.Schema}.messages WHERE chat_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = _sample.BigChat });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = SocialSeeder.FirstReactedSeq });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = SocialSeeder.FirstReactedSeq + SocialSeeder.ReactedMessages - 1 });
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>(SocialSeeder.ReactedMessages);
        while (await reader.ReadAsync())
            ids.Add(reader.GetGuid(0));
        return ids.Count == SocialSeeder.ReactedMessages
            ? [.. ids]
            : throw new InvalidOperationException($"The big group holds {ids.Count} of the {SocialSeeder.ReactedMessages} reacted messages.");
    }

    /// <summary>Walks the library's gallery pages: the cursor after <see cref="DeepPages"/> pages, and the row it stands for.</summary>
    private async Task FindDeepCursorAsync()
    {
        string? cursor = null;
        Page<MessageAttachment> page = null!;
        for (var i = 0; i < DeepPages; i++)
        {
            page = await _ways.ChatDataAttachments.GetGalleryAsync(_sample.BigChat, _sample.BenchUser, ImageKind, cursor, PageSize);
            cursor = page.NextCursor ?? throw new InvalidOperationException($"The big group's gallery ends after {i + 1} pages of images.");
        }
        _deepCursor = cursor!;
        _deepAfter = (page.Items[^1].CreatedAt, page.Items[^1].Id);
    }

    private async Task CheckSameResultsAsync()
    {
        var summaries = await SummariesNpgsql();
        Agree.Require(_reacted.All(id => summaries[id].Count() == 5) && summaries[_reacted[0]].First().ReactedByViewer, Summaries + " (expected five emoji each)");
        Agree.Require(SameSummaries(summaries, await SummariesChatData()), Summaries);
        Agree.Require(SameSummaries(summaries, await SummariesEfCore()), Summaries);

        var expected = SocialSeeder.SyncedUsers - 2 * SocialSeeder.BlocksEachWay;
        var users = (await SyncNpgsql()).ToHashSet();
        Agree.Require(users.Count == expected, Sync + $" (expected {expected} users, found {users.Count})");
        Agree.Require(users.SetEquals(await SyncChatData()), Sync);
        Agree.Require(users.SetEquals(await SyncEfCore()), Sync);

        var first = await FirstPageNpgsql();
        Agree.Require(first.Items.Count == PageSize && first.NextCursor is not null && first.Items.All(a => a.Kind == AttachmentKind.Image), FirstGalleryPage + " (expected a full page)");
        Agree.Require(SamePage(first, await FirstPageChatData()), FirstGalleryPage);
        Agree.Require(SamePage(first, await FirstPageEfCore()), FirstGalleryPage);

        var deep = await DeepPageNpgsql();
        Agree.Require(deep.Items.Count == PageSize && deep.NextCursor is not null && deep.Items[0].CreatedAt < _deepAfter.At, DeepGalleryPage + " (expected a full page)");
        Agree.Require(SamePage(deep, await DeepPageChatData()), DeepGalleryPage);
        Agree.Require(SamePage(deep, await DeepPageEfCore()), DeepGalleryPage);
    }

    /// <summary>Per reacted message the same summaries in the same order; records compare their user lists by reference.</summary>
    private bool SameSummaries(ILookup<Guid, ReactionSummary> a, ILookup<Guid, ReactionSummary> b) =>
        a.Count == b.Count && _reacted.All(id => a[id].Count() == b[id].Count() && a[id].Zip(b[id]).All(p =>
            p.First with { FirstUserIds = NoUsers } == p.Second with { FirstUserIds = NoUsers } && p.First.FirstUserIds.SequenceEqual(p.Second.FirstUserIds)));

    private static bool SamePage(Page<MessageAttachment> a, Page<MessageAttachment> b) =>
        a.NextCursor == b.NextCursor && a.Items.SequenceEqual(b.Items);
}
