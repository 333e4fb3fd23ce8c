using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Chat.Data.Benchmarks.Baselines;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Benchmarks.Seeding;
using Chat.Data.Messages;
using Npgsql;

namespace Chat.Data.Benchmarks.Suites;

/// <summary>Send and history pages, three ways: Chat.Data, EF Core, and hand-written Npgsql (the baseline of each group).</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class MessageBenchmarks
{
    private const string Send = "Send a message";
    private const string NewestPage = "History: newest 50 of the big group";
    private const string DeepestPage = "History: oldest 50 (before seq 101)";
    private const int PageSize = 50;
    private const long DeepBefore = 101;
    private const string Text = "See you at the office tomorrow";

    private ConversationWays _ways = null!;
    private ConversationSample _sample = null!;

    // Client message ids unique across runs, so no send is taken for a retry.
    private readonly string _run = Guid.NewGuid().ToString("N");
    private long _sent;

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
    }

    // Each way sends into its own chat, so the table and chat grow the same for all three.
    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(Send)]
    public Task<Message> SendChatData() => _ways.ChatDataMessages.SendAsync(
        new NewMessage { ChatId = _sample.SendChats[0], SenderId = _sample.Sender, ClientMessageId = NextClientId(), Content = Text });

    [Benchmark(Description = "EFCore"), BenchmarkCategory(Send)]
    public Task<Message> SendEfCore() => _ways.EfCoreMessages.SendAsync(_sample.SendChats[1], _sample.Sender, NextClientId(), Text);

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(Send)]
    public Task<Message> SendNpgsql() => _ways.HandWrittenMessages.SendAsync(_sample.SendChats[2], _sample.Sender, NextClientId(), Text);

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(NewestPage)]
    public Task<MessagePage> NewestPageChatData() => _ways.ChatDataMessages.GetHistoryAsync(_sample.BigChat, _sample.BenchUser, HistoryAnchor.Latest, PageSize);

    [Benchmark(Description = "EFCore"), BenchmarkCategory(NewestPage)]
    public Task<MessagePage> NewestPageEfCore() => _ways.EfCoreMessages.GetHistoryAsync(_sample.BigChat, _sample.BenchUser, null, PageSize);

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(NewestPage)]
    public Task<MessagePage> NewestPageNpgsql() => _ways.HandWrittenMessages.GetHistoryAsync(_sample.BigChat, _sample.BenchUser, null, PageSize);

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(DeepestPage)]
    public Task<MessagePage> DeepestPageChatData() =>
        _ways.ChatDataMessages.GetHistoryAsync(_sample.BigChat, _sample.BenchUser, HistoryAnchor.Before(DeepBefore), PageSize);

    [Benchmark(Description = "EFCore"), BenchmarkCategory(DeepestPage)]
    public Task<MessagePage> DeepestPageEfCore() => _ways.EfCoreMessages.GetHistoryAsync(_sample.BigChat, _sample.BenchUser, DeepBefore, PageSize);

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(DeepestPage)]
    public Task<MessagePage> DeepestPageNpgsql() => _ways.HandWrittenMessages.GetHistoryAsync(_sample.BigChat, _sample.BenchUser, DeepBefore, PageSize);

    private string NextClientId() => $"{_run}-{++_sent}";

    private async Task CheckSameResultsAsync()
    {
        var (chat, user) = (_sample.BigChat, _sample.BenchUser);
        var newest = await _ways.HandWrittenMessages.GetHistoryAsync(chat, user, null, PageSize);
        Agree.Require(newest.Messages.Count == PageSize && !newest.ReachedOldest && newest.ReachedNewest, NewestPage + " (expected a full page)");
        Agree.Require(Agree.Same(newest, await _ways.ChatDataMessages.GetHistoryAsync(chat, user, HistoryAnchor.Latest, PageSize)), NewestPage);
        Agree.Require(Agree.Same(newest, await _ways.EfCoreMessages.GetHistoryAsync(chat, user, null, PageSize)), NewestPage);

        var deepest = await _ways.HandWrittenMessages.GetHistoryAsync(chat, user, DeepBefore, PageSize);
        Agree.Require(deepest.Messages.Count == PageSize && deepest.Messages[^1].Seq == DeepBefore - 1 && !deepest.ReachedNewest, DeepestPage + " (expected a full page)");
        Agree.Require(Agree.Same(deepest, await _ways.ChatDataMessages.GetHistoryAsync(chat, user, HistoryAnchor.Before(DeepBefore), PageSize)), DeepestPage);
        Agree.Require(Agree.Same(deepest, await _ways.EfCoreMessages.GetHistoryAsync(chat, user, DeepBefore, PageSize)), DeepestPage);

        // Sends go to different chats: each must take its chat's next seq and update the chat and the sender the same way.
        await CheckSendAsync(0, SendChatData);
        await CheckSendAsync(1, SendEfCore);
        await CheckSendAsync(2, SendNpgsql);
    }

    private async Task CheckSendAsync(int way, Func<Task<Message>> send)
    {
        var chatId = _sample.SendChats[way];
        var before = await SendStateAsync(chatId);
        var message = await send();
        var after = await SendStateAsync(chatId);
        Agree.Require(
            message is { Type: MessageType.Text, Content: Text } && message.ChatId == chatId && message.SenderId == _sample.Sender &&
            message.Seq == before.LastSeq + 1 &&
            after == (message.Seq, before.MessageCount + 1, message.Id, message.Seq),
            Send);
    }

    /// <summary>The chat's last seq, message count and last message, and the sender's read mark.</summary>
    private async Task<(long LastSeq, long MessageCount, Guid? LastMessageId, long SenderRead)> SendStateAsync(Guid chatId)
    {
        await using var command = _ways.DataSource.CreateCommand(
            $"""
            SELECT c.last_seq, c.message_count, c.last_message_id, m.last_read_seq
            FROM {BenchDatabase.Schema}.chats c JOIN {BenchDatabase.Schema}.chat_members m ON m.chat_id = c.id
            WHERE c.id = $1 AND m.user_id = $2
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = chatId });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = _sample.Sender });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.GetInt64(3));
    }
}
