namespace Chat.Data.Benchmarks.Seeding;

/// <summary>
/// How much data the seeder makes, and how it is skewed. A record, so another scale is one more instance:
/// the seeder reseeds whenever the database's row counts differ from the shape's. The chats are the big
/// group (the one the benchmarks read), three empty send chats, a few huge groups, medium groups, and many
/// small chats (mostly direct) whose message counts are long-tailed; the bench user's chats are small ones.
/// </summary>
/// <param name="Users">Users, numbered in phone order (user 0 is the bench user).</param>
/// <param name="Participants">Users who take part in chats: the first ones.</param>
/// <param name="Chats">Chats of every kind, the big group and the send chats included.</param>
/// <param name="Messages">Messages in all chats together.</param>
/// <param name="BigChatMembers">Members of the big group: the first users.</param>
/// <param name="BigChatMessages">Messages of the big group: history pages, search, unread count and mark read.</param>
/// <param name="HugeGroups">Other groups as busy as a big community, <paramref name="HugeGroupMessages"/> messages each.</param>
/// <param name="HugeGroupMessages">Messages of each huge group.</param>
/// <param name="MediumGroups">Groups with a long-tailed share of <paramref name="MediumGroupMessages"/> messages.</param>
/// <param name="MediumGroupMessages">Messages of all medium groups together.</param>
/// <param name="BenchUserChats">Chats of the bench user, the big group included: the chat list.</param>
internal sealed record SeedShape(
    int Users, int Participants, int Chats, long Messages,
    int BigChatMembers, int BigChatMessages,
    int HugeGroups, int HugeGroupMessages,
    int MediumGroups, long MediumGroupMessages,
    int BenchUserChats)
{
    /// <summary>The big group, then the three send chats: the chats every scale starts with.</summary>
    public const int LandmarkChats = 4;

    /// <summary>About 200,000 messages, half of them in the big group: seeds in seconds before the CI suite.</summary>
    public static SeedShape Ci { get; } = new(
        Users: 100_000, Participants: 2_000, Chats: 2_000, Messages: 200_000,
        BigChatMembers: 200, BigChatMessages: 100_000,
        HugeGroups: 1, HugeGroupMessages: 30_000,
        MediumGroups: 20, MediumGroupMessages: 30_000,
        BenchUserChats: 200);

    /// <summary>
    /// The target scale: 10,000 users, 50,000 chats, 10,000,000 messages. Half the messages are in five huge
    /// groups (the big one holds 2,000,000, so its deepest page is really deep), a fifth in 400 medium groups,
    /// and the rest spread over about 49,600 small chats, four in five of them direct.
    /// </summary>
    public static SeedShape Full { get; } = new(
        Users: 10_000, Participants: 10_000, Chats: 50_000, Messages: 10_000_000,
        BigChatMembers: 300, BigChatMessages: 2_000_000,
        HugeGroups: 4, HugeGroupMessages: 750_000,
        MediumGroups: 400, MediumGroupMessages: 2_000_000,
        BenchUserChats: 200);

    /// <summary>The scales by the name <c>--seed</c> and <c>--scale</c> take.</summary>
    private static readonly Dictionary<string, SeedShape> ByName = new(StringComparer.OrdinalIgnoreCase) { ["ci"] = Ci, ["full"] = Full };

    public static IEnumerable<string> Names => ByName.Keys;

    /// <summary>Small chats other than the bench user's: what the other kinds leave of <see cref="Chats"/>.</summary>
    public int OtherSmallChats => Chats - LandmarkChats - HugeGroups - MediumGroups - (BenchUserChats - 1);

    /// <summary>The messages the small chats share: what the big, huge and medium groups leave.</summary>
    public long SmallChatMessages => Messages - BigChatMessages - (long)HugeGroups * HugeGroupMessages - MediumGroupMessages;

    public static bool TryParse(string name, out SeedShape shape) => ByName.TryGetValue(name, out shape!);
}
