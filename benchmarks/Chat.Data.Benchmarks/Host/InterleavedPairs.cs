using System.Diagnostics;
using Chat.Data.Benchmarks.Seeding;
using Chat.Data.Benchmarks.Suites;
using Chat.Data.Messages;

namespace Chat.Data.Benchmarks.Host;

/// <summary>
/// <c>./build.sh bench [--scale S] pairs</c>: the library against the hand-written floor, call by call in turn.
/// BenchmarkDotNet measures each way in its own stretch of time, so on a shared machine whose speed drifts
/// the ratio between two stretches carries the drift (the same SQL was 1.9 × the floor in one run and
/// 1.4 × in the next). Alternating calls puts both ways on the same machine; the median of each round's
/// ratio (library call over the hand-written call beside it) is the cost of the library's client code.
/// It runs the suites' own setup and benchmark methods.
/// </summary>
internal static class InterleavedPairs
{
    private const int WarmUp = 20;
    private static readonly TimeSpan PerPair = TimeSpan.FromSeconds(5);

    public static async Task RunAsync()
    {
        Console.WriteLine("| Operation | Library median | Hand-written median | Median ratio per round | Calls each |");
        Console.WriteLine("|---|---:|---:|---:|---:|");

        var messages = new MessageBenchmarks();
        messages.Setup();
        await PairAsync("Send a message", messages.SendChatData, messages.SendNpgsql);
        await PairAsync("History: newest 50", messages.NewestPageChatData, messages.NewestPageNpgsql);
        await PairAsync("History: oldest 50", messages.DeepestPageChatData, messages.DeepestPageNpgsql);
        messages.Cleanup();

        var chatList = new ChatListBenchmarks();
        chatList.Setup();
        await PairAsync("Chat list", chatList.ChatListChatData, chatList.ChatListNpgsql);
        chatList.Cleanup();

        var readState = new ReadStateBenchmarks();
        readState.Setup();
        await PairAsync("Unread count", readState.UnreadCountChatData, readState.UnreadCountNpgsql);
        await PairAsync("Mark read", readState.MarkReadChatData, readState.MarkReadNpgsql);
        readState.Cleanup();

        var users = new UserLookupBenchmarks();
        users.Setup();
        await PairAsync("Find by id", users.FindByIdChatData, users.FindByIdNpgsql);
        await PairAsync("Find by 1,000 phones", users.FindByPhonesChatData, users.FindByPhonesNpgsql);
        users.Cleanup();

        var direct = new DirectChatBenchmarks();
        direct.Setup();
        await PairAsync("Direct chat: exists", direct.GetChatData, direct.GetNpgsql);
        await PairAsync("Direct chat: creates", direct.CreateChatData, direct.CreateNpgsql);
        direct.Cleanup();

        var social = new SocialBenchmarks();
        social.Setup();
        await PairAsync("Contacts: sync 1,000 phones", social.SyncChatData, social.SyncNpgsql);
        await PairAsync("Gallery: first 50", social.FirstPageChatData, social.FirstPageNpgsql);
        await PairAsync("Gallery: by cursor", social.DeepPageChatData, social.DeepPageNpgsql);
        await PairAsync("Reactions: 50 messages", social.SummariesChatData, social.SummariesNpgsql);
        social.Cleanup();

        await RowLevelSecurityPairsAsync();

        var redis = new RedisBenchmarks();
        redis.Setup();
        await PairAsync("Redis: 64 rate-limit checks", redis.RateLimitChatData, redis.RateLimitByHand);
        await PairAsync("Redis: presence of 1,000", redis.PresenceChatData, redis.PresenceByHand);
        await PairAsync("Redis: OTP verify", redis.OtpVerifyChatData, redis.OtpVerifyByHand);
        await PairAsync("Redis: typing list", redis.TypingChatData, redis.TypingByHand);
        redis.Cleanup();
    }

    /// <summary>
    /// The same library call acting as its user under row-level security, against the call unscoped
    /// (the owner, whom no policy limits): what the policies and the role switch cost. Each way has a pool
    /// of its own, as a server re-plans a prepared statement run under another role than it was planned
    /// for. Printed as rows of the same table, the scoped call in the library's column.
    /// </summary>
    private static async Task RowLevelSecurityPairsAsync()
    {
        await using var unscoped = await ConversationWays.CreateAsync();
        await using var scoped = await ConversationWays.CreateAsync();
        var (user, chat) = (unscoped.Sample.BenchUser, unscoped.Sample.BigChat);
        Func<Task> Scoped(Func<ConversationWays, Task> call) => async () =>
        {
            using (scoped.ChatDataRowLevelSecurity.ActAs(user))
                await call(scoped);
        };
        Func<Task> Unscoped(Func<ConversationWays, Task> call) => () => call(unscoped);
        Task History(ConversationWays ways) => ways.ChatDataMessages.GetHistoryAsync(chat, user, HistoryAnchor.Latest, 50);
        Task ChatList(ConversationWays ways) => ways.ChatDataChats.ListForUserAsync(user, limit: 50);
        Task SearchOneChat(ConversationWays ways) => ways.ChatDataMessages.SearchAsync(user, SeedText.RareWord, chat, 50);
        Task SearchAllChats(ConversationWays ways) => ways.ChatDataMessages.SearchAsync(user, SeedText.RareWord, null, 50);
        await PairAsync("Scoped / unscoped: history newest 50", Scoped(History), Unscoped(History));
        await PairAsync("Scoped / unscoped: chat list", Scoped(ChatList), Unscoped(ChatList));
        await PairAsync("Scoped / unscoped: search one chat", Scoped(SearchOneChat), Unscoped(SearchOneChat));
        await PairAsync("Scoped / unscoped: search all chats", Scoped(SearchAllChats), Unscoped(SearchAllChats));
    }

    private static async Task PairAsync(string name, Func<Task> library, Func<Task> handWritten)
    {
        for (var i = 0; i < WarmUp; i++)
        {
            await library();
            await handWritten();
        }
        List<double> libraryTimes = [], handWrittenTimes = [], ratios = [];
        var clock = Stopwatch.StartNew();
        // Each goes first in every other round, so neither always follows the other. A round's two calls
        // run back to back: their ratio carries none of the drift between rounds.
        for (var round = 0; clock.Elapsed < PerPair || round < 2 * WarmUp; round++)
        {
            double ours, floor;
            if (round % 2 == 0)
            {
                ours = await TimeAsync(library);
                floor = await TimeAsync(handWritten);
            }
            else
            {
                floor = await TimeAsync(handWritten);
                ours = await TimeAsync(library);
            }
            libraryTimes.Add(ours);
            handWrittenTimes.Add(floor);
            ratios.Add(ours / floor);
        }
        Console.WriteLine($"| {name} | {Median(libraryTimes):F3} ms | {Median(handWrittenTimes):F3} ms | {Median(ratios):F2} | {ratios.Count:N0} |");
    }

    private static async Task<double> TimeAsync(Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        await call();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Median(List<double> times)
    {
        times.Sort();
        return times[times.Count / 2];
    }
}
