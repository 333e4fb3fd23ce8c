namespace Chat.Data.Benchmarks;

/// <summary>
/// How much conversation data the seeder makes on top of the users. A record, so another scale is one
/// more instance: the seeder reseeds whenever the database's row counts differ from the shape's.
/// </summary>
/// <param name="Participants">Users who take part in chats: the first ones by phone (user 0 is the bench user).</param>
/// <param name="BenchUserChats">Chats of the bench user, the big group included: the chat list.</param>
/// <param name="BigChatMembers">Members of the big group.</param>
/// <param name="BigChatMessages">Messages of the big group: history pages, search, unread count and mark read.</param>
/// <param name="OtherChats">Chats among the other participants, so the bench user's rows are not the whole table.</param>
/// <param name="MessagesPerChat">Messages of every chat but the big one, on average.</param>
internal sealed record SeedShape(int Participants, int BenchUserChats, int BigChatMembers, int BigChatMessages, int OtherChats, int MessagesPerChat)
{
    /// <summary>About 160,000 messages: seeds in well under a minute on two cores.</summary>
    public static SeedShape Ci { get; } = new(
        Participants: 2_000, BenchUserChats: 200, BigChatMembers: 200, BigChatMessages: 100_000, OtherChats: 1_800, MessagesPerChat: 30);

    /// <summary>The scales by the name <c>--seed</c> and <c>--scale</c> take.</summary>
    private static readonly Dictionary<string, SeedShape> ByName = new(StringComparer.OrdinalIgnoreCase) { ["ci"] = Ci };

    public static IEnumerable<string> Names => ByName.Keys;

    public static bool TryParse(string name, out SeedShape shape) => ByName.TryGetValue(name, out shape!);
}
